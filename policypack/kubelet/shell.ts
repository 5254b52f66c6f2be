/**
 * POSIX shell tokenizer: words (with quoting, escapes, line continuations and
 * expansions kept as marked segments), operators, and here-document bodies.
 * Linear in the input: every scan uses indexOf or a sticky regex, so a
 * megabyte of quotes costs a megabyte of work.
 */

export type Segment =
  | { kind: "lit"; text: string; quoted: boolean }
  /**
   * `$NAME` or `${NAME}`. `${V:-d}`/`${V:=d}` use the word d when V is unset or empty (emptyTakesFallback),
   * `${V-d}`/`${V=d}` only when unset; `fallback` is d parsed, and `assigns` marks the `=` forms, whose
   * value is substituted like the variable's own, split into fields when unquoted.
   */
  | { kind: "var"; name: string; quoted: boolean; fallback?: Segment[]; emptyTakesFallback?: boolean; assigns?: boolean; raw: string }
  /** Command or arithmetic substitution: never resolved. */
  | { kind: "sub"; raw: string; quoted: boolean };

/**
 * A word of the source. Most words are one run of unquoted text (`--max-pods=110`, `/etc/eks/bootstrap.sh`):
 * such a word holds it as `plain` and makes its one-segment list only if something asks for it, so a script's
 * tokens cost one object per word rather than three.
 */
export class Word {
  readonly kind = "word";
  /** The whole word when it is unquoted literal text, with no expansion; undefined otherwise. */
  plain: string | undefined;
  private parts: Segment[] | undefined;

  /** Offsets into the source and the 1-based line the word starts on; `first`, the word's text so far. */
  constructor(
    public start: number,
    public end: number,
    public line: number,
    first?: string | Segment,
  ) {
    this.plain = typeof first === "string" ? first : undefined;
    // A list made with its first segment: an empty one grows to 16 on the first push.
    this.parts = typeof first === "string" ? undefined : first ? [first] : [];
  }

  get segments(): Segment[] {
    return (this.parts ??= [{ kind: "lit", text: this.plain!, quoted: false }]);
  }

  /** Appends to the word as the tokenizer reads it; literal text of the same quoting joins the last segment. */
  append(segment: Segment): void {
    if (this.plain !== undefined && segment.kind === "lit" && !segment.quoted) {
      this.plain += segment.text;
      this.parts = undefined;
      return;
    }
    const segments = this.segments;
    this.plain = undefined;
    const last = segments[segments.length - 1];
    if (segment.kind === "lit" && last?.kind === "lit" && last.quoted === segment.quoted) last.text += segment.text;
    else segments.push(segment);
  }
}

export interface HereDoc {
  delimiter: string;
  /** A quoted delimiter (`<<'EOF'`) turns off expansion in the body. */
  quoted: boolean;
  body: string;
  /** 1-based line of the body's first line. */
  bodyLine: number;
}

export interface Operator {
  kind: "op";
  op: string;
  start: number;
  line: number;
  heredoc?: HereDoc;
  /** The file descriptor written before a redirection (`2>`); standard input or output when absent. */
  fd?: number;
}

export type Token = Word | Operator;

export interface TokenizeResult {
  tokens: Token[];
  /** Set when the input is not valid shell (an unterminated quote, say). */
  error?: { message: string; line: number };
}

/** The longest operator at `i`, whose first character is one of `;&|<>()`: `<<<`, `<<-`, `<<`, `<&`, `<>`, `>>`, `>&`, `>|`, `&&`, `&>`, `||`, `;;`. */
function operatorAt(src: string, i: number): string {
  const c = src[i];
  const next = src[i + 1];
  switch (c) {
    case "<":
      if (next === "<") return src[i + 2] === "<" ? "<<<" : src[i + 2] === "-" ? "<<-" : "<<";
      return next === "&" ? "<&" : next === ">" ? "<>" : c;
    case ">":
      return next === ">" ? ">>" : next === "&" ? ">&" : next === "|" ? ">|" : c;
    case "&":
      return next === "&" ? "&&" : next === ">" ? "&>" : c;
    case "|":
      return next === "|" ? "||" : c;
    case ";":
      return next === ";" ? ";;" : c;
    default:
      return c;
  }
}
/** Characters that end a run of plain text, outside quotes and inside double quotes. */
const ENDS_PLAIN = charTable(" \t\r\n\\'\"$`;&|<>()");
// `#` continues a plain run inside a word, and starts a comment before one.
const ENDS_DOUBLE = charTable('"\\$`');

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

