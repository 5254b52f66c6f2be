/**
 * The kubelet's command line as spf13/pflag reads it: `--f=v`, `--f v` for
 * non-bool flags, bare bool flags, `_` read as `-`, `--` ending flags, and
 * the kubelet's refusal to start on stray arguments or malformed values.
 */
import { flagSpec, MODELLED_KUBELETS, normaliseFlagName, type SettingKind, type SettingValue } from "./settings";
import { parseGoBool, parseGoDuration, parseGoInt, type Parsed } from "./values";

export interface ArgWord {
  text: string;
  line?: number;
  /** Which of several joined sources (an ExecStart line, a variable) the word came from. */
  source?: number;
  /** Expansions in the word that could not be resolved. */
  unresolved?: string[];
}

export interface FlagAssignment {
  /** Normalised flag name; "*" for a word computed at boot that may hold any flags. */
  name: string;
  /** Parsed value; undefined when it depends on something unresolved or is malformed. */
  value?: SettingValue;
  /** The exact words that set it. */
  text: string;
  line?: number;
  source?: number;
  unresolved?: string[];
}

export interface CommandLineProblem {
  /** The flag the problem concerns, when there is one. */
  name?: string;
  text: string;
  line?: number;
  source?: number;
  /** "refuse": the kubelet would not start; "unresolved": the value is not visible; "note": something the user wrote has no effect. */
  kind: "refuse" | "unresolved" | "note";
  message: string;
}

export interface ParsedCommandLine {
  assignments: FlagAssignment[];
  problems: CommandLineProblem[];
}

export function parseValue(kind: SettingKind, raw: string): Parsed<SettingValue> {
  switch (kind) {
    case "bool":
      return parseGoBool(raw);
    case "int32":
    case "int64":
      return parseGoInt(raw, kind === "int32" ? 32 : 64);
    case "level":
      // klog Level.Set: strconv.ParseUint(value, 10, 32).
      return /^\d+$/.test(raw) && Number(raw) <= 0xffffffff
        ? { ok: true, value: Number(raw) }
        : { ok: false, error: `strconv.ParseUint: parsing ${JSON.stringify(raw)}: ${/^\d+$/.test(raw) ? "value out of range" : "invalid syntax"}` };
    case "duration": {
      const d = parseGoDuration(raw);
      return d.ok ? { ok: true, value: raw } : d;
    }
    case "stringList":
      return { ok: true, value: raw === "" ? [] : raw.split(",") };
    case "gateMap":
      return parseGates(raw);
    case "string":
      return { ok: true, value: raw };
  }
}

/** component-base cli/flag/map_string_bool.go MapStringBool.Set: `k=v` pairs split on `,` (empty pairs skipped), each trimmed and ParseBool'ed. */
function parseGates(raw: string): Parsed<Record<string, boolean>> {
  const gates: Record<string, boolean> = {};
  for (const pair of raw.split(",")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq === -1) return { ok: false, error: "malformed pair, expect string=bool" };
    const gate = pair.slice(0, eq).trim();
    const text = pair.slice(eq + 1).trim();
    const value = parseGoBool(text);
    if (!value.ok) return { ok: false, error: `invalid value of ${gate}: ${text}, err: ${value.error}` };
    gates[gate] = value.value;
  }
  return { ok: true, value: gates };
}

/**
 * spf13/pflag FlagSet.Parse over the kubelet's flag set (flag.go parseArgs,
 * parseLongArg, parseShortArg): flags and positional words may interleave;
 * the first parse error stops the kubelet; positional words stop it after
 * parsing ("unknown command", cmd/kubelet/app/server.go).
 */
export function parseKubeletArgs(words: readonly ArgWord[]): ParsedCommandLine {
  const assignments: FlagAssignment[] = [];
  const problems: CommandLineProblem[] = [];
  const strays: CommandLineProblem[] = [];
  let flagsEnded = false;
  for (let k = 0; k < words.length; k++) {
    const word = words[k];
    const { text } = word;
    if (word.unresolved?.length && !text.startsWith("-")) {
      // A word computed at boot may be any number of flags: every setting it could change becomes unknown.
      assignments.push({ name: "*", text, line: word.line, source: word.source, unresolved: word.unresolved });
      continue;
    }
    if (flagsEnded || !text.startsWith("-") || text === "-") {
      strays.push(strayArgument(word, assignments[assignments.length - 1], words[k - 1]));
      continue;
    }
    if (text === "--") {
      flagsEnded = true;
      continue;
    }
    if (!text.startsWith("--")) {
      k += readShorthand(words, k, assignments, problems);
      continue;
    }
    const eq = text.indexOf("=");
    const rawName = eq === -1 ? text.slice(2) : text.slice(2, eq);
    if (word.unresolved?.length && (eq === -1 || word.unresolved.some((u) => text.indexOf(u) < eq))) {
      assignments.push({ name: "*", text, line: word.line, source: word.source, unresolved: word.unresolved });
      continue;
    }
    if (rawName === "" || rawName.startsWith("-") || rawName.startsWith("=")) {
      problems.push({ text, line: word.line, source: word.source, kind: "refuse", message: `the kubelet would refuse to start: bad flag syntax: ${text}` });
      continue;
    }
    const name = normaliseFlagName(rawName);
    const spec = flagSpec(name);
    if (!spec) {
      problems.push({
        text,
        line: word.line,
        source: word.source,
        kind: "refuse",
        message: `the kubelet would refuse to start: unknown flag: --${rawName} (not a flag of kubelet ${MODELLED_KUBELETS.join(" or ")})`,
      });
      continue;
    }
    let rawValue: string;
    let valueWord: ArgWord = word;
    let flagText = text;
    if (eq !== -1) {
      rawValue = text.slice(eq + 1);
    } else if (spec.kind === "bool") {
      rawValue = "true";
    } else {
      const next = words[k + 1];
      if (!next) {
        problems.push({
          name,
          text,
          line: word.line,
          source: word.source,
          kind: "refuse",
          message: `the kubelet would refuse to start: flag needs an argument: ${text}`,
        });
        continue;
      }
      k++;
      rawValue = next.text;
      valueWord = next;
      flagText = `${text} ${next.text}`;
    }
    if (valueWord.unresolved?.length) {
      assignments.push({ name, text: flagText, line: word.line, source: word.source, unresolved: valueWord.unresolved });
      continue;
    }
    const parsed = parseValue(spec.kind, rawValue);
    if (!parsed.ok) {
      problems.push({
        name,
        text: flagText,
        line: word.line,
        source: word.source,
        kind: "refuse",
        message: `the kubelet would refuse to start: invalid argument ${JSON.stringify(rawValue)} for "--${name}" flag: ${parsed.error}`,
      });
      continue;
    }
    assignments.push({ name, value: parsed.value, text: flagText, line: word.line, source: word.source });
  }
  // Parse errors come first (pflag stops at the first); stray words are checked after parsing.
  return { assignments, problems: [...problems, ...strays] };
}

