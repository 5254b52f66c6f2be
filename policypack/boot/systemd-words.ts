/**
 * systemd's own syntax for the words and values that reach the kubelet (systemd v252, the version Debian 12
 * ships; the functions have not changed in substance since v246):
 * - src/basic/extract-word.c extract_first_word: ExecStart= and Environment= split their value into words
 *   with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE (src/core/load-fragment.c config_parse_exec, config_parse_environ);
 *   a `$VAR` that is a word of its own on the exec line is replaced by the variable's value split with
 *   EXTRACT_UNQUOTE|EXTRACT_RELAX (src/basic/env-util.c replace_env_argv). Quotes open anywhere in a word
 *   and are removed; a backslash takes the next character as it is, or, with CUNESCAPE, starts a C escape
 *   (src/basic/escape.c cunescape_one); separators are space, tab, newline and carriage return.
 * - src/basic/env-file.c parse_env_file_internal: EnvironmentFile= lines. A quote is special only where a
 *   value starts; elsewhere quotes are plain characters, a backslash takes the next character, and
 *   unquoted trailing blanks are dropped. A name that is not a valid variable name (`export X`) is dropped
 *   when the service starts (src/core/execute.c, strv_env_clean_with_callback).
 */
import { isName } from "../kubelet/shell";

const WHITESPACE = " \t\n\r";
const isBlank = (c: string): boolean => WHITESPACE.includes(c);

/**
 * How a value is split into words:
 * - "environment": Environment= (config_parse_environ: EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE), which keeps the
 *   words before a syntax error and drops the rest of the line;
 * - "exec": ExecStart= (config_parse_exec through extract_first_word_and_warn), which reads a word with an
 *   escape it does not know again with EXTRACT_UNESCAPE_RELAX, keeping the backslash; an unbalanced quote
 *   is an error, and the unit is not loaded;
 * - "variable": a `$VAR` word of the exec line (replace_env_argv: EXTRACT_UNQUOTE|EXTRACT_RELAX), no C
 *   escapes, never an error.
 */
export type WordSyntax = "environment" | "exec" | "variable";

interface ExtractFlags {
  cunescape: boolean;
  relax: boolean;
  unescapeRelax: boolean;
}
const FLAGS: Record<WordSyntax, ExtractFlags> = {
  environment: { cunescape: true, relax: false, unescapeRelax: false },
  exec: { cunescape: true, relax: false, unescapeRelax: false },
  variable: { cunescape: false, relax: true, unescapeRelax: false },
};
const EXEC_RETRY: ExtractFlags = { cunescape: true, relax: false, unescapeRelax: true };

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
  s: " ",
};

/** The value of `count` digits of `radix` at `at`, or undefined when one is not such a digit. */
function digits(text: string, at: number, count: number, radix: 8 | 16): number | undefined {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = i < text.length ? parseInt(text[i], radix) : NaN;
    if (Number.isNaN(digit)) return undefined;
    value = value * radix + digit;
  }
  return value;
}

/**
 * cunescape_one: the character a C escape after a backslash stands for and how many characters it takes,
 * or undefined when systemd rejects it (an unknown letter, a NUL, a code point that is not valid).
 * A \x or octal byte of 0x80 or more is a raw byte in systemd; here it stands as the character of that code.
 */
function cEscape(text: string, at: number): { char: string; length: number } | undefined {
  const c = text[at];
  if (c in SIMPLE_ESCAPES) return { char: SIMPLE_ESCAPES[c], length: 1 };
  let code: number | undefined;
  let length: number;
  if (c === "x") [code, length] = [digits(text, at + 1, 2, 16), 3];
  else if (c === "u") [code, length] = [digits(text, at + 1, 4, 16), 5];
  else if (c === "U") [code, length] = [digits(text, at + 1, 8, 16), 9];
  else if (c >= "0" && c <= "7") [code, length] = [digits(text, at, 3, 8), 3];
  else return undefined;
  if (code === undefined || code === 0) return undefined;
  if (length === 3 && c !== "x" && code > 255) return undefined;
  // unichar_is_valid (\U only): below 0x110000 and not a surrogate.
  if (c === "U" && (code >= 0x110000 || (code >= 0xd800 && code <= 0xdfff))) return undefined;
  // A lone surrogate from \u is passed on as systemd encodes it; the string keeps it as one code unit.
  return { char: String.fromCodePoint(code), length };
}

