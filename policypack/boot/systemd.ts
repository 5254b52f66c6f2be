/**
 * The kubelet's exec line as systemd builds it from the node's final files
 * (systemd.unit(5), systemd.service(5), systemd.exec(5)):
 * - a kubelet is whatever a unit's ExecStart runs, whatever the unit is
 *   called: `kubelet`, `/opt/bin/kubelet`, `hyperkube kubelet`,
 *   `kubelet-wrapper`, or a container runner (`docker run … kubelet`);
 * - a unit in /etc overrides /run, which overrides /lib and /usr/lib;
 *   drop-ins `<unit>.d/*.conf` apply after it in file-name byte order
 *   (strcmp), a name in /etc hiding the same name elsewhere;
 * - lines continue after a trailing backslash, comment lines between them
 *   dropped (conf-parser.c);
 * - an empty ExecStart= clears the commands before it; more than one left
 *   makes systemd refuse a unit that is not Type=oneshot (reported);
 * - EnvironmentFile= values override Environment= for the same variable;
 * - ExecStart= and Environment= are split into words, and environment files
 *   read, with systemd's own quoting and escapes (./systemd-words.ts), not a
 *   shell's: `$VAR` as a word of its own, quoted or not, is replaced by the
 *   value split at blanks with its quotes removed; `${VAR}` inside a word is
 *   the value as it is; `$$` is a `$`;
 * - a unit file, drop-in or environment file whose text is not visible leaves
 *   what it may set unknown, never the kubelet's defaults.
 */
import type { ArgWord } from "../kubelet/cmdline";
import type { CommandLineSource } from "../kubelet/effective";
import type { Unverifiable } from "../kubelet/node";
import type { Location, Origin } from "../kubelet/provenance";
import { fileText, hiddenFileMessage, locateLine, type VirtualFile } from "./files";
import { readEnvironmentFile, variableWords } from "./node-builder";
import { RecentTexts } from "../userdata/recent";
import { execCommands, isVariableName, resolveSpecifiers, systemdWords } from "./systemd-words";

const UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];
const UNIT = /^\/(?:etc|run|lib|usr\/lib)\/systemd\/system\/([^/]+\.service)$/;
const DROP_IN = /^\/(?:etc|run|lib|usr\/lib)\/systemd\/system\/([^/]+\.service)\.d\/([^/]+\.conf)$/;

interface Variable {
  value: string;
  location: Location;
  origin: Origin;
  /** Words with their own lines, for a file a program wrote from the user's input. */
  words?: ArgWord[];
  /** Specifiers in the value (`%H`): what they stand for is the node's. */
  unresolved?: string[];
}

/** strcmp order: code units, not locale. */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A unit's files in the order systemd applies them: the unit file, then its drop-ins. */
function unitFiles(files: ReadonlyMap<string, VirtualFile>, unit: string): VirtualFile[] {
  const main = UNIT_DIRS.map((dir) => files.get(`${dir}/${unit}`)).find((f) => f !== undefined);
  // One pass over the node's files; for the same drop-in name, an earlier directory takes precedence.
  const dropIns = new Map<string, { file: VirtualFile; rank: number }>();
  for (const file of files.values()) {
    const m = DROP_IN.exec(file.path);
    if (!m || m[1] !== unit) continue;
    const rank = UNIT_DIRS.findIndex((dir) => file.path.startsWith(`${dir}/`));
    const seen = dropIns.get(m[2]);
    if (!seen || rank < seen.rank) dropIns.set(m[2], { file, rank });
  }
  const ordered = [...dropIns.keys()].sort(byteOrder).map((name) => dropIns.get(name)!.file);
  return main ? [main, ...ordered] : ordered;
}