function strayArgument(word: ArgWord, previous: FlagAssignment | undefined, previousWord: ArgWord | undefined): CommandLineProblem {
  const afterBareBool =
    previous && previousWord && previous.text === previousWord.text && flagSpec(previous.name)?.kind === "bool" && !previous.text.includes("=");
  if (afterBareBool) {
    return {
      name: previous.name,
      text: `${previous.text} ${word.text}`,
      line: word.line,
      source: word.source,
      kind: "refuse",
      message: `the kubelet would refuse to start: ${previous.text} ${word.text} sets ${previous.text} to true and leaves ${JSON.stringify(word.text)} as a stray argument (unknown command ${JSON.stringify(word.text)}); write ${previous.text}=${word.text}`,
    };
  }
  return {
    text: word.text,
    line: word.line,
    source: word.source,
    kind: "refuse",
    message: `the kubelet would refuse to start: unknown command ${JSON.stringify(word.text)}`,
  };
}

/** pflag shorthands: the kubelet defines only -v (a klog level) and -h (bool). Returns how many extra words it used. */
function readShorthand(words: readonly ArgWord[], k: number, assignments: FlagAssignment[], problems: CommandLineProblem[]): number {
  const word = words[k];
  const letters = word.text.slice(1);
  for (let i = 0; i < letters.length; i++) {
    const letter = letters[i];
    if (letter === "h") {
      // parseSingleShortArg: "-h=false" gives the bool its value; a bare "-h" means true.
      if (letters[i + 1] !== "=") {
        assignments.push({ name: "help", value: true, text: word.text, line: word.line, source: word.source });
        continue;
      }
      const raw = letters.slice(i + 2);
      const parsed = parseValue("bool", raw);
      if (parsed.ok) assignments.push({ name: "help", value: parsed.value, text: word.text, line: word.line, source: word.source });
      else
        problems.push({
          name: "help",
          text: word.text,
          line: word.line,
          source: word.source,
          kind: "refuse",
          message: `the kubelet would refuse to start: invalid argument ${JSON.stringify(raw)} for "-h, --help" flag: ${parsed.error}`,
        });
      return 0;
    }
    if (letter === "v") {
      // parseSingleShortArg: "-v=3", "-v3", or the next word.
      const rest = letters.slice(i + 1);
      const next = words[k + 1];
      const raw = rest !== "" ? rest.replace(/^=/, "") : next?.text;
      if (raw !== undefined) {
        const parsed = parseValue("level", raw);
        const text = rest !== "" ? word.text : `${word.text} ${raw}`;
        if (parsed.ok) assignments.push({ name: "v", value: parsed.value, text, line: word.line, source: word.source });
        else
          problems.push({
            name: "v",
            text,
            line: word.line,
            source: word.source,
            kind: "refuse",
            message: `the kubelet would refuse to start: invalid argument ${JSON.stringify(raw)} for "-v, --v" flag: ${parsed.error}`,
          });
        return rest !== "" ? 0 : 1;
      }
      problems.push({
        name: "v",
        text: word.text,
        line: word.line,
        source: word.source,
        kind: "refuse",
        message: `the kubelet would refuse to start: flag needs an argument: 'v' in ${word.text}`,
      });
      return 0;
    }
    const longName = normaliseFlagName(letters.split("=")[0]);
    const hint = flagSpec(longName) ? `; write -${word.text}` : "";
    problems.push({
      name: flagSpec(longName) ? longName : undefined,
      text: word.text,
      line: word.line,
      source: word.source,
      kind: "refuse",
      message: `the kubelet would refuse to start: unknown shorthand flag ${JSON.stringify(letter)} in ${word.text} (pflag reads a single dash as shorthand flags)${hint}`,
    });
    return 0;
  }
  return 0;
}