/**
 * extract_first_word: the word that starts at or after `from` and where reading goes on; undefined past
 * the last word, "error" where systemd reports a syntax error.
 */
function nextWord(text: string, from: number, flags: ExtractFlags): { word: string; next: number } | "error" | undefined {
  let i = skipSeparators(text, from);
  if (i >= text.length) return undefined;
  let word = "";
  let quote = "";
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") {
      if (++i >= text.length) {
        if (flags.unescapeRelax && (!quote || flags.relax)) return { word: `${word}\\`, next: i };
        return flags.relax ? { word, next: i } : "error";
      }
      if (!flags.cunescape) word += text[i++];
      else {
        const escaped = cEscape(text, i);
        if (escaped) {
          word += escaped.char;
          i += escaped.length;
        } else if (flags.unescapeRelax) word += `\\${text[i++]}`;
        else return "error";
      }
    } else if (quote) {
      if (c === quote) quote = "";
      else word += c;
      i++;
    } else if (c === "'" || c === '"') {
      quote = c;
      i++;
    } else if (isBlank(c)) break;
    else {
      word += c;
      i++;
    }
  }
  if (quote && !flags.relax) return "error";
  return { word, next: i };
}

const skipSeparators = (text: string, from: number): number => {
  let i = from;
  while (i < text.length && isBlank(text[i])) i++;
  return i;
};

/** extract_first_word_and_warn for ExecStart=: an unknown escape is read again with the backslash kept. */
function nextExecWord(text: string, from: number): { word: string; next: number } | "error" | undefined {
  const read = nextWord(text, from, FLAGS.exec);
  return read === "error" ? nextWord(text, from, EXEC_RETRY) : read;
}

/** The words of `text` (strv_split_full) up to the first syntax error, and whether there was one. */
export function systemdWords(text: string, syntax: "environment" | "variable"): { words: string[]; error: boolean } {
  const words: string[] = [];
  for (let at = 0; ; ) {
    const read = nextWord(text, at, FLAGS[syntax]);
    if (read === undefined) return { words, error: false };
    if (read === "error") return { words, error: true };
    words.push(read.word);
    at = read.next;
  }
}

/** A word that is exactly `token`, unquoted, starting at `at`: followed by a separator or the end. */
const bareWordAt = (text: string, at: number, token: string): boolean =>
  text.startsWith(token, at) && (at + token.length >= text.length || isBlank(text[at + token.length]));

/**
 * config_parse_exec: the commands of an ExecStart= value, split at an unquoted `;` word (`\;` is a `;`
 * argument), or undefined when systemd cannot split the value (it does not load the unit then).
 */
export function execCommands(value: string): string[][] | undefined {
  const commands: string[][] = [[]];
  for (let at = 0; ; ) {
    at = skipSeparators(value, at);
    if (bareWordAt(value, at, ";")) {
      commands.push([]);
      at++;
      continue;
    }
    if (bareWordAt(value, at, "\\;")) {
      commands[commands.length - 1].push(";");
      at += 2;
      continue;
    }
    const read = nextExecWord(value, at);
    if (read === undefined) return commands.filter((words) => words.length > 0);
    if (read === "error") return undefined;
    commands[commands.length - 1].push(read.word);
    at = read.next;
  }
}

/** Letters and digits that name no specifier in systemd 252 (src/shared/specifier.c specifier_printf, unit-printf.c). */
const NOT_SPECIFIERS = "DFKOQXZekxz0123456789";

/**
 * specifier_printf, as ExecStart= and Environment= words go through it when the unit loads: `%%` is `%`; `%`
 * and a letter is what the node knows (its host name, the unit's name…), which stays as written and unresolved;
 * `%` before anything else, or at the end, stays. Undefined for a letter that is no specifier: systemd fails the
 * word then.
 */
export function resolveSpecifiers(word: string): { text: string; unresolved: string[] } | undefined {
  if (!word.includes("%")) return { text: word, unresolved: [] };
  let text = "";
  const unresolved: string[] = [];
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    const next = word[i + 1] ?? "";
    if (c !== "%" || next === "") text += c;
    else if (next === "%") {
      text += "%";
      i++;
    } else if (/^[A-Za-z0-9]$/.test(next)) {
      if (NOT_SPECIFIERS.includes(next)) return undefined;
      text += `%${next}`;
      unresolved.push(`%${next}`);
      i++;
    } else text += c;
  }
  return { text, unresolved };
}