/** End of the run starting at `from` of characters not in `table` (non-ASCII never ends a run). */
function runEnd(src: string, from: number, table: Uint8Array): number {
  let k = from;
  for (; k < src.length; k++) {
    const code = src.charCodeAt(k);
    if (code < 128 && table[code] === 1) break;
  }
  return k;
}
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** bash(1)'s NAME (PARAMETERS): a letter or underscore, then letters, digits and underscores. */
export const isNameStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
export const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 0x30 && c <= 0x39);

export function isName(text: string): boolean {
  if (!isNameStart(text.charCodeAt(0))) return false;
  for (let i = 1; i < text.length; i++) if (!isNameChar(text.charCodeAt(i))) return false;
  return true;
}

export function tokenize(src: string): TokenizeResult {
  const tokens: Token[] = [];
  const pendingHereDocs: { op: Operator; delimiter: string; quoted: boolean; stripTabs: boolean }[] = [];
  let awaitingDelimiter: { op: Operator; stripTabs: boolean } | undefined;
  let i = 0;
  let line = 1;
  let word: Word | undefined;
  let error: TokenizeResult["error"];

  // A scan bounded by `to`: indexOf would look past it, to the end of a long line, on every quote.
  const countLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (src.charCodeAt(k) === 10) line++;
  };
  const add = (segment: Segment): void => {
    if (word) word.append(segment);
    else word = new Word(i, i, line, segment);
  };
  const begin = (): Word => (word ??= new Word(i, i, line));
  // Unquoted text that starts a word is the common case: a plain word, with no segment object at all.
  const literal = (text: string, quoted: boolean): void => {
    if (!word && !quoted) word = new Word(i, i, line, text);
    else add({ kind: "lit", text, quoted });
  };
  const finishWord = (): void => {
    if (!word) return;
    word.end = i;
    if (awaitingDelimiter) {
      pendingHereDocs.push({
        op: awaitingDelimiter.op,
        delimiter: word.segments.map(segmentSource).join(""),
        quoted: word.segments.some((s) => s.quoted),
        stripTabs: awaitingDelimiter.stripTabs,
      });
      awaitingDelimiter = undefined;
    }
    tokens.push(word);
    word = undefined;
  };
  const readHereDocs = (): void => {
    for (const doc of pendingHereDocs.splice(0)) {
      const bodyLine = line;
      const lines: string[] = [];
      while (i < src.length) {
        let eol = src.indexOf("\n", i);
        if (eol === -1) eol = src.length;
        const raw = src.slice(i, eol);
        i = Math.min(eol + 1, src.length);
        line++;
        const text = doc.stripTabs ? raw.replace(/^\t+/, "") : raw;
        if (text === doc.delimiter || text === `${doc.delimiter}\r`) break;
        lines.push(text);
      }
      doc.op.heredoc = {
        delimiter: doc.delimiter,
        quoted: doc.quoted,
        body: lines.length ? `${lines.join("\n")}\n` : "",
        bodyLine,
      };
    }
  };
  /** Reads `$…` at src[i]; returns false when the `$` is a plain character. */
  const dollar = (quoted: boolean): void => {
    const next = src[i + 1];
    if (next === "{") {
      const close = src.indexOf("}", i + 2);
      if (close === -1) {
        error ??= { message: "unterminated ${", line };
        i = src.length;
        return;
      }
      add(bracedExpansion(src.slice(i + 2, close), src.slice(i, close + 1), quoted));
      countLines(i, close);
      i = close + 1;
      return;
    }
    if (next === "(") {
      const close = matchParen(src, i + 1);
      const end = close === -1 ? src.length : close + 1;
      if (close === -1) error ??= { message: "unterminated $(", line };
      add({ kind: "sub", raw: src.slice(i, end), quoted });
      countLines(i, end);
      i = end;
      return;
    }
    if (next === "'" && !quoted) {
      const { text, end } = ansiCString(src, i + 2);
      if (end === -1) {
        error ??= { message: "unterminated $'", line };
        i = src.length;
        return;
      }
      countLines(i, end);
      literal(text, true);
      i = end + 1;
      return;
    }
    NAME.lastIndex = i + 1;
    const name = NAME.exec(src);
    if (name) {
      add({ kind: "var", name: name[0], quoted, raw: `$${name[0]}` });
      i = NAME.lastIndex;
      return;
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      add({ kind: "var", name: next, quoted, raw: `$${next}` });
      i += 2;
      return;
    }
    if (next === '"' && !quoted) {
      i++; // $"…" is a locale string: read it as a double-quoted one
      return;
    }
    literal("$", quoted);
    i++;
  };
  const backtick = (quoted: boolean): void => {
    let k = i + 1;
    while (k < src.length && src[k] !== "`") k += src[k] === "\\" ? 2 : 1;
    if (k >= src.length) error ??= { message: "unterminated `", line };
    const end = Math.min(k + 1, src.length);
    add({ kind: "sub", raw: src.slice(i, end), quoted });
    countLines(i, end);
    i = end;
  };

  while (i < src.length && !error) {
    const code = src.charCodeAt(i);
    // Most characters start a plain run: take the whole run at once.
    if ((code >= 128 || ENDS_PLAIN[code] === 0) && !(code === 0x23 && !word)) {
      const end = runEnd(src, i, ENDS_PLAIN);
      literal(src.slice(i, end), false);
      i = end;
      continue;
    }
    const c = src[i];
    if (c === " " || c === "\t" || c === "\r") {
      finishWord();
      i++;
      while (i < src.length && (src.charCodeAt(i) === 0x20 || src.charCodeAt(i) === 0x09)) i++;
    } else if (c === "\n") {
      finishWord();
      tokens.push({ kind: "op", op: "\n", start: i, line });
      i++;
      line++;
      if (pendingHereDocs.length) readHereDocs();
    } else if (c === "#" && !word) {
      const eol = src.indexOf("\n", i);
      i = eol === -1 ? src.length : eol;
    } else if (c === "\\") {
      if (src[i + 1] === "\n") {
        i += 2;
        line++;
      } else if (i + 1 >= src.length) {
        literal("\\", false);
        i++;
      } else {
        literal(src[i + 1], true);
        i += 2;
      }
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close === -1) {
        begin();
        error = { message: "unterminated single quote", line };
        break;
      }
      literal(src.slice(i + 1, close), true);
      countLines(i, close);
      i = close + 1;
    } else if (c === '"') {
      literal("", true);
      const openLine = line;
      i++;
      for (;;) {
        if (i >= src.length) {
          error = { message: "unterminated double quote", line: openLine };
          break;
        }
        const d = src[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\") {
          const e = src[i + 1];
          if (e === "\n") {
            line++;
          } else if (e === "$" || e === "`" || e === '"' || e === "\\") {
            literal(e, true);
          } else {
            literal(e === undefined ? "\\" : `\\${e}`, true);
          }
          i += 2;
        } else if (d === "$") {
          dollar(true);
        } else if (d === "`") {
          backtick(true);
        } else {
          // The run to the next special character, counting the line breaks it holds as it goes.
          let end = i;
          for (; end < src.length; end++) {
            const code = src.charCodeAt(end);
            if (code === 10) line++;
            else if (code < 128 && ENDS_DOUBLE[code] === 1) break;
          }
          literal(src.slice(i, end), true);
          i = end;
        }
      }
      // an empty "" still makes a word
      begin();
    } else if (c === "$") {
      dollar(false);
    } else if (c === "`") {
      backtick(false);
    } else if (";&|<>()".includes(c)) {
      // `2>file`: a word of digits right before a redirection is a file descriptor
      const fd = (c === "<" || c === ">") && word ? fileDescriptor(word) : undefined;
      if (fd !== undefined) word = undefined;
      finishWord();
      const op = operatorAt(src, i);
      const token: Operator = fd === undefined ? { kind: "op", op, start: i, line } : { kind: "op", op, start: i, line, fd };
      tokens.push(token);
      i += op.length;
      if (op === "<<" || op === "<<-") awaitingDelimiter = { op: token, stripTabs: op === "<<-" };
    } else {
      const end = runEnd(src, i, ENDS_PLAIN);
      literal(src.slice(i, end), false);
      i = end;
    }
  }
  finishWord();
  if (pendingHereDocs.length) readHereDocs();
  return error ? { tokens, error } : { tokens };
}