/** Where the kubelet's own arguments start in an ExecStart's words, or -1 when it does not run a kubelet. */
function kubeletArgsStart(programs: readonly string[]): number {
  const base = (w: string): string => w.slice(w.lastIndexOf("/") + 1);
  for (let i = 0; i < programs.length; i++) {
    const name = base(programs[i]);
    if (name === "kubelet" || name === "kubelet-wrapper") return i + 1;
    if (name === "hyperkube" && programs[i + 1] === "kubelet") return i + 2;
    // Only the program itself, or the command a container runner starts, can be the kubelet.
    if (i === 0 && !/^(docker|podman|nerdctl|ctr|rkt|systemd-nspawn|env|nice|ionice|chrt|taskset|numactl|sudo)$/.test(name)) return -1;
  }
  return -1;
}

export interface KubeletUnit {
  unit: string;
  execStart: CommandLineSource[];
  /** The EnvironmentFile= paths the unit reads. */
  environmentFiles: string[];
  unverifiable: Unverifiable[];
  /** What the user wrote that systemd drops, and why. */
  dropped: Dropped[];
}

/** The unit that runs the kubelet, and its exec line as sources (the ExecStart text, then each variable it expands). */
export function readKubeletUnit(files: ReadonlyMap<string, VirtualFile>, originOf: (file: VirtualFile) => Origin): KubeletUnit | undefined {
  const units = new Set<string>();
  for (const path of files.keys()) {
    const m = UNIT.exec(path) ?? DROP_IN.exec(path);
    if (m) units.add(m[1]);
  }
  for (const unit of [...units].sort(byteOrder)) {
    const found = readUnit(files, unit, originOf);
    if (found) return found;
  }
  return undefined;
}

interface ParsedUnit {
  execStart?: ExecCommand;
  /** Unit files or drop-ins whose text is not visible: any of them may set ExecStart= or Environment=. */
  hiddenFiles: string[];
  environment: Map<string, Variable>;
  environmentFiles: { path: string; optional: boolean }[];
  unverifiable: Unverifiable[];
  dropped: Dropped[];
}

interface Dropped {
  location: Location;
  text: string;
  reason: string;
}

/** One command of an ExecStart= line: its words after systemd's unquoting, the prefixes taken off the first. */
interface ExecCommand {
  /** Each word after unquoting and specifiers, with the specifiers only the node knows. */
  words: { text: string; unresolved: string[] }[];
  /** `@`: the second word is argv[0], not an argument. */
  argv0: boolean;
  location: Location;
  origin: Origin;
}

const SPECIFIER_RULE = "a % before a letter or digit that names none; %% is a %";

/** An ExecStart= command as systemd splits it: the words after unquoting and specifiers (undefined: one it cannot resolve). */
interface SplitCommand {
  argv0: boolean;
  words: ({ text: string; unresolved: string[] } | undefined)[];
}

/** A `Key=value` line of a unit's [Service] section; an ExecStart= or Environment= value split into words as systemd splits it. */
interface ServiceLine {
  key: string;
  value: string;
  /** The line it starts on. */
  line: number;
  /** ExecStart= with a value: its commands; undefined when a quote is not closed. */
  commands?: SplitCommand[];
  /** Environment=: its words, and whether a syntax error ended them early. */
  environmentWords?: { words: string[]; error: boolean };
}

/** Recent unit texts read: an image's units are the same text on every node. */
const recentUnits = new RecentTexts<readonly ServiceLine[]>(16, 16 * 1024);

/** The [Service] lines of a unit file's text, values split: a function of the text alone, so shared by every node with that text. */
function serviceLines(text: string): readonly ServiceLine[] {
  return recentUnits.get(text, "", (own) => {
    const lines: ServiceLine[] = [];
    let section = "";
    for (const { text: line, line: startLine } of unitLines(own)) {
      if (line === "") continue;
      const header = /^\[(.+)\]$/.exec(line);
      if (header) {
        section = header[1];
        continue;
      }
      if (section !== "Service") continue;
      const eq = line.indexOf("=");
      if (eq === -1) continue;
      const entry: ServiceLine = { key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: startLine };
      if (entry.key === "ExecStart" && entry.value !== "")
        // The prefixes come off the first word once; `@` among them makes the second word argv[0].
        entry.commands = execCommands(entry.value)?.map((words) => {
          const prefixes = /^[-@+!:|]*/.exec(words[0])![0];
          return { argv0: prefixes.includes("@"), words: [words[0].slice(prefixes.length), ...words.slice(1)].map(resolveSpecifiers) };
        });
      else if (entry.key === "Environment") entry.environmentWords = systemdWords(entry.value, "environment");
      lines.push(entry);
    }
    return lines;
  });
}

