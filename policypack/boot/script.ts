/**
 * Reads shell scripts the way they will run on the node, far enough to know
 * what they do to the kubelet: variables and exports, bootstrap.sh calls,
 * kubelet invocations, files written by heredocs, echo, printf and tee,
 * jq and sed edits, chmod/chown, mv/cp, and scripts that run other scripts
 * or fetch them at boot.
 */
import type { ArgWord } from "../kubelet/cmdline";
import {
  expandHereDoc,
  expandWord,
  expandWordInto,
  isName,
  isNameChar,
  isNameStart,
  plainText,
  simpleCommands,
  splitShellWords,
  tokenize,
  type Environment,
  type TokenizeResult,
  type ExpandedWord,
  type SimpleCommand,
  type Word,
} from "../kubelet/shell";
import { AL2_BOOTSTRAP } from "./images";
import { unitCommand } from "./systemd";
import { markUnresolved } from "../kubelet/config";
import { RecentTexts } from "../userdata/recent";
import type { NodeBuilder } from "./node-builder";
import {
  at,
  cloneState,
  fileText,
  parseJqFilter,
  parseSedSubstitution,
  SED_MAX_LINE,
  SED_MAX_TEXT,
  substituteLines,
  type FileState,
  originAtLine,
  type TextOrigin,
} from "./files";

/** What a command writes to stdout, as far as it is known. */
type Output = { kind: "text"; text: string; origin: TextOrigin } | { kind: "state"; state: FileState } | { kind: "fetched"; what: string; url?: string };

/**
 * The NAME of a `NAME=value` word (bash(1), PARAMETERS: a letter or underscore, then letters, digits and
 * underscores); undefined for any other word. Asked of nearly every command's first word, so scanned by hand.
 */
export function assignmentName(text: string): string | undefined {
  if (!isNameStart(text.charCodeAt(0))) return undefined;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) return text.slice(0, i);
    if (!isNameChar(c)) return undefined;
  }
  return undefined;
}
const NO_ASSIGNMENTS: ReadonlyMap<string, string> = new Map();
/** Redirections that write the command's output to a file. */
const WRITES_STDOUT: ReadonlySet<string> = new Set([">", ">>", ">|", "&>"]);
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh"]);
/**
 * Commands that run another command (sudo(8), env(1), nice(1), nohup(1), bash's exec, command and time), and
 * how each reads its options: up to the first word that is not one, which is the command.
 */
const PREFIX_OPTIONS: Record<string, OptionSpec> = {
  sudo: {
    takesValue: "ugCDhprtTU",
    stopAtOperand: true,
    long: {
      user: required("u"),
      group: required("g"),
      "close-from": required("C"),
      chdir: required("D"),
      host: required("h"),
      prompt: required("p"),
      role: required("r"),
      type: required("t"),
      "other-user": required("U"),
      "command-timeout": required("T"),
    },
  },
  env: { takesValue: "uCS", stopAtOperand: true, long: { unset: required("u"), chdir: required("C"), "split-string": required("S") } },
  nice: { takesValue: "n", stopAtOperand: true, long: { adjustment: required("n") } },
  exec: { takesValue: "a", stopAtOperand: true },
  nohup: { takesValue: "", stopAtOperand: true },
  command: { takesValue: "", stopAtOperand: true },
  time: { takesValue: "", stopAtOperand: true },
};
const PREFIX_COMMANDS: ReadonlySet<string> = new Set(Object.keys(PREFIX_OPTIONS));

/** The last path segment; scanned from the end by hand, as lastIndexOf is a slow call for the short words it mostly gets. */
const basename = (path: string): string => {
  for (let i = path.length - 1; i >= 0; i--) if (path.charCodeAt(i) === 0x2f) return path.slice(i + 1);
  return path;
};

/**
 * A variable set by a command that may not run (in an `if` body, after `&&`)
 * may keep its old value or none: unless it already had this value, it becomes
 * ambiguous and reads as unresolved, rather than as a guess.
 */
function setVariable(builder: NodeBuilder, name: string, value: string, line: number | undefined, conditional = false): void {
  if (conditional && builder.vars.get(name) !== value) builder.ambiguousVars.add(name);
  else if (!conditional) builder.ambiguousVars.delete(name);
  builder.vars.set(name, value);
  builder.varLines.set(name, line);
  // bash(1) `set -a`: each variable assigned from then on is exported.
  if (builder.exportAll) builder.exported.add(name);
}

/**
 * The value of a `NAME=value` word: what a command computes at boot (`$(ip …)`) stays one unresolved mark,
 * never its source text, which would read as words (`--json`) wherever the variable is used.
 */
function assignedValue(word: ExpandedWord, name: string): string {
  return markUnresolved(word.text.slice(name.length + 1), word.unresolved);
}

export function runScript(builder: NodeBuilder, text: string, origin: TextOrigin, depth = 0): void {
  if (depth > builder.limits.maxScriptDepth) {
    builder.addUnverifiable(
      at(origin),
      `scripts run other scripts more than ${builder.limits.maxScriptDepth} levels deep, over the pack's cap, so the inner ones were not read`,
    );
    return;
  }
  const { commands, error } = parseScript(text);
  if (error) builder.addUnverifiable(at(origin, error.line), `the script is not valid shell (${error.message}), so the rest of it was not read`);
  runCommands(builder, commands, new Map(), origin, depth);
}

/**
 * A script's commands. Parsing depends on the text alone, and node groups' user data often share a script
 * part, so recent parses are reused; commands and their words are never changed once parsed.
 */
const recentScripts = new RecentTexts<{ commands: readonly SimpleCommand[]; error?: TokenizeResult["error"] }>(8, 16 * 1024);