/** A variable name as systemd takes it: env_name_is_valid follows bash's NAME ("We follow bash for the character set"). */
export const isVariableName = isName;

export interface EnvironmentAssignment {
  name: string;
  value: string;
  /** 1-based line where the assignment starts. */
  line: number;
  /** False when systemd drops it as the service starts: its name is not a variable name (`export X=1`). */
  valid: boolean;
}

const NEWLINE = "\n\r";
const COMMENTS = "#;";
/** SHELL_NEED_ESCAPE: what a backslash escapes inside a double-quoted value; before anything else it stays. */
const DOUBLE_QUOTE_ESCAPES = '"\\`$';

/** parse_env_file_internal with load_env_file's push: every assignment in order (a later one wins when read). */
export function parseEnvironmentFile(text: string): EnvironmentAssignment[] {
  type State = "preKey" | "key" | "preValue" | "value" | "valueEscape" | "single" | "double" | "doubleEscape" | "comment" | "commentEscape";
  const assignments: EnvironmentAssignment[] = [];
  let state: State = "preKey";
  let key = "";
  let value = "";
  let line = 1;
  let start = 1;
  // Where trailing blanks of the key and of an unquoted value begin, when they do.
  let keyBlanks = -1;
  let valueBlanks = -1;
  const push = (chompValue: boolean): void => {
    const name = keyBlanks === -1 ? key : key.slice(0, keyBlanks);
    const finalValue = chompValue && valueBlanks !== -1 ? value.slice(0, valueBlanks) : value;
    assignments.push({ name, value: finalValue, line: start, valid: isVariableName(name) });
    key = "";
    value = "";
  };
  for (const c of text) {
    switch (state) {
      case "preKey":
        if (COMMENTS.includes(c)) state = "comment";
        else if (!isBlank(c)) {
          state = "key";
          keyBlanks = -1;
          start = line;
          key = c;
        }
        break;
      case "key":
        if (NEWLINE.includes(c)) {
          state = "preKey";
          key = "";
        } else if (c === "=") {
          state = "preValue";
          valueBlanks = -1;
        } else {
          if (!isBlank(c)) keyBlanks = -1;
          else if (keyBlanks === -1) keyBlanks = key.length;
          key += c;
        }
        break;
      case "preValue":
        if (NEWLINE.includes(c)) {
          state = "preKey";
          push(false);
        } else if (c === "'") state = "single";
        else if (c === '"') state = "double";
        else if (c === "\\") state = "valueEscape";
        else if (!isBlank(c)) {
          state = "value";
          value += c;
        }
        break;
      case "value":
        if (NEWLINE.includes(c)) {
          state = "preKey";
          push(true);
        } else if (c === "\\") {
          state = "valueEscape";
          valueBlanks = -1;
        } else {
          if (!isBlank(c)) valueBlanks = -1;
          else if (valueBlanks === -1) valueBlanks = value.length;
          value += c;
        }
        break;
      case "valueEscape":
        state = "value";
        // An escaped line break is eaten: the value goes on on the next line.
        if (!NEWLINE.includes(c)) value += c;
        break;
      case "single":
        if (c === "'") state = "preValue";
        else value += c;
        break;
      case "double":
        if (c === '"') state = "preValue";
        else if (c === "\\") state = "doubleEscape";
        else value += c;
        break;
      case "doubleEscape":
        state = "double";
        if (DOUBLE_QUOTE_ESCAPES.includes(c)) value += c;
        else if (c !== "\n") value += `\\${c}`;
        break;
      case "comment":
        if (c === "\\") state = "commentEscape";
        else if (NEWLINE.includes(c)) state = "preKey";
        break;
      case "commentEscape":
        state = "comment";
        break;
    }
    if (c === "\n") line++;
  }
  if (state === "preValue" || state === "value" || state === "valueEscape" || state === "single" || state === "double" || state === "doubleEscape") {
    push(state === "value");
  }
  return assignments;
}