/** A unit's [Service] settings after its drop-ins: the last ExecStart, Environment= and EnvironmentFile= lines. */
function parseUnit(files: ReadonlyMap<string, VirtualFile>, unit: string, originOf: (file: VirtualFile) => Origin): ParsedUnit {
  const unverifiable: Unverifiable[] = [];
  const dropped: Dropped[] = [];
  const environment = new Map<string, Variable>();
  const environmentFiles: { path: string; optional: boolean }[] = [];
  const hiddenFiles: string[] = [];
  const execStarts: ExecCommand[] = [];
  let type = "";
  for (const file of unitFiles(files, unit)) {
    const text = fileText(file.state);
    if (text === undefined) {
      unverifiable.push({ location: file.location, reason: `the unit file ${file.path} ${file.state.hidden?.reason ?? "is not visible"}` });
      hiddenFiles.push(file.path);
      continue;
    }
    const origin = originOf(file);
    for (const { key, value, line: startLine, commands, environmentWords } of serviceLines(text)) {
      const location = locateLine(file.state, startLine, file.path) ?? { source: file.path, file: file.path };
      if (key === "ExecStart") {
        // An empty value clears the commands given before it.
        if (value === "") execStarts.length = 0;
        else {
          if (!commands)
            unverifiable.push({
              location,
              reason: `systemd cannot split this ExecStart= into words (a quote is not closed), so it does not load ${unit} and the kubelet does not start`,
            });
          else if (commands.some((command) => command.words.includes(undefined)))
            unverifiable.push({
              location,
              reason: `systemd cannot resolve a specifier in this ExecStart= (${SPECIFIER_RULE}), so it does not load ${unit} and the kubelet does not start`,
            });
          else for (const command of commands) execStarts.push({ words: command.words as ExecCommand["words"], argv0: command.argv0, location, origin });
        }
      } else if (key === "Type") type = value;
      else if (key === "Environment") {
        // config_parse_environ: each word must be NAME=value; a syntax error drops the rest of the line.
        const { words: assignments, error } = environmentWords!;
        if (error)
          dropped.push({
            location,
            text: value,
            reason: `systemd cannot split this Environment= line into words (an unbalanced quote or an escape it does not know), so it ignores that word and the rest of the line: ${value}`,
          });
        for (const assignment of assignments) {
          const resolved = resolveSpecifiers(assignment);
          const eq = resolved ? resolved.text.indexOf("=") : -1;
          if (!resolved)
            dropped.push({
              location,
              text: assignment,
              reason: `systemd cannot resolve a specifier in ${JSON.stringify(assignment)} (${SPECIFIER_RULE}), so it ignores that assignment`,
            });
          else if (eq > 0 && isVariableName(resolved.text.slice(0, eq)))
            environment.set(resolved.text.slice(0, eq), {
              value: resolved.text.slice(eq + 1),
              location,
              origin,
              unresolved: resolved.unresolved.length ? resolved.unresolved : undefined,
            });
          else
            dropped.push({
              location,
              text: assignment,
              reason: `systemd ignores ${JSON.stringify(assignment)} in Environment=, which is not NAME=value with a valid variable name`,
            });
        }
      } else if (key === "EnvironmentFile") {
        if (value === "") environmentFiles.length = 0;
        else environmentFiles.push({ path: value.replace(/^-/, ""), optional: value.startsWith("-") });
      }
    }
  }
  const execStart = execStarts[execStarts.length - 1];
  if (execStarts.length > 1 && type !== "oneshot") {
    // systemd.service(5): unless Type=oneshot, exactly one command; the unit does not load (service_verify).
    unverifiable.push({
      location: execStart.location,
      reason: `${unit} has ${execStarts.length} ExecStart= commands and is not Type=oneshot, so systemd refuses to load it and the kubelet does not start; the flags shown are those of the last one, which runs once an empty ExecStart= line before it clears the others`,
    });
  }
  return { execStart, environment, environmentFiles, unverifiable, dropped, hiddenFiles };
}