function parseScript(text: string): { commands: readonly SimpleCommand[]; error?: TokenizeResult["error"] } {
  return recentScripts.get(text, "", (own) => {
    const { tokens, error } = tokenize(own);
    return { commands: simpleCommands(tokens), error };
  });
}

/**
 * Runs commands in order; returns false when an `exit` that always runs ended the script. A function is
 * defined where its definition is read (bash(1): calling it earlier runs the command of that name), and
 * its body runs only where it is called, with the caller's certainty.
 */
function runCommands(
  builder: NodeBuilder,
  commands: readonly SimpleCommand[],
  functions: Map<string, SimpleCommand[]>,
  origin: TextOrigin,
  depth: number,
  calls = 0,
): boolean {
  let pipeInput: Output | undefined;
  let defining: number | undefined;
  for (const command of commands) {
    if (calls === 0 && command.inFunction !== undefined) {
      // A new definition replaces an earlier one of the same name.
      if (defining !== command.definition) functions.set(command.inFunction, []);
      defining = command.definition;
      functions.get(command.inFunction)!.push(command);
      continue;
    }
    defining = undefined;
    const first = command.words[0] ? plainText(command.words[0]) : undefined;
    // `exit` that always runs ends the script: nothing after it happens.
    if (first === "exit" && !command.conditional) return false;
    const body = first !== undefined ? functions.get(first) : undefined;
    if (body && calls < builder.limits.maxScriptDepth) {
      const asCalled = command.conditional ? body.map((c) => ({ ...c, conditional: true })) : body;
      // The call's words are the body's positional parameters, and the caller's come back after it (bash(1), FUNCTIONS).
      const words: ExpandedWord[] = [];
      for (const w of command.words.slice(1)) expandWordInto(w, builder.shellEnv, words);
      if (!withPositional(builder, parameterValues(words), () => runCommands(builder, asCalled, functions, origin, depth, calls + 1))) return false;
      continue;
    }
    const output = runCommand(builder, command, origin, depth, command.previous === "|" ? pipeInput : undefined);
    pipeInput = command.next === "|" ? output : undefined;
  }
  return true;
}

/** Expanded words as positional parameters: a part known only at boot is one unresolved mark. */
function parameterValues(words: readonly ExpandedWord[]): string[] {
  return words.map((w) => markUnresolved(w.text, w.unresolved));
}

/** Runs `run` with `list` as the positional parameters (undefined: the caller's), and the caller's after it. */
function withPositional<T>(builder: NodeBuilder, list: readonly string[] | undefined, run: () => T): T {
  if (list === undefined) return run();
  const caller = builder.positional;
  builder.positional = list;
  try {
    return run();
  } finally {
    builder.positional = caller;
  }
}

/** Commands whose effect the reader models; any other command without redirections is skipped unread. */
const MODELLED = new Set([
  "export",
  "set",
  "shift",
  "declare",
  "readonly",
  "local",
  "typeset",
  "bootstrap.sh",
  "kubelet",
  "kubeadm",
  "cat",
  "echo",
  "printf",
  "tee",
  "jq",
  "sed",
  "chmod",
  "chown",
  "mv",
  "cp",
  "install",
  "mkdir",
  "systemctl",
  "k3s",
  "rke2",
  "curl",
  "wget",
  "aws",
  "source",
  ".",
  "eval",
  ...SHELLS,
  ...PREFIX_COMMANDS,
]);

function mayMatter(command: SimpleCommand): boolean {
  if (command.redirects.length || command.next === "|") return true;
  const first = command.words[0];
  const name = first ? plainText(first) : undefined;
  // Words with expansions, assignments and scripts by path are read in full.
  return name === undefined || MODELLED.has(name) || name.includes("=") || name.endsWith(".sh") || MODELLED.has(basename(name));
}