function fileDescriptor(word: Word): number | undefined {
  return word.plain !== undefined && /^\d+$/.test(word.plain) ? Number(word.plain) : undefined;
}

function segmentSource(s: Segment): string {
  return s.kind === "lit" ? s.text : s.raw;
}

/** Index of the `)` closing the `(` at `open`, skipping quoted text; -1 if none. */
function matchParen(src: string, open: number): number {
  let depth = 0;
  for (let k = open; k < src.length; k++) {
    const c = src[k];
    if (c === "\\") k++;
    else if (c === "'") {
      const close = src.indexOf("'", k + 1);
      if (close === -1) return -1;
      k = close;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return k;
  }
  return -1;
}

/**
 * `${inner}`: a NAME, or a positional parameter (`${10}`, `${1:-d}`), which cannot be assigned (`${1:=d}` is an
 * error in bash), or a special one alone (`${#}`), each a variable; anything else is not expanded (`sub`).
 */
function bracedExpansion(inner: string, raw: string, quoted: boolean): Segment {
  const m = /^(?:([A-Za-z_][A-Za-z0-9_]*)|([0-9]+)|([@*#?$!-]))(?:(:?[-=])(.*))?$/s.exec(inner);
  const name = m?.[1] ?? m?.[2] ?? m?.[3];
  const operator = m?.[4];
  const allowed = operator === undefined || m?.[1] !== undefined || (m?.[2] !== undefined && !operator.endsWith("="));
  const fallback = operator && allowed ? fallbackWord(m![5], quoted) : undefined;
  return name !== undefined && allowed && (!operator || fallback)
    ? { kind: "var", name, quoted, fallback, emptyTakesFallback: operator?.startsWith(":"), assigns: operator?.endsWith("="), raw }
    : { kind: "sub", raw, quoted };
}

/**
 * The word of `${V:-word}`, parsed. Unquoted, it is an ordinary word whose unquoted blanks split fields; inside
 * double quotes, double quotes in it are removed and single quotes are literal (bash). Undefined when it holds
 * what this reader does not follow (an operator, an unterminated quote, an expansion inside double quotes).
 */
function fallbackWord(text: string, quoted: boolean): Segment[] | undefined {
  if (quoted) {
    // An expansion in the word is not read; an escaped `$` or backquote is a character.
    if (/[$`]/.test(text.replace(/\\[$`"\\]/g, ""))) return undefined;
    return [{ kind: "lit", text: text.replace(/\\([$`"\\])|"/g, (_, escaped?: string) => escaped ?? ""), quoted: true }];
  }
  const { tokens, error } = tokenize(text);
  if (error || tokens.some((t) => t.kind === "op")) return undefined;
  const segments: Segment[] = [];
  let at = 0;
  for (const token of tokens as Word[]) {
    if (token.start > at) segments.push({ kind: "lit", text: text.slice(at, token.start), quoted: false });
    segments.push(...token.segments);
    at = token.end;
  }
  if (at < text.length) segments.push({ kind: "lit", text: text.slice(at), quoted: false });
  return segments;
}

// bash manual, "ANSI-C Quoting": the escapes $'…' decodes; any other backslash stays as written.
const ANSI_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};
const ANSI_NUMERIC = /[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|c[\s\S]/y;

function ansiCString(src: string, from: number): { text: string; end: number } {
  let text = "";
  for (let k = from; k < src.length; k++) {
    const c = src[k];
    if (c === "'") return { text, end: k };
    if (c !== "\\" || k + 1 >= src.length) {
      text += c;
      continue;
    }
    const e = src[++k];
    if (ANSI_ESCAPES[e] !== undefined) {
      text += ANSI_ESCAPES[e];
      continue;
    }
    ANSI_NUMERIC.lastIndex = k;
    const m = ANSI_NUMERIC.exec(src);
    if (!m) {
      text += `\\${e}`;
      continue;
    }
    const code = m[0];
    if (code[0] === "c") text += String.fromCharCode(code.charCodeAt(1) & 0x1f);
    else if (code[0] === "x") text += String.fromCharCode(parseInt(code.slice(1), 16));
    else if (code[0] === "u" || code[0] === "U") text += String.fromCodePoint(Math.min(parseInt(code.slice(1), 16), 0x10ffff));
    else text += String.fromCharCode(parseInt(code, 8) & 0xff);
    k += code.length - 1;
  }
  return { text, end: -1 };
}

/** A word after expansion and field splitting. */
export interface ExpandedWord {
  text: string;
  line: number;
  /** Expansions that could not be resolved; their source text stands in `text`. */
  unresolved: string[];
}

/** A variable's value; null when it is known to be unset (a positional parameter past the last), undefined when unknown. */
export type Environment = (name: string) => string | null | undefined;

const NONE: string[] = [];

/**
 * Expands variables from `env` and applies field splitting to unquoted
 * expansions, as the shell does, appending the fields to `out`. Unknown
 * variables and command substitutions stay as their source text and are
 * listed in `unresolved`.
 */
export function expandWordInto(word: Word, env: Environment, out: ExpandedWord[], assigned?: Map<string, string>): void {
  if (word.plain !== undefined) {
    out.push({ text: word.plain, line: word.line, unresolved: NONE });
    return;
  }
  const segments = word.segments;
  // The common case: only literal text, quoted or not.
  let text = "";
  let quoted = false;
  let literalOnly = true;
  for (const seg of segments) {
    if (seg.kind !== "lit") {
      literalOnly = false;
      break;
    }
    text += seg.text;
    quoted ||= seg.quoted;
  }
  if (literalOnly) {
    if (text !== "" || quoted) out.push({ text, line: word.line, unresolved: NONE });
    return;
  }
  // ${V:=d} assigns V for the rest of the words (made on first use: most words assign nothing).
  const lookup: Environment = (name) => (assigned?.has(name) ? assigned.get(name) : env(name));
  let current: ExpandedWord | undefined;
  let hasQuoted = false;
  const append = (text: string): ExpandedWord => {
    current ??= { text: "", line: word.line, unresolved: NONE };
    current.text += text;
    return current;
  };
  const unresolved = (raw: string): void => {
    const field = append(raw);
    field.unresolved = field.unresolved === NONE ? [raw] : [...field.unresolved, raw];
  };
  // Unquoted expansion results (and a fallback word's unquoted text) split into fields at blanks.
  const splitInto = (value: string): void => {
    const pieces = value.split(/[ \t\n]+/);
    for (let index = 0; index < pieces.length; index++) {
      if (index > 0 && current) {
        out.push(current);
        current = undefined;
      }
      if (pieces[index] !== "") append(pieces[index]);
    }
  };
  const emit = (segs: readonly Segment[], inFallback: boolean): void => {
    for (const seg of segs) {
      if (seg.kind === "lit") {
        if (inFallback && !seg.quoted) splitInto(seg.text);
        else append(seg.text);
        hasQuoted ||= seg.quoted;
        continue;
      }
      if (seg.kind === "sub") {
        unresolved(seg.raw);
        continue;
      }
      const set = lookup(seg.name);
      // Unset expands to nothing, or to the fallback word.
      let value = set === null ? "" : set;
      if (seg.fallback && (set == null || (set === "" && seg.emptyTakesFallback))) {
        if (!seg.assigns) {
          emit(seg.fallback, true);
          continue;
        }
        value = fallbackText(seg.fallback, lookup);
        if (value !== undefined) (assigned ??= new Map()).set(seg.name, value);
      }
      if (value === undefined) unresolved(seg.raw);
      else if (seg.quoted) {
        append(value);
        hasQuoted = true;
      } else splitInto(value);
    }
  };
  emit(segments, false);
  if (current && (current.text !== "" || hasQuoted || current.unresolved.length)) out.push(current);
  else if (!current && hasQuoted) out.push({ text: "", line: word.line, unresolved: NONE });
}

/** A fallback word's value as one string (quotes removed, no field splitting), or undefined when unresolved. */
function fallbackText(segs: readonly Segment[], env: Environment): string | undefined {
  let text = "";
  for (const seg of segs) {
    if (seg.kind === "lit") text += seg.text;
    else if (seg.kind === "sub") return undefined;
    else {
      const set = env(seg.name);
      const value = seg.fallback && (set == null || (set === "" && seg.emptyTakesFallback)) ? fallbackText(seg.fallback, env) : set;
      if (value === undefined) return undefined;
      text += value ?? "";
    }
  }
  return text;
}

export function expandWord(word: Word, env: Environment): ExpandedWord[] {
  const out: ExpandedWord[] = [];
  expandWordInto(word, env, out);
  return out;
}

/** Words of a string with no operators, as `bash -c 'printf "%s\0" <s>'` prints them. */
export function splitShellWords(src: string, env: Environment = () => undefined): { words: ExpandedWord[]; error?: string } {
  const { tokens, error } = tokenize(src);
  const words: ExpandedWord[] = [];
  // `${V:=d}` assigns V for the words after it.
  const assigned = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === "word") expandWordInto(token, env, words, assigned);
    else if (token.op !== "\n") return { words, error: `unexpected shell operator ${JSON.stringify(token.op)}` };
  }
  return error ? { words, error: error.message } : { words };
}

/** A simple command: its words and redirections, and how it joins the next one. */
export interface SimpleCommand {
  words: Word[];
  redirects: { op: string; target?: Word; heredoc?: HereDoc; fd?: number }[];
  line: number;
  /** The operator that ends this command (`|`, `&&`, `;`, a newline, …). */
  next?: string;
  /** The operator that ended the previous command. */
  previous?: string;
  /** Inside an if/while/for/case body, or after `&&` / `||`: the command may not run. */
  conditional: boolean;
  /** Set for commands in a function's body: they run only where the function is called. */
  inFunction?: string;
  /** Which definition of the function (the nth in the script) the command belongs to. */
  definition?: number;
}

const NO_REDIRECTS: SimpleCommand["redirects"] = [];
const NO_WORDS: Word[] = [];
const REDIRECTIONS = new Set(["<<<", "<<-", "<<", ">>", ">&", "<&", ">|", "&>", "<>", "<", ">"]);
/** Words that open, continue or close a compound command (and `!`, `time`), none longer than five letters. */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "while",
  "until",
  "for",
  "case",
  "esac",
  "!",
  "{",
  "}",
  "time",
]);
const LONGEST_RESERVED = 5;
const OPENS_BLOCK = new Set(["if", "while", "until", "for", "case"]);
const CLOSES_BLOCK = new Set(["fi", "done", "esac"]);

/** Groups tokens into simple commands; compound-command keywords are dropped so their bodies read as commands. */
export function simpleCommands(tokens: Token[]): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand | undefined;
  let previous: string | undefined;
  // Depth of if/while/until/for/case bodies: commands there may or may not run.
  let depth = 0;
  // A function being defined (`name() {` or `function name {`) and the brace depth of its body.
  let defining: string | undefined;
  let pendingFunction: string | undefined;
  let definitions = 0;
  let braces = 0;
  // A command's words gather in `pending` (emptied by count, so it keeps its room) and are copied, exactly sized,
  // when the command ends; its redirections start as a shared empty list that the first one replaces.
  const pending: Word[] = [];
  let count = 0;
  const start = (line: number): SimpleCommand => ({
    words: NO_WORDS,
    redirects: NO_REDIRECTS,
    line,
    next: undefined,
    previous,
    conditional: depth > 0 || previous === "&&" || previous === "||",
    inFunction: defining,
    definition: defining === undefined ? undefined : definitions,
  });
  const ended = (command: SimpleCommand): SimpleCommand => {
    command.words = pending.slice(0, count);
    count = 0;
    return command;
  };
  const opAt = (k: number): string | undefined => (tokens[k]?.kind === "op" ? (tokens[k] as Operator).op : undefined);
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    if (token.kind === "word") {
      const text = plainText(token);
      if (count === 0 && text === "function" && tokens[k + 1]?.kind === "word") {
        pendingFunction = plainText(tokens[k + 1] as Word);
        k++;
        if (opAt(k + 1) === "(" && opAt(k + 2) === ")") k += 2;
        continue;
      }
      if (count === 0 && text === "{" && pendingFunction !== undefined && defining === undefined) {
        defining = pendingFunction;
        definitions++;
        pendingFunction = undefined;
        braces = 1;
        continue;
      }
      if (count === 0 && defining !== undefined && (text === "{" || text === "}")) {
        braces += text === "{" ? 1 : -1;
        if (braces === 0) defining = undefined;
        continue;
      }
      if (count === 0 && text !== undefined && text.length <= LONGEST_RESERVED && RESERVED_WORDS.has(text)) {
        if (OPENS_BLOCK.has(text)) depth++;
        else if (CLOSES_BLOCK.has(text)) depth = Math.max(0, depth - 1);
        continue;
      }
      current ??= start(token.line);
      pending[count++] = token;
      continue;
    }
    // `name()` followed by a body opens a function definition.
    if (token.op === "(" && current && count === 1 && opAt(k + 1) === ")") {
      pendingFunction = plainText(pending[0]);
      current = undefined;
      count = 0;
      k++;
      continue;
    }
    if (REDIRECTIONS.has(token.op)) {
      current ??= start(token.line);
      const target = tokens[k + 1]?.kind === "word" ? (tokens[++k] as Word) : undefined;
      const redirect = { op: token.op, target, heredoc: token.heredoc, fd: token.fd };
      if (current.redirects === NO_REDIRECTS) current.redirects = [redirect];
      else current.redirects.push(redirect);
      continue;
    }
    if (current) {
      current.next = token.op;
      commands.push(ended(current));
      current = undefined;
    }
    previous = token.op;
  }
  if (current) commands.push(ended(current));
  return commands;
}

/** The literal text of a word with no expansions, or undefined. */
export function plainText(word: Word): string | undefined {
  if (word.plain !== undefined) return word.plain;
  let text = "";
  for (const s of word.segments) {
    if (s.kind !== "lit") return undefined;
    text += s.text;
  }
  return text;
}

/**
 * Expands an unquoted here-document body as bash does: parameters (`$VAR`, `${VAR}`, `${VAR:-word}` with the
 * word as in double quotes), no field splitting; what the pack cannot expand (`$(…)`, `${VAR%…}`, an unknown
 * value) stays as its source text and is listed in `unresolved`.
 */
export function expandHereDoc(doc: HereDoc, env: Environment): { text: string; unresolved: string[] } {
  if (doc.quoted) return { text: doc.body, unresolved: [] };
  const unresolved: string[] = [];
  const text = doc.body.replace(
    /\\([$`\\])|\$\{([^}]*)\}|\$\{[^}]*|\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])|\$\([^)]*\)|`[^`]*`/g,
    (raw, escaped?: string, braced?: string, bare?: string) => {
      if (escaped) return escaped;
      // The word of `${VAR:-word}` reads as in double quotes; an assignment there is not kept for later lines.
      const segment: Segment | undefined =
        braced !== undefined ? bracedExpansion(braced, raw, true) : bare !== undefined ? { kind: "var", name: bare, quoted: true, raw } : undefined;
      const value = segment?.kind === "var" ? fallbackText([segment], env) : undefined;
      if (value !== undefined) return value;
      unresolved.push(raw);
      return raw;
    },
  );
  return { text, unresolved };
}