/**
 * A unit file's logical lines as systemd reads them (src/shared/conf-parser.c config_parse): a line whose first
 * non-blank character is `#` or `;` is dropped, even between continued lines; a line ending in an unescaped
 * backslash goes on with the next line, the backslash becoming a space (`\\` at the end is not a continuation).
 */
function unitLines(text: string): { text: string; line: number }[] {
  const logical: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  const raw = text.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i].endsWith("\r") ? raw[i].slice(0, -1) : raw[i];
    if (/^\s*[#;]/.test(line)) continue;
    const joined = { text: (pending?.text ?? "") + line, line: pending?.line ?? i + 1 };
    // Counted on this line alone: a continued line's text ends in the blank that replaced its backslash.
    let backslashes = 0;
    while (backslashes < line.length && line.charCodeAt(line.length - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 1) {
      pending = { text: `${joined.text.slice(0, -1)} `, line: joined.line };
      continue;
    }
    pending = undefined;
    logical.push({ text: joined.text.trim(), line: joined.line });
  }
  if (pending) logical.push({ text: pending.text.trim(), line: pending.line });
  return logical;
}

/**
 * The program a unit runs and its arguments (ExecStart's words, variables left as written), for units
 * user data starts at boot (`systemctl start`, `enable --now`): a oneshot that runs a script, say.
 */
export function unitCommand(files: ReadonlyMap<string, VirtualFile>, name: string): { words: string[]; location: Location } | undefined {
  const unit = name.includes(".") ? name : `${name}.service`;
  const { execStart } = parseUnit(files, unit, () => "user");
  if (!execStart) return undefined;
  const words = argv(execStart).map((w) => w.text);
  return words.length ? { words, location: execStart.location } : undefined;
}

/** Why systemd drops a line of an environment file (`export NAME=…`, say): no shell syntax there. */
export const ignoredAssignment = (path: string, name: string): string =>
  `systemd reads ${path} without shell syntax, so ${JSON.stringify(name)} is not a variable name and it ignores the line: nothing in it reaches the kubelet`;

/** Words of a variable's value, those with a specifier only the node knows marked as such. */
function withSpecifiers(words: ArgWord[], specifiers: readonly string[] | undefined): ArgWord[] {
  if (!specifiers) return words;
  return words.map((w) => {
    const found = specifiers.filter((s) => w.text.includes(s));
    return found.length ? { ...w, unresolved: [...(w.unresolved ?? []), ...found] } : w;
  });
}

/** The program and its arguments: with `@`, the second word is argv[0] (systemd.service(5)), not an argument. */
const argv = (command: ExecCommand): ExecCommand["words"] => (command.argv0 ? command.words.filter((_, i) => i !== 1) : command.words);

/**
 * replace_env, for a word of the exec line that is not a `$VAR` of its own: `${NAME}` is the variable's
 * value as it is, nothing when it is unset (unknown when an environment file is not visible); `$$` is `$`.
 */
function replaceVariables(word: string, lookup: (name: string) => Variable | undefined, hidden: readonly string[]): { text: string; unresolved: string[] } {
  if (!word.includes("$")) return { text: word, unresolved: [] };
  let text = "";
  const unresolved: string[] = [];
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c !== "$" || i + 1 >= word.length) {
      text += c;
    } else if (word[i + 1] === "$") {
      text += "$";
      i++;
    } else if (word[i + 1] === "{" && word.indexOf("}", i + 2) !== -1) {
      const close = word.indexOf("}", i + 2);
      const raw = word.slice(i, close + 1);
      const variable = lookup(word.slice(i + 2, close));
      if (variable) {
        text += variable.value;
        unresolved.push(...(variable.unresolved ?? []));
      } else if (hidden.length) {
        text += raw;
        unresolved.push(...hidden);
      }
      i = close;
    } else {
      text += c;
    }
  }
  return { text, unresolved };
}