function runCommand(builder: NodeBuilder, command: SimpleCommand, origin: TextOrigin, depth: number, stdin: Output | undefined): Output | undefined {
  if (!mayMatter(command)) return undefined;
  const env = builder.shellEnv;
  const words: ExpandedWord[] = [];
  for (const w of command.words) expandWordInto(w, env, words);
  const location = at(origin, command.line);
  // NAME=value words before the command: made on first use, most commands have none.
  let temporary: Map<string, string> | undefined;
  let assigned: string | undefined;
  while (words.length && (assigned = assignmentName(words[0].text)) !== undefined) {
    (temporary ??= new Map()).set(assigned, assignedValue(words[0], assigned));
    words.shift();
  }
  if (!words.length) {
    for (const [name, value] of temporary ?? []) setVariable(builder, name, value, location.line, command.conditional);
    return undefined;
  }
  while (words.length > 1 && PREFIX_COMMANDS.has(basename(words[0].text))) {
    const prefix = basename(words.shift()!.text);
    const { options, operands } = getopt(words, PREFIX_OPTIONS[prefix]);
    // env -S STRING: the string, split on blanks, comes before the rest. Quotes and escapes in it are not
    // modelled: such a string stays one unresolved word, a command the pack does not know.
    const split = prefix === "env" ? lastValue(options, "S") : undefined;
    const line = command.line;
    const splitWords: ExpandedWord[] =
      split === undefined
        ? []
        : /['"\\$]/.test(split)
          ? [{ text: split, line, unresolved: [split] }]
          : split
              .split(/\s+/)
              .filter(Boolean)
              .map((text) => ({ text, line, unresolved: [] }));
    words.splice(0, words.length, ...splitWords, ...operands);
    // sudo and env take NAME=value words before the command as its environment.
    while (words.length > 1 && (assigned = assignmentName(words[0].text)) !== undefined) {
      (temporary ??= new Map()).set(assigned, assignedValue(words[0], assigned));
      words.shift();
    }
  }
  if (!words.length) return undefined;
  // The command word comes off the list in place: what is left are its arguments.
  const program = words.shift()!.text;
  const name = basename(program);
  const args = words;
  let output: Output | undefined;
  switch (name) {
    case "export":
    case "declare":
    case "readonly":
    case "local":
    case "typeset": {
      // A child process (bootstrap.sh) sees only exported variables: `export`, `declare -x`; `export -n` and
      // `declare +x` take the attribute away.
      const unexporting = args.some((a) => (name === "export" ? /^-[a-zA-Z]*n/ : /^\+[a-zA-Z]*x/).test(a.text));
      const exporting = !unexporting && (name === "export" || args.some((a) => /^-[a-zA-Z]*x/.test(a.text)));
      for (const arg of args) {
        const assigned = assignmentName(arg.text);
        if (assigned !== undefined) setVariable(builder, assigned, assignedValue(arg, assigned), at(origin, arg.line).line, command.conditional);
        const named = assigned ?? (isName(arg.text) ? arg.text : undefined);
        if (named && exporting) builder.exported.add(named);
        else if (named && unexporting) builder.exported.delete(named);
      }
      break;
    }
    case "set":
      // `set -a` / `-o allexport` turn exporting on; `set +a` / `+o allexport` turn it off.
      args.forEach((a, i) => {
        const option = /^([-+])[a-zA-Z]*a/.exec(a.text) ?? (/^[-+]o$/.test(a.text) && args[i + 1]?.text === "allexport" ? [a.text, a.text[0]] : null);
        if (option) builder.exportAll = option[1] === "-";
      });
      setPositional(builder, command, args);
      break;
    case "shift": {
      // `shift [n]` drops the first n; past $# it fails and changes nothing (bash(1), shift).
      const n = args.length ? Number(args[0].text) : 1;
      const list = builder.positional;
      if (!list) break;
      // A count the pack cannot read (`shift $n`) leaves them unknown.
      if (!Number.isInteger(n) || n < 0) builder.positional = undefined;
      else if (n <= list.length) builder.positional = command.conditional ? undefined : list.slice(n);
      break;
    }
    case "bootstrap.sh":
      callBootstrap(builder, program, args, temporary ?? NO_ASSIGNMENTS, location, origin, depth);
      break;
    case "kubelet":
      builder.recordKubelet(location, argWords(args, origin));
      break;
    case "kubeadm":
      builder.recordKubeadm(
        location,
        args.map((a) => a.text),
      );
      break;
    case "cat":
      output = args.length ? readFiles(builder, args) : standardInput(command, env, origin, stdin);
      break;
    case "echo":
      output = echo(builder, args, origin, command, depth);
      break;
    case "printf":
      output = printf(args, origin, command);
      break;
    case "tee": {
      const input = standardInput(command, env, origin, stdin);
      const append = args.some((a) => a.text === "-a" || a.text === "--append");
      for (const target of args.filter((a) => !a.text.startsWith("-"))) writeOutput(builder, target.text, input, location, append);
      output = input;
      break;
    }
    case "jq":
      output = jq(builder, args, location, standardInput(command, env, origin, stdin));
      break;
    case "sed":
      sed(builder, args, location);
      break;
    case "chmod":
      chmod(builder, args, location);
      break;
    case "chown":
      chown(builder, args, location);
      break;
    case "mv":
    case "cp":
    case "install":
      copyFiles(builder, name, args, location);
      break;
    case "k3s":
    case "rke2":
      // `k3s server|agent …` (and rke2's): its --kubelet-arg values go to the kubelet it starts.
      builder.recordK3s(
        location,
        name,
        argWords(
          args.filter((a, i) => !(i === 0 && /^(server|agent)$/.test(a.text))),
          origin,
        ),
      );
      break;
    case "systemctl":
      startUnits(builder, args, location, depth);
      break;
    case "mkdir":
      for (const a of args) if (!a.text.startsWith("-")) builder.directories.add(a.text.replace(/\/+$/, ""));
      break;
    case "curl":
    case "wget": {
      const target = outputFileOfFetch(name, args);
      if (target) builder.hideFile(target, location, `is downloaded at boot by ${name}, so its content is not visible`);
      output = { kind: "fetched", what: name, url: args.find((a) => /^https?:\/\//.test(a.text))?.text };
      break;
    }
    case "aws": {
      const target = s3CopyTarget(args);
      if (target) builder.hideFile(target, location, "is downloaded at boot from S3, so its content is not visible");
      break;
    }
    case "source":
    case ".":
      // Words after the file are its positional parameters; without any it sees the caller's (bash(1), source).
      if (args[0]) runFile(builder, args[0].text, location, depth, args.length > 1 ? parameterValues(args.slice(1)) : undefined);
      break;
    case "eval":
      runScript(builder, args.map((a) => a.text).join(" "), { ...origin, firstLine: location.line ?? origin.firstLine, exact: false }, depth + 1);
      break;
    default:
      if (SHELLS.has(name)) runShell(builder, args, location, origin, depth, standardInput(command, env, origin, stdin), temporary ?? NO_ASSIGNMENTS);
      else if (/\.sh$/.test(name) && name !== "bootstrap.sh") runFile(builder, program, location, depth, parameterValues(args));
  }

  for (const redirect of command.redirects) {
    if (!redirect.target || !WRITES_STDOUT.has(redirect.op)) continue;
    const target = plainText(redirect.target) ?? expandWord(redirect.target, env)[0]?.text;
    // `2>`, `3>`…: what the command writes to that descriptor is not modelled.
    const written = redirect.fd === undefined || redirect.fd === 1 ? output : undefined;
    if (target && target !== "/dev/null") writeOutput(builder, target, written, location, redirect.op === ">>");
  }
  return output;
}

/**
 * `set -- ARGS` or `set ARGS`: the words after the options become the positional parameters (`--` alone unsets
 * them); `set` with options only leaves them (bash(1), set). A `set` that may not run leaves them unknown.
 */
function setPositional(builder: NodeBuilder, command: SimpleCommand, args: ExpandedWord[]): void {
  let k = 0;
  let endOfOptions: string | undefined;
  while (k < args.length) {
    const text = args[k].text;
    if (text === "--" || text === "-") {
      endOfOptions = text;
      k++;
      break;
    }
    if (!/^[-+]./.test(text)) break;
    // -o and +o take the next word as the option's name.
    k += text === "-o" || text === "+o" ? 2 : 1;
  }
  if (k >= args.length && endOfOptions !== "--") return;
  builder.positional = command.conditional ? undefined : parameterValues(args.slice(k));
}

/** What the command reads on standard input: its here-document, expanded, or the pipe's output. */
function standardInput(command: SimpleCommand, env: Environment, origin: TextOrigin, stdin: Output | undefined): Output | undefined {
  const heredoc = command.redirects.find((r) => r.heredoc)?.heredoc;
  if (!heredoc) return stdin;
  const { text, unresolved } = expandHereDoc(heredoc, env);
  return {
    kind: "text",
    text: markUnresolved(text, unresolved),
    origin: originAtLine(origin, heredoc.bodyLine),
  };
}

function argWords(list: ExpandedWord[], origin: TextOrigin): ArgWord[] {
  return list.map((w) => ({ text: w.text, line: at(origin, w.line).line, unresolved: w.unresolved.length ? w.unresolved : undefined }));
}

function readFiles(builder: NodeBuilder, args: ExpandedWord[]): Output | undefined {
  const files = args.filter((a) => !a.text.startsWith("-"));
  if (files.length !== 1) return undefined;
  const file = builder.files.get(files[0].text);
  return file ? { kind: "state", state: cloneState(file.state) } : undefined;
}

/** bash's echo reads a word of only `-n`, `-e` and `-E` letters as options (builtins/echo.def); asked of every echo's first word. */
function isEchoOption(text: string): boolean {
  if (text.length < 2 || text.charCodeAt(0) !== 0x2d) return false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c !== "n" && c !== "e" && c !== "E") return false;
  }
  return true;
}

function echo(builder: NodeBuilder, args: ExpandedWord[], origin: TextOrigin, command: SimpleCommand, depth: number): Output | undefined {
  let newline = true;
  let escapes = false;
  let k = 0;
  // The letters act in order, so a later E undoes an e (builtins/echo.def).
  for (; k < args.length && isEchoOption(args[k].text); k++) {
    for (const letter of args[k].text.slice(1)) {
      if (letter === "n") newline = false;
      else escapes = letter === "e";
    }
  }
  // `echo "$(jq '.x = v' f)" > f`: the substitution's output is what is written.
  const substitution = command.words.length === k + 2 ? singleSubstitution(command.words[k + 1]) : undefined;
  if (substitution) {
    const { commands, error } = parseScript(substitution);
    if (commands.length === 1 && !error) return runCommand(builder, commands[0], { ...origin, firstLine: command.line, exact: false }, depth + 1, undefined);
  }
  let raw = "";
  for (let i = k; i < args.length; i++) raw += (i > k ? " " : "") + markUnresolved(args[i].text, args[i].unresolved);
  const text = escapes ? unescapeC(raw) : raw;
  return {
    kind: "text",
    text: newline ? `${text}\n` : text,
    // -e can turn one line of script into several lines of text.
    origin: lineOfCommand(origin, command, escapes && newlines(text) !== newlines(raw)),
  };
}

function newlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

/**
 * The command of a word that is one command substitution and nothing else (empty quotes aside): `$(…)`, or
 * `` `…` ``, where a backslash keeps its meaning only before `$`, `` ` `` and `\` (bash(1), Command
 * Substitution). `$((…))` is arithmetic, not a command.
 */
function singleSubstitution(word: Word): string | undefined {
  let raw: string | undefined;
  for (const s of word.segments) {
    if (s.kind === "lit" && s.text === "") continue;
    if (s.kind !== "sub" || raw !== undefined) return undefined;
    raw = s.raw;
  }
  if (raw === undefined) return undefined;
  if (raw.startsWith("`") && raw.endsWith("`")) return raw.slice(1, -1).replace(/\\([$`\\])/g, "$1");
  return raw.startsWith("$(") && !raw.startsWith("$((") ? raw.slice(2, -1) : undefined;
}

function unescapeC(text: string): string {
  const map: Record<string, string> = { n: "\n", t: "\t", "\\": "\\" };
  return text.replace(/\\([nt\\])/g, (_, c: string) => map[c]);
}

function printf(args: ExpandedWord[], origin: TextOrigin, command: SimpleCommand): Output | undefined {
  if (!args.length) return undefined;
  const [format, ...values] = args.map((a) => markUnresolved(a.text, a.unresolved));
  let text: string;
  if (!values.length && !format.includes("%")) text = unescapeC(format);
  else if (/^%s(\\n)?$/.test(format)) text = values.map((v) => v + unescapeC(format.slice(2))).join("");
  else return undefined;
  return { kind: "text", text, origin: lineOfCommand(origin, command, true) };
}

/**
 * Where the text a command prints comes from: line for line from the script (a quoted string across
 * lines), or, when escapes or formats made its lines (`echo -e 'a\nb'`, printf), all from the command's line.
 */
function lineOfCommand(origin: TextOrigin, command: SimpleCommand, madeLines: boolean): TextOrigin {
  const shifted = originAtLine(origin, command.line);
  if (madeLines) shifted.exact = false;
  return shifted;
}

function writeOutput(builder: NodeBuilder, path: string, output: Output | undefined, location: ReturnType<typeof at>, append: boolean): void {
  if (!output) {
    builder.hideFile(path, location, "is written with content the pack cannot work out");
  } else if (output.kind === "fetched") {
    builder.hideFile(path, location, `is downloaded at boot by ${output.what}, so its content is not visible`);
  } else if (output.kind === "state") {
    builder.setFileState(path, cloneState(output.state), location);
  } else {
    builder.writeFile(path, output.text, output.origin, location, append);
  }
}

function jq(builder: NodeBuilder, args: ExpandedWord[], location: ReturnType<typeof at>, stdin: Output | undefined): Output | undefined {
  const jqArgs = new Map<string, unknown>();
  const positional: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const text = args[k].text;
    if ((text === "--arg" || text === "--argjson") && k + 2 < args.length) {
      const value = args[k + 2].text;
      if (text === "--arg") jqArgs.set(args[k + 1].text, value);
      else {
        try {
          jqArgs.set(args[k + 1].text, JSON.parse(value));
        } catch {
          return undefined;
        }
      }
      k += 2;
    } else if (!text.startsWith("-")) positional.push(text);
  }
  const [filter, file] = positional;
  if (filter === undefined) return undefined;
  const source = file ? (builder.files.get(file)?.state ?? builder.knownBaseState(file)) : stdin?.kind === "state" ? stdin.state : undefined;
  const edits = parseJqFilter(filter, jqArgs);
  if (!source || !edits) {
    if (file && builder.isKubeletFile(file))
      builder.addUnverifiable(location, `the jq filter on ${file} is not one the pack can apply, so the result is not visible`);
    return undefined;
  }
  const state = cloneState(source);
  for (const edit of edits) state.edits.push({ ...edit, location });
  return { kind: "state", state };
}

/**
 * cp, mv and install (coreutils): SOURCE DEST, SOURCE… DIRECTORY, or -t DIRECTORY SOURCE…; install sets
 * mode 755 unless -m/--mode says otherwise, takes -o/-g as owner and group, and with -d only makes directories.
 */
function copyFiles(builder: NodeBuilder, name: string, args: ExpandedWord[], location: ReturnType<typeof at>): void {
  const installing = name === "install";
  const { options, operands } = getopt(args, COPY_OPTIONS);
  const paths = operands.map((a) => a.text);
  let targetDirectory = lastValue(options, "t");
  const directories = installing && options.some((o) => o.key === "d");
  // install(1): mode 755 unless -m is given; cp and mv keep the source's mode.
  const mode = installing ? (lastValue(options, "m") ?? "755") : undefined;
  const modeText = installing ? (options.some((o) => o.key === "m") ? `install -m ${mode}` : "install (mode 755 unless -m is given)") : undefined;
  const user = installing ? lastValue(options, "o") : undefined;
  const group = installing ? lastValue(options, "g") : undefined;
  if (directories) {
    for (const path of paths) builder.directories.add(path.replace(/\/+$/, ""));
    return;
  }
  if (!targetDirectory && paths.length > 2) targetDirectory = paths.pop();
  if (!targetDirectory && paths.length === 2 && builder.isDirectory(paths[1])) targetDirectory = paths.pop();
  const pairs = targetDirectory
    ? paths.map((from) => [from, `${targetDirectory!.replace(/\/+$/, "")}/${basename(from)}`])
    : paths.length === 2
      ? [[paths[0], paths[1]]]
      : [];
  for (const [from, to] of pairs) {
    builder.copyFile(from, to, location, name === "mv");
    if (!builder.isKubeletFile(to)) continue;
    const value = mode !== undefined ? applyMode(mode, undefined) : undefined;
    if (value !== undefined) builder.setMode(to, { value, location, text: `${modeText} ${to}` });
    if (user !== undefined || group !== undefined) {
      const owner = `${user ?? "root"}:${group ?? "root"}`;
      builder.setOwner(to, {
        value: owner,
        location,
        text: `install${user !== undefined ? ` -o ${user}` : ""}${group !== undefined ? ` -g ${group}` : ""} ${to}`,
      });
    }
  }
}

/**
 * sed on the AL2 bootstrap.sh itself: a line added after its
 * `KUBELET_EXTRA_ARGS=` line (which follows its argument parsing) changes the
 * extra args it writes; other edits of the script cannot be worked out.
 */
function editBootstrapScript(builder: NodeBuilder, scripts: readonly string[], location: ReturnType<typeof at>): void {
  for (const script of scripts) {
    const added = /^\/\^?KUBELET_EXTRA_ARGS=\/\s*a\\?\s*(.+)$/s.exec(script)?.[1] ?? /^s\/\^?KUBELET_EXTRA_ARGS=\.\*\/&\\n(.+)\/g?$/s.exec(script)?.[1];
    const line = added?.trim();
    if (line && /^KUBELET_EXTRA_ARGS\+?=/.test(line)) builder.bootstrapEdits.push({ line, location });
    else builder.addUnverifiable(location, `sed edits ${AL2_BOOTSTRAP.path} in a way the pack cannot work out, so its effect on the kubelet is not known`);
  }
}

function sed(builder: NodeBuilder, args: ExpandedWord[], location: ReturnType<typeof at>): void {
  const { options, operands } = getopt(args, SED_OPTIONS);
  const inPlace = options.some((o) => o.key === "i");
  const extended = options.some((o) => o.key === "E" || o.key === "r");
  const given = options.filter((o) => o.key === "e").map((o) => o.value ?? "");
  // Without -e or -f, the first operand is the script; a script read from a file (-f) is not visible.
  const fromFile = options.some((o) => o.key === "f");
  const scripts = given.length || fromFile ? given : operands.slice(0, 1).map((a) => a.text);
  if (fromFile) scripts.push("");
  const files = (given.length || fromFile ? operands : operands.slice(1)).map((a) => a.text);
  if (!inPlace) return;
  for (const path of files) {
    if (path === AL2_BOOTSTRAP.path) {
      editBootstrapScript(builder, scripts, location);
      continue;
    }
    const file = builder.editableFile(path, location);
    const text = file ? fileText(file.state) : undefined;
    const substitutions = scripts.flatMap((s) => s.split(";")).map((s) => parseSedSubstitution(s.trim(), extended));
    const tooLong = text !== undefined && (text.length > SED_MAX_TEXT || text.split("\n").some((l) => l.length > SED_MAX_LINE));
    if (text === undefined || tooLong || substitutions.some((s) => !s) || !file?.state.chunks) {
      if (builder.isKubeletFile(path)) {
        builder.addUnverifiable(location, `sed edits ${path}, whose result the pack cannot work out`);
        // What the file holds afterwards is not known: nothing in it is read as if the edit had not happened.
        if (file) builder.hideFile(path, location, "is edited by sed in a way the pack cannot work out");
      }
      continue;
    }
    file.state.chunks = substituteLines(file.state.chunks, (line) => substitutions.reduce((t, s) => s!(t), line), location);
    file.location = location;
  }
}

function chmod(builder: NodeBuilder, args: ExpandedWord[], location: ReturnType<typeof at>): void {
  const operands = args.filter((a) => !/^-[RvcfH]+$/.test(a.text));
  const [mode, ...paths] = operands.map((a) => a.text);
  if (mode === undefined) return;
  for (const path of paths) {
    const current = builder.files.get(path)?.mode?.value;
    const value = applyMode(mode, current ?? (builder.files.has(path) ? 0o644 : undefined));
    if (value !== undefined) builder.setMode(path, { value, location, text: `chmod ${mode} ${path}` });
  }
}

/** Octal modes, and symbolic ones (`go-rwx`, `o+w`, `u=rw,go=`) when the current mode is known. */
export function applyMode(mode: string, current: number | undefined): number | undefined {
  if (/^0?[0-7]{3,4}$/.test(mode)) return parseInt(mode, 8) & 0o777;
  // chmod(1) symbolic modes: each clause sets (=), adds (+) or clears (-) bits; the result is known
  // only where every bit is, either from the current mode or from the clauses.
  let value = current ?? 0;
  let known = current === undefined ? 0 : 0o777;
  for (const clause of mode.split(",")) {
    const m = /^([ugoa]*)([-+=])([rwx]*)$/.exec(clause);
    if (!m) return undefined;
    const who = m[1] === "" || m[1].includes("a") ? "ugo" : m[1];
    let bits = 0;
    let mask = 0;
    for (const w of who) {
      const shift = w === "u" ? 6 : w === "g" ? 3 : 0;
      mask |= 7 << shift;
      for (const p of m[3]) bits |= (p === "r" ? 4 : p === "w" ? 2 : 1) << shift;
    }
    if (m[2] === "=") {
      value = (value & ~mask) | bits;
      known |= mask;
    } else {
      value = m[2] === "+" ? value | bits : value & ~bits;
      known |= bits;
    }
  }
  return known === 0o777 ? value : undefined;
}

/** `chown user[:group]`: root alone keeps root's group; another user alone leaves the group unknown. */
function chown(builder: NodeBuilder, args: ExpandedWord[], location: ReturnType<typeof at>): void {
  const operands = args.filter((a) => !a.text.startsWith("-"));
  const [owner, ...paths] = operands.map((a) => a.text);
  if (owner === undefined) return;
  const [user, group] = owner.split(/[:.]/);
  const value = group === undefined ? (user === "root" ? "root:root" : user) : `${user || "root"}:${group || user}`;
  for (const path of paths) builder.setOwner(path, { value, location, text: `chown ${owner} ${path}` });
}

/**
 * The file curl (-o, --output) or wget (-O, --output-document) writes; `-` is standard output, not a file.
 * curl gives the nth -o or -O to the nth URL, wherever each is written, so an output with no URL left is unused.
 */
function outputFileOfFetch(name: "curl" | "wget", args: ExpandedWord[]): string | undefined {
  const { options, operands } = getopt(args, FETCH_OPTIONS[name]);
  const outputs = name === "curl" ? options.filter((o) => o.key === "o" || o.key === "O").slice(0, operands.length) : options;
  const target = outputs.find((o) => o.key === (name === "curl" ? "o" : "O"))?.value;
  return target === "-" ? undefined : target;
}

/**
 * How a command reads its options (getopt_long): the short letters that take a value (attached, `-oFILE`, or
 * the next word, `-sSo FILE`), those whose value can only be attached (sed's `-i.bak`), and the long
 * options (`--long VALUE`, `--long=VALUE`) by the letter they stand for.
 */
interface OptionSpec {
  takesValue: string;
  /** Options end at the first operand (getopt's leading `+`): what follows is a command and its own words. */
  stopAtOperand?: boolean;
  /** curl reads `--output=FILE` as an unknown option (tool_getparam.c matches the whole word). */
  noLongEquals?: boolean;
  attachedValue?: string;
  /** Long options by the letter (or name) they stand for; a value is read from the next word only where one is required. */
  long?: Record<string, { key: string; required?: boolean }>;
}

/** A long option that takes the next word as its value. */
function required(key: string): { key: string; required: boolean } {
  return { key, required: true };
}

/**
 * getopt_long with GNU's argument permutation: options anywhere until `--`; a cluster is read letter by
 * letter until one takes a value (`curl -Ho` is the header "o", not an output file).
 */
function getopt(args: readonly ExpandedWord[], spec: OptionSpec): { options: { key: string; value?: string }[]; operands: ExpandedWord[] } {
  const options: { key: string; value?: string }[] = [];
  const operands: ExpandedWord[] = [];
  for (let k = 0; k < args.length; k++) {
    const text = args[k].text;
    if (text === "--") {
      operands.push(...args.slice(k + 1));
      break;
    }
    if (text.startsWith("--")) {
      const eq = spec.noLongEquals ? -1 : text.indexOf("=");
      const name = text.slice(2, eq === -1 ? undefined : eq);
      const key = spec.long?.[name]?.key ?? name;
      if (eq !== -1) options.push({ key, value: text.slice(eq + 1) });
      else options.push(spec.long?.[name]?.required ? { key, value: args[++k]?.text } : { key });
    } else if (text.length > 1 && text.startsWith("-")) {
      for (let i = 1; i < text.length; i++) {
        const letter = text[i];
        const attached = i + 1 < text.length ? text.slice(i + 1) : undefined;
        if (spec.takesValue.includes(letter)) options.push({ key: letter, value: attached ?? args[++k]?.text });
        else if (spec.attachedValue?.includes(letter)) options.push({ key: letter, value: attached });
        else {
          options.push({ key: letter });
          continue;
        }
        break;
      }
    } else if (spec.stopAtOperand) {
      operands.push(...args.slice(k));
      break;
    } else operands.push(args[k]);
  }
  return { options, operands };
}

/** The value of an option's last occurrence (the one a program keeps). */
function lastValue(options: readonly { key: string; value?: string }[], key: string): string | undefined {
  let value: string | undefined;
  for (const o of options) if (o.key === key) value = o.value;
  return value;
}

/** curl's short options that take a value (curl(1)), and wget's (wget(1); `-nv` is -n with "v"). */
const FETCH_OPTIONS: Record<string, OptionSpec> = {
  curl: { takesValue: "AbcCdDeEFHKmoPQrtTuUwxXyYz", noLongEquals: true, long: { output: required("o") } },
  wget: { takesValue: "OoaeiBtTwQPUlARDXIn", long: { "output-document": required("O") } },
};

/** coreutils cp, mv and install: the options that take a value. */
const COPY_OPTIONS: OptionSpec = {
  takesValue: "tSmog",
  long: {
    "target-directory": required("t"),
    suffix: required("S"),
    mode: required("m"),
    owner: required("o"),
    group: required("g"),
    directory: { key: "d" },
  },
};

/** GNU sed: -e SCRIPT, -f FILE, -l N, -i[SUFFIX], and their long forms. */
const SED_OPTIONS: OptionSpec = {
  takesValue: "efl",
  attachedValue: "i",
  long: {
    expression: required("e"),
    file: required("f"),
    "line-length": required("l"),
    "in-place": { key: "i" },
    "regexp-extended": { key: "E" },
  },
};

/** Options of `aws s3 cp` and the CLI's global options that take no value (awscli customizations/s3/subcommands.py, clidriver). */
const AWS_S3_SWITCHES = new Set([
  "--dryrun",
  "--quiet",
  "--only-show-errors",
  "--no-progress",
  "--recursive",
  "--follow-symlinks",
  "--no-follow-symlinks",
  "--no-guess-mime-type",
  "--force-glacier-transfer",
  "--ignore-glacier-warnings",
  "--debug",
  "--no-verify-ssl",
  "--no-paginate",
  "--no-sign-request",
  "--no-cli-pager",
]);

/** The local file `aws s3 cp s3://… DEST` writes: DEST, or DEST/<key's name> for a directory; not `-` (standard output). */
function s3CopyTarget(args: ExpandedWord[]): string | undefined {
  const positionals: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const text = args[k].text;
    if (text.startsWith("--")) {
      if (!text.includes("=") && !AWS_S3_SWITCHES.has(text)) k++;
    } else positionals.push(text);
  }
  const [service, command, source, dest] = positionals;
  if (service !== "s3" || command !== "cp" || !source?.startsWith("s3://") || dest === undefined || dest === "-") return undefined;
  return dest.endsWith("/") ? `${dest}${basename(source)}` : dest;
}

/**
 * `systemctl start|restart|enable --now UNIT…` starts units at that point of the boot: a unit the user data
 * wrote whose ExecStart runs a script the node has runs that script (a oneshot that writes kubelet files).
 */
function startUnits(builder: NodeBuilder, args: ExpandedWord[], location: ReturnType<typeof at>, depth: number): void {
  const words = args.map((a) => a.text);
  const verb = words.find((w) => !w.startsWith("-"));
  const starts = verb === "start" || verb === "restart" || (verb === "enable" && words.includes("--now"));
  if (!starts) return;
  for (const name of words.slice(words.indexOf(verb!) + 1).filter((w) => !w.startsWith("-"))) {
    const command = unitCommand(builder.files, name);
    if (!command) continue;
    const [program, ...rest] = command.words;
    const script = SHELLS.has(basename(program)) ? rest.find((w) => !w.startsWith("-")) : program;
    // The unit's words after the script are its arguments.
    if (script && builder.files.has(script)) runFile(builder, script, location, depth, command.words.slice(command.words.indexOf(script) + 1));
  }
}

/** Runs a script the node has, with `positional` as its arguments (undefined: `source` without any, the caller's). */
function runFile(builder: NodeBuilder, path: string, location: ReturnType<typeof at>, depth: number, positional: readonly string[] | undefined): void {
  const file = builder.files.get(path);
  const text = file ? fileText(file.state) : undefined;
  if (text !== undefined) {
    // A script written in one piece keeps its own lines (a write_files entry, a heredoc); otherwise the caller's line.
    const chunks = file!.state.chunks ?? [];
    const own = chunks.length === 1 && chunks[0].origin.exact && !chunks[0].origin.writer ? chunks[0].origin : undefined;
    withPositional(builder, positional, () =>
      runScript(builder, text, own ?? { source: location.source, firstLine: location.line ?? 1, exact: false }, depth + 1),
    );
  } else if (file?.state.hidden) {
    builder.addUnverifiable(location, `runs ${path}, which ${file.state.hidden.reason}`);
  }
}

/**
 * A `bootstrap.sh` run by path: a file user data wrote there itself is that script (a heredoc, `cp FILE
 * /etc/eks`); otherwise it is the platform's program, called with these words.
 */
function callBootstrap(
  builder: NodeBuilder,
  path: string,
  args: ExpandedWord[],
  temporary: ReadonlyMap<string, string>,
  location: ReturnType<typeof at>,
  origin: TextOrigin,
  depth: number,
): void {
  if (builder.files.has(path)) runFile(builder, path, location, depth, parameterValues(args));
  else recordBootstrapCall(builder, location, args, temporary, origin);
}

/** A call of the AL2 bootstrap.sh: its words, and KUBELET_EXTRA_ARGS as the child process sees it. */
function recordBootstrapCall(
  builder: NodeBuilder,
  location: ReturnType<typeof at>,
  args: ExpandedWord[],
  temporary: ReadonlyMap<string, string>,
  origin: TextOrigin,
): void {
  builder.recordBootstrap(
    location,
    argWords(args, origin),
    temporary.has("KUBELET_EXTRA_ARGS")
      ? { value: temporary.get("KUBELET_EXTRA_ARGS")!, line: location.line }
      : builder.vars.has("KUBELET_EXTRA_ARGS") && builder.exported.has("KUBELET_EXTRA_ARGS")
        ? {
            // a value that depends on which branch ran stays a reference, reported as not visible
            value: builder.shellEnv("KUBELET_EXTRA_ARGS") ?? "${KUBELET_EXTRA_ARGS}",
            line: builder.varLines.get("KUBELET_EXTRA_ARGS"),
          }
        : undefined,
  );
}

/** The k3s and RKE2 install scripts (get.k3s.io, get.rke2.io): known programs whose inputs are visible. */
const K3S_INSTALLERS = [
  { url: /^https?:\/\/get\.k3s\.io\/?$/, distro: "k3s", execVariable: "INSTALL_K3S_EXEC" },
  { url: /^https?:\/\/get\.rke2\.io\/?$/, distro: "rke2", execVariable: "INSTALL_RKE2_EXEC" },
];

function runShell(
  builder: NodeBuilder,
  args: ExpandedWord[],
  location: ReturnType<typeof at>,
  origin: TextOrigin,
  depth: number,
  stdin: Output | undefined,
  temporary: ReadonlyMap<string, string> = new Map(),
): void {
  const c = args.findIndex((a) => a.text === "-c");
  if (c !== -1 && args[c + 1]) {
    // `sh -c SCRIPT NAME ARGS`: NAME is $0, the words after it $1… (bash(1), -c).
    withPositional(builder, parameterValues(args.slice(c + 3)), () =>
      runScript(builder, args[c + 1].text, { ...origin, firstLine: location.line ?? origin.firstLine, exact: false }, depth + 1),
    );
    return;
  }
  // `sh -s [--|-] ARGS` reads the script from stdin; the words after the options are its arguments.
  const fromStdin = args.some((a) => a.text === "-s") || !args.some((a) => !a.text.startsWith("-"));
  if (!fromStdin) {
    const k = args.findIndex((a) => !a.text.startsWith("-"));
    // `bash /etc/eks/bootstrap.sh …` runs it with the words after it, in the environment `bash` was given.
    if (basename(args[k].text) === "bootstrap.sh") callBootstrap(builder, args[k].text, args.slice(k + 1), temporary, location, origin, depth);
    else runFile(builder, args[k].text, location, depth, parameterValues(args.slice(k + 1)));
    return;
  }
  // bash(1): options end at `-`, `--` or the first word that is not one; every word after is an argument.
  const end = args.findIndex((a) => a.text === "-" || a.text === "--" || !a.text.startsWith("-"));
  const scriptArgs = end === -1 ? [] : args.slice(args[end].text.startsWith("-") ? end + 1 : end);
  const installer = stdin?.kind === "fetched" ? K3S_INSTALLERS.find((i) => stdin.url !== undefined && i.url.test(stdin.url)) : undefined;
  if (installer) {
    // The well-known installer: its INSTALL_*_EXEC variable and its arguments decide the service's command line.
    const exported = builder.exported.has(installer.execVariable) ? builder.vars.get(installer.execVariable) : undefined;
    const exec = temporary.get(installer.execVariable) ?? exported;
    const words: ArgWord[] = [
      ...(exec !== undefined ? splitShellWords(exec).words.map((w) => ({ text: w.text, line: location.line })) : []),
      ...scriptArgs.map((a) => ({ text: a.text, line: location.line, unresolved: a.unresolved.length ? a.unresolved : undefined })),
    ];
    builder.recordK3s(
      location,
      installer.distro,
      words.filter((w) => !/^(server|agent)$/.test(w.text)),
    );
  } else if (stdin?.kind === "fetched")
    builder.addUnverifiable(location, `pipes a script downloaded at boot by ${stdin.what} into a shell, so what it does to the kubelet is not visible`);
  else if (stdin?.kind === "text") withPositional(builder, parameterValues(scriptArgs), () => runScript(builder, stdin.text, stdin.origin, depth + 1));
}
