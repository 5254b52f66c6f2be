/**
 * The node's files as user data leaves them: content written in full (with
 * the user-data line of every file line), structured edits made by jq, sed
 * substitutions applied where their result is certain, modes and owners.
 */
import { isPlainObject, type PlainObject } from "../kubelet/config";
import type { ArgWord } from "../kubelet/cmdline";
import type { FileAttribute } from "../kubelet/node";
import type { Location, Origin } from "../kubelet/provenance";

/** Where a piece of text sits in the user data; `exact` is false for decoded (base64, gzip) text. */
export interface TextOrigin {
  source: string;
  firstLine: number;
  exact: boolean;
  /** Who wrote the text: the user data (default), or the image. */
  writer?: Origin;
  /** Written by a platform program from what the user passed it: locations name the user's line, not the program's file. */
  onBehalf?: boolean;
}

/** The origin of text that starts at `line` of the text `origin` describes (built field by field: spread over optional fields is slow). */
export function originAtLine(origin: TextOrigin, line: number): TextOrigin {
  const shifted: TextOrigin = { source: origin.source, firstLine: origin.exact ? origin.firstLine + line - 1 : origin.firstLine, exact: origin.exact };
  if (origin.writer !== undefined) shifted.writer = origin.writer;
  if (origin.onBehalf !== undefined) shifted.onBehalf = origin.onBehalf;
  return shifted;
}

/** firstLine 0: the text comes from a value with no line of its own (a resource property). */
export function at(origin: TextOrigin, localLine = 1): Location {
  if (origin.firstLine === 0) return { source: origin.source };
  return { source: origin.source, line: origin.exact ? origin.firstLine + localLine - 1 : origin.firstLine };
}

export interface Chunk {
  text: string;
  origin: TextOrigin;
}

export interface StructuredEdit {
  path: string[];
  /** undefined deletes the field. */
  value?: unknown;
  location: Location;
}

/** What a file holds: text the user data wrote, the image's own content, or something not visible. */
export interface FileState {
  chunks?: Chunk[];
  /** Total length of the chunks' text. */
  size?: number;
  /** Set when the content is not visible. */
  hidden?: { reason: string; location: Location };
  edits: StructuredEdit[];
}

export interface VirtualFile {
  path: string;
  state: FileState;
  /** Who wrote the content: the user data, or a platform program (bootstrap.sh) on its behalf. */
  writer?: Origin;
  /** An environment file a program writes from what the user gave it: each variable's words keep the user's lines. */
  variables?: Record<string, { words: ArgWord[]; location: Location }>;
  /** Last place the file was written or edited. */
  location: Location;
  mode?: FileAttribute<number>;
  owner?: FileAttribute<string>;
}

/** A file whose content is not visible, and what that leaves unchecked. */
export function hiddenFileMessage(path: string, state: FileState, unchecked: string): string {
  return `${path} ${state.hidden?.reason ?? "is not visible"}; ${unchecked}`;
}

export function fileText(state: FileState): string | undefined {
  return state.chunks && !state.hidden ? state.chunks.map((c) => c.text).join("") : undefined;
}

/** Lines before each chunk, kept per chunk list and extended as appends push chunks (appends never edit earlier chunks). */
const lineStarts = new WeakMap<Chunk[], number[]>();

function linesBefore(chunks: Chunk[]): number[] {
  let starts = lineStarts.get(chunks);
  if (!starts) lineStarts.set(chunks, (starts = [0]));
  for (let k = starts.length - 1; k < chunks.length; k++) {
    const text = chunks[k].text;
    let lines = 1;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
    starts.push(starts[k] + lines - (text.endsWith("\n") ? 1 : 0));
  }
  return starts;
}