function readUnit(files: ReadonlyMap<string, VirtualFile>, unit: string, originOf: (file: VirtualFile) => Origin): KubeletUnit | undefined {
  const { execStart, environment, environmentFiles, unverifiable, dropped, hiddenFiles } = parseUnit(files, unit, originOf);
  if (!execStart) return undefined;
  // Environment files that are not visible may set any variable the exec line reads.
  const hiddenEnvironment: string[] = [];
  // Read when the unit starts: EnvironmentFile= values override Environment= (systemd.exec(5)).
  const variables = new Map(environment);
  for (const { path } of environmentFiles) {
    const file = files.get(path);
    if (!file) continue;
    if (file.variables) {
      for (const [name, v] of Object.entries(file.variables))
        variables.set(name, { value: v.words.map((w) => w.text).join(" "), location: v.location, origin: originOf(file), words: v.words });
      continue;
    }
    if (fileText(file.state) === undefined) {
      unverifiable.push({
        location: file.location,
        reason: hiddenFileMessage(path, file.state, "none of the kubelet flags in it can be checked"),
      });
      hiddenEnvironment.push(path);
      continue;
    }
    for (const v of readEnvironmentFile(file.state, path)) {
      if (v.valid) variables.set(v.name, { value: v.value, location: v.location, origin: originOf(file) });
      else dropped.push({ location: v.location, text: v.name, reason: ignoredAssignment(path, v.name) });
    }
  }
  const lookup = (name: string): Variable | undefined => variables.get(name);
  const words = argv(execStart);
  const replaced = words.map((w) => replaceVariables(w.text, lookup, hiddenEnvironment));
  const start = kubeletArgsStart(replaced.map((r) => r.text));
  if (start === -1) return undefined;
  const sources: CommandLineSource[] = [];
  const push = (location: Location, origin: Origin, list: ArgWord[]): void => {
    const last = sources[sources.length - 1];
    if (last && last.location === location) last.words.push(...list);
    else sources.push({ location, origin, words: list });
  };
  for (let k = start; k < words.length; k++) {
    const { text: word, unresolved: specifiers } = words[k];
    // replace_env_argv: `$NAME` as a whole word (after unquoting) is the value split at blanks, quotes removed.
    if (word[0] === "$" && word[1] !== "{" && word[1] !== "$") {
      const variable = variables.get(word.slice(1));
      if (variable)
        push(variable.location, variable.origin, withSpecifiers(variable.words ?? variableWords(variable.value, variable.location.line), variable.unresolved));
      // Unset, it is no argument at all; unless a file that is not visible may set it.
      else if (hiddenEnvironment.length)
        push(execStart.location, execStart.origin, [{ text: word, line: execStart.location.line, unresolved: hiddenEnvironment }]);
      continue;
    }
    const whole = /^\$\{([^}]*)\}$/.exec(word);
    const variable = whole ? variables.get(whole[1]) : undefined;
    if (variable) {
      push(variable.location, variable.origin, [{ text: variable.value, line: variable.location.line, unresolved: variable.unresolved }]);
      continue;
    }
    const unresolved = [...specifiers, ...replaced[k].unresolved];
    push(execStart.location, execStart.origin, [
      { text: replaced[k].text, line: execStart.location.line, unresolved: unresolved.length ? unresolved : undefined },
    ]);
  }
  // A unit file or drop-in that is not visible may replace ExecStart= or add to it: nothing of the line is certain.
  if (hiddenFiles.length)
    push(execStart.location, execStart.origin, [{ text: `the ExecStart= of ${unit}`, line: execStart.location.line, unresolved: hiddenFiles }]);
  return { unit, execStart: sources, environmentFiles: environmentFiles.map((f) => f.path), unverifiable, dropped };
}
