/**
 * The kubelet's systemd unit and drop-ins as the user data writes them:
 * `Environment=` and `EnvironmentFile=` build the variables, the last
 * `ExecStart=` wins (an empty one resets), drop-ins apply in file-name order
 * after the unit, and `$VAR` in ExecStart is split on whitespace.
 */
import type { ArgWord } from "../kubelet/cmdline";
import type { CommandLineSource } from "../kubelet/effective";
import type { Unverifiable } from "../kubelet/node";
import type { Location } from "../kubelet/provenance";
import { expandWord, tokenize } from "../kubelet/shell";
import { readEnvironmentFile, splitWhitespace } from "./builder";
import { fileText, locateLine, type VirtualFile } from "./files";
import type { Limits } from "./limits";

const MAIN_UNITS = ["/etc/systemd/system/kubelet.service", "/usr/lib/systemd/system/kubelet.service", "/lib/systemd/system/kubelet.service"];
const DROP_IN = /^\/(etc|lib|usr\/lib)\/systemd\/system\/kubelet\.service\.d\/([^/]+\.conf)$/;

interface Variable {
  value: string;
  location: Location;
}

export function readSystemdUnits(files: ReadonlyMap<string, VirtualFile>, _limits: Limits): { execStart?: CommandLineSource; unverifiable: Unverifiable[] } {
  const unverifiable: Unverifiable[] = [];
  const main = MAIN_UNITS.map((p) => files.get(p)).find((f) => f !== undefined);
  const dropIns = [...files.values()].filter((f) => DROP_IN.test(f.path)).sort((a, b) => DROP_IN.exec(a.path)![2].localeCompare(DROP_IN.exec(b.path)![2]));
  const vars = new Map<string, Variable>();
  let execStart: { value: string; location: Location } | undefined;
  for (const file of main ? [main, ...dropIns] : dropIns) {
    const text = fileText(file.state);
    if (text === undefined) {
      unverifiable.push({ location: file.location, reason: `the kubelet unit ${file.path} ${file.state.hidden?.reason ?? "is not visible"}` });
      continue;
    }
    let section = "";
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const startLine = i + 1;
      let line = lines[i].trim();
      while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
      if (line.startsWith("#") || line.startsWith(";") || line === "") continue;
      const header = /^\[(.+)\]$/.exec(line);
      if (header) {
        section = header[1];
        continue;
      }
      if (section !== "Service") continue;
      const eq = line.indexOf("=");
      if (eq === -1) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      const location = locateLine(file.state, startLine, file.path) ?? { source: file.path };
      if (key === "ExecStart") execStart = value === "" ? undefined : { value, location };
      else if (key === "Environment") {
        for (const assignment of shellWords(value)) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(assignment);
          if (m) vars.set(m[1], { value: m[2], location });
        }
      } else if (key === "EnvironmentFile") {
        const path = value.replace(/^-/, "");
        const envFile = files.get(path);
        if (envFile && fileText(envFile.state) !== undefined) {
          for (const v of readEnvironmentFile(envFile.state, path)) vars.set(v.name, { value: v.value, location: v.location });
        }
      }
    }
  }
  if (!execStart) return { unverifiable };
  const { tokens } = tokenize(execStart.value.replace(/^[-@+!:]+/, ""));
  const words: ArgWord[] = [];
  let first = true;
  for (const token of tokens) {
    if (token.kind !== "word") continue;
    const single = token.segments.length === 1 && token.segments[0].kind === "var" ? token.segments[0] : undefined;
    if (first) {
      first = false;
      const binary = expandWord(token, (n) => vars.get(n)?.value)[0]?.text ?? "";
      if (!/(^|\/)kubelet$/.test(binary)) return { unverifiable };
      continue;
    }
    if (single) {
      const variable = vars.get(single.name);
      if (variable) words.push(...splitWhitespace(variable.value, variable.location.line));
      continue;
    }
    for (const w of expandWord(token, (n) => vars.get(n)?.value))
      words.push({ text: w.text, line: execStart.location.line, unresolved: w.unresolved.length ? w.unresolved : undefined });
  }
  return { execStart: { location: execStart.location, origin: "user", words }, unverifiable };
}

function shellWords(text: string): string[] {
  return tokenize(text).tokens.flatMap((t) => (t.kind === "word" ? expandWord(t, () => undefined).map((w) => w.text) : []));
}