/** Location of a 1-based line of the file's text, and who wrote that line; a binary search, so reading every line stays linear. */
export function locateLine(state: FileState, line: number, file: string): (Location & { origin: Origin }) | undefined {
  const chunks = state.chunks;
  if (!chunks?.length || line < 1) return undefined;
  const starts = linesBefore(chunks);
  if (line > starts[chunks.length]) return undefined;
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] < line) lo = mid;
    else hi = mid - 1;
  }
  const { origin } = chunks[lo];
  // Fields added to the fresh location, not spread: this runs for every setting a file sets.
  const location = at(origin, line - starts[lo]) as Location & { origin: Origin };
  if (!origin.onBehalf) location.file = file;
  location.origin = origin.writer ?? "user";
  return location;
}

/**
 * sed edits line by line: a line the substitution changes becomes the user's
 * (at the sed command), every other line keeps its writer and place.
 */
export function substituteLines(chunks: readonly Chunk[], substitute: (line: string) => string, at: Location): Chunk[] {
  const result: Chunk[] = [];
  for (const chunk of chunks) {
    const lines = chunk.text.split("\n");
    let kept: string[] = [];
    let keptFrom = 1;
    const flush = (until: number): void => {
      const text = kept.join("\n") + (kept.length && until < lines.length ? "\n" : "");
      if (text !== "")
        result.push({ text, origin: { ...chunk.origin, firstLine: chunk.origin.exact ? chunk.origin.firstLine + keptFrom - 1 : chunk.origin.firstLine } });
      kept = [];
    };
    lines.forEach((line, i) => {
      const changed = substitute(line);
      if (changed === line) {
        if (!kept.length) keptFrom = i + 1;
        kept.push(line);
        return;
      }
      flush(i);
      result.push({ text: changed + (i + 1 < lines.length ? "\n" : ""), origin: { source: at.source, firstLine: at.line ?? 1, exact: false } });
    });
    flush(lines.length);
  }
  return result;
}

export const cloneState = (state: FileState): FileState => ({
  chunks: state.chunks?.slice(),
  size: state.size,
  hidden: state.hidden,
  edits: state.edits.slice(),
});

/** Applies structured edits to a parsed document (a fresh copy). */
export function applyEdits(doc: PlainObject, edits: readonly StructuredEdit[]): PlainObject {
  const result = structuredClone(doc);
  for (const edit of edits) {
    let node: PlainObject | undefined = result;
    for (const key of edit.path.slice(0, -1)) {
      // an assignment creates the objects on its path (jq: null indexes as an empty object); del does not
      if (!isPlainObject(node[key])) {
        if (edit.value === undefined) {
          node = undefined;
          break;
        }
        node[key] = {};
      }
      node = node[key] as PlainObject;
    }
    if (!node) continue;
    const leaf = edit.path[edit.path.length - 1];
    if (edit.value === undefined) delete node[leaf];
    else node[leaf] = structuredClone(edit.value);
  }
  return result;
}

/**
 * The subset of jq that node scripts use on kubelet configs: `.a.b = v`,
 * `.a["b"] |= v`, `del(.a.b)`, joined by `|`, with `--arg` / `--argjson`
 * values. Anything else is not interpreted (undefined).
 */
export function parseJqFilter(filter: string, args: ReadonlyMap<string, unknown>): { path: string[]; value?: unknown }[] | undefined {
  const edits: { path: string[]; value?: unknown }[] = [];
  for (const term of splitTopLevel(filter, "|")) {
    const t = term.trim();
    if (t === "." || t === "") continue;
    const del = /^del\((.*)\)$/s.exec(t);
    if (del) {
      const path = parseJqPath(del[1].trim());
      if (!path) return undefined;
      edits.push({ path });
      continue;
    }
    const assign = splitAssignment(t);
    if (!assign) return undefined;
    const path = parseJqPath(assign.path);
    if (!path) return undefined;
    const rawValue = assign.value;
    let value: unknown;
    if (rawValue.startsWith("$")) {
      if (!args.has(rawValue.slice(1))) return undefined;
      value = args.get(rawValue.slice(1));
    } else {
      try {
        value = JSON.parse(rawValue);
      } catch {
        return undefined;
      }
    }
    // `.x = null` writes "x": null (the kubelet decodes it as the zero value), unlike del(.x)
    edits.push({ path, value });
  }
  return edits;
}

/** The indexes of `separator` outside strings and brackets; `|` of `|=` is not a pipe. */
function topLevelIndexes(text: string, separator: string): number[] {
  const found: number[] = [];
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && c === separator && text[i + 1] !== "=") found.push(i);
  }
  return found;
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const i of topLevelIndexes(text, separator)) {
    parts.push(text.slice(start, i));
    start = i + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/** `PATH = VALUE` or `PATH |= VALUE` at the top level; other operators (`+=`, `==`, `//=`…) are not assignments the pack applies. */
function splitAssignment(term: string): { path: string; value: string } | undefined {
  const [i] = topLevelIndexes(term, "=");
  if (i === undefined || term[i + 1] === "=") return undefined;
  const update = term[i - 1] === "|";
  const path = term.slice(0, update ? i - 1 : i).trim();
  if (!update && /[+\-*/%<>!]$/.test(path)) return undefined;
  const value = term.slice(i + 1).trim();
  return path && value ? { path, value } : undefined;
}

function parseJqPath(text: string): string[] | undefined {
  const path: string[] = [];
  const re = /\.?([A-Za-z_][A-Za-z0-9_]*)|\.?\["((?:[^"\\]|\\.)*)"\]|\."((?:[^"\\]|\\.)*)"/y;
  let pos = 0;
  if (!text.startsWith(".")) return undefined;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    path.push(m[1] ?? JSON.parse(`"${m[2] ?? m[3]}"`));
    pos = re.lastIndex;
  }
  return path.length ? path : undefined;
}

/**
 * A sed `s` command as a JavaScript replacement, or undefined when its
 * result is not certain (other commands, addresses, unknown flags).
 */
export function parseSedSubstitution(script: string, extended: boolean): ((text: string) => string) | undefined {
  if (!script.startsWith("s") || script.length < 4) return undefined;
  const delimiter = script[1];
  if (/[\\\n\s]/.test(delimiter)) return undefined;
  const fields: string[] = [];
  let current = "";
  for (let i = 2; i < script.length; i++) {
    const c = script[i];
    if (c === "\\" && i + 1 < script.length) {
      current += script[i + 1] === delimiter ? delimiter : c + script[i + 1];
      i++;
    } else if (c === delimiter) {
      fields.push(current);
      current = "";
    } else current += c;
  }
  if (fields.length !== 2) return undefined;
  const flags = current;
  if (!/^[gI]*$/.test(flags)) return undefined;
  const source = extended ? ereToJs(fields[0]) : breToJs(fields[0]);
  if (source === undefined || !safePattern(source)) return undefined;
  let regex: RegExp;
  try {
    regex = new RegExp(source, `m${flags.includes("g") ? "g" : ""}${flags.includes("I") ? "i" : ""}`);
  } catch {
    return undefined;
  }
  const replacement = sedReplacement(fields[1]);
  if (replacement === undefined) return undefined;
  // sed works line by line; a final newline ends the last line, it does not start an empty one.
  return (text) => {
    const body = text.endsWith("\n") ? text.slice(0, -1) : text;
    const edited = body
      .split("\n")
      .map((line) => line.replace(regex, replacement))
      .join("\n");
    return text.endsWith("\n") ? `${edited}\n` : edited;
  };
}

/**
 * A sed replacement as a JavaScript one: `&` is the match, `\1`…`\9` the groups, `\n` a newline (GNU sed),
 * `\` before any other punctuation the character itself. GNU's other letter escapes (`\t`, `\U`…) are not modelled.
 */
function sedReplacement(text: string): string | undefined {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "&") out += "$&";
    else if (c === "$") out += "$$";
    else if (c !== "\\" || i + 1 === text.length) out += c;
    else {
      const n = text[++i];
      if (/[1-9]/.test(n)) out += `$${n}`;
      else if (n === "n") out += "\n";
      else if (/[A-Za-z0]/.test(n)) return undefined;
      else out += n === "$" ? "$$" : n;
    }
  }
  return out;
}

/**
 * Patterns from user data run on user data: only those that cannot backtrack
 * catastrophically are applied (no quantified groups, no back-references, one
 * quantifier at most). Others leave the result uncertain.
 */
function safePattern(source: string): boolean {
  if (/\)[*+?{]|\\[1-9]/.test(source)) return false;
  return (source.match(/[*+?]|\{\d/g) ?? []).length <= 1;
}

/** With at most one quantifier, a match costs at most the line's length squared: lines are kept short. */
export const SED_MAX_TEXT = 64 * 1024;
export const SED_MAX_LINE = 1024;

/**
 * POSIX basic regular expressions as JavaScript ones: `\(`, `\{`, `\+`, `\?`, `\|` are the operators; bare ones
 * are literal. `^` anchors only at the start of the expression or of a group or alternative (after `\(` or `\|`),
 * `$` only at the end of one (before `\)` or `\|`); elsewhere each is the character itself (POSIX XBD 9.3.8,
 * GNU sed). Undefined for what JavaScript cannot say the same way (see bracketExpression).
 */
function breToJs(bre: string): string | undefined {
  let out = "";
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i];
    if (c === "[") {
      const bracket = bracketExpression(bre, i);
      if (!bracket) return undefined;
      out += bracket.js;
      i = bracket.end;
    } else if (c === "\\" && i + 1 < bre.length) {
      const n = bre[++i];
      out += "(){}+?|".includes(n) ? n : `\\${n}`;
    } else if (c === "^") out += i === 0 || /\\[(|]$/.test(bre.slice(0, i)) ? c : "\\^";
    else if (c === "$") out += i === bre.length - 1 || /^\\[)|]/.test(bre.slice(i + 1)) ? c : "\\$";
    else out += "(){}+?|".includes(c) ? `\\${c}` : c;
  }
  return out;
}

/** POSIX extended regular expressions as JavaScript ones: the same but for bracket expressions. */
function ereToJs(ere: string): string | undefined {
  let out = "";
  for (let i = 0; i < ere.length; i++) {
    if (ere[i] === "[") {
      const bracket = bracketExpression(ere, i);
      if (!bracket) return undefined;
      out += bracket.js;
      i = bracket.end;
    } else out += ere[i] === "\\" && i + 1 < ere.length ? ere[i] + ere[++i] : ere[i];
  }
  return out;
}

/** POSIX character classes in the C locale (XBD 7.3.1, LC_CTYPE), as members of a JavaScript character class. */
const POSIX_CLASSES: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "0-9A-Za-z",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\v\\f\\r",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  cntrl: "\\x00-\\x1f\\x7f",
  print: " -~",
  graph: "!-~",
};

/**
 * The bracket expression opening at `from` (POSIX XBD 9.3.5): `]` first (after `[` or `[^`) is a member, and a
 * backslash before punctuation is itself, where JavaScript reads `[]` as an empty class and `\` as an escape.
 * Character classes (`[:alpha:]`) are their members in the C locale; equivalence classes and collating symbols
 * (`[=a=]`, `[.a.]`), GNU's escapes and a bracket left open (which sed refuses) are not modelled.
 */
function bracketExpression(re: string, from: number): { js: string; end: number } | undefined {
  let i = from + 1;
  let js = "[";
  if (re[i] === "^") js += re[i++];
  if (re[i] === "]") {
    js += "\\]";
    i++;
  }
  for (; i < re.length; i++) {
    const c = re[i];
    if (c === "]") return { js: `${js}]`, end: i };
    if (c === "[" && re[i + 1] === ":") {
      const name = /^\[:([a-z]+):\]/.exec(re.slice(i))?.[1];
      if (name === undefined || !(name in POSIX_CLASSES)) return undefined;
      js += POSIX_CLASSES[name];
      i += name.length + 3;
      continue;
    }
    if (c === "[" && /[=.]/.test(re[i + 1] ?? "")) return undefined;
    // GNU sed turns `\n`, `\t`, `\\`, `\x41`… into characters before it compiles the expression; not modelled.
    if (c === "\\" && /[A-Za-z0-9\\]/.test(re[i + 1] ?? "")) return undefined;
    js += c === "\\" ? "\\\\" : c;
  }
  return undefined;
}
