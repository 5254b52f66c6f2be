/**
 * Text carriers of kubelet settings and exact edits in them: a property string as the node gets it
 * (plain, base64, gzip inside base64), an edit at one occurrence of the setting's text, and the
 * string encoded again the way it came (base64 line length and line breaks kept; every byte outside
 * the edit unchanged, gzip re-compressed over the edited bytes).
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { decodeBase64 } from "../userdata/decode";
import type { Provenance } from "../kubelet/provenance";
import type { Remedy } from "../kubelet/rules";

/** How a property string carries its text. */
export interface Carrier {
  text: string;
  encode(text: string): string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function asText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Base64 as the original wrapped it: its line length, its line break, a final break or not. */
function base64Like(original: string): (bytes: Buffer) => string {
  const lineBreak = original.includes("\r\n") ? "\r\n" : "\n";
  const lines = original.split(lineBreak);
  const trailing = lines.length > 1 && lines[lines.length - 1] === "";
  const width = lines.length > 1 ? lines[0].length : 0;
  return (bytes) => {
    const flat = bytes.toString("base64");
    if (!width) return flat;
    const wrapped: string[] = [];
    for (let i = 0; i < flat.length; i += width) wrapped.push(flat.slice(i, i + width));
    return wrapped.join(lineBreak) + (trailing ? lineBreak : "");
  };
}

/** The ways a property string may carry text: itself, and its base64 (gzipped or not) when it is one. */
export function carriersOf(value: string): Carrier[] {
  const carriers: Carrier[] = [{ text: value, encode: (text) => text }];
  const bytes = decodeBase64(value);
  if (!bytes || !bytes.length) return carriers;
  const toBase64 = base64Like(value);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let inflated: Buffer | undefined;
    try {
      inflated = gunzipSync(bytes, { maxOutputLength: 16 * 1024 * 1024 });
    } catch {
      inflated = undefined;
    }
    const text = inflated && asText(inflated);
    if (text !== undefined) carriers.push({ text, encode: (edited) => toBase64(gzipSync(Buffer.from(edited, "utf8"))) });
    return carriers;
  }
  const text = asText(bytes);
  if (text !== undefined) carriers.push({ text, encode: (edited) => toBase64(Buffer.from(edited, "utf8")) });
  return carriers;
}

/** A setting's text split into what names it and its value: `--read-only-port=` + `10255`, `readOnlyPort: ` + `10255`. */
function splitSetting(text: string): { name: string; value: string } | undefined {
  const flag = /^(-{1,2}[A-Za-z0-9][A-Za-z0-9_.-]*)(=|\s+)(.*)$/s.exec(text);
  if (flag) return { name: flag[1] + flag[2], value: flag[3] };
  const field = /^("?[A-Za-z0-9_.-]+"?\s*[:=]\s*)(.*)$/s.exec(text);
  if (field) return { name: field[1], value: field[2] };
  return undefined;
}

/** The new value written as the old one was: in the same quotes, or bare (a JSON string is always quoted). */
function spell(value: unknown, old: string, json: boolean): string {
  const text = String(value);
  const quote = /^(["'])[\s\S]*\1$/.exec(old)?.[1] ?? (json && typeof value === "string" ? '"' : undefined);
  return quote ? `${quote}${text}${quote}` : text;
}

/** One place to make a fix: the span of the setting's text and what replaces it. */
export interface TextEdit {
  at: number;
  length: number;
  replacement: string;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The places in `text` where the setting stands as the user wrote it, each with its fixed text: the
 * recorded text as a whole word (without the note the pack adds in parentheses), and for a config field
 * its last key with that value as YAML, JSON or TOML write it nested, quoted or not, with any spacing
 * (`authentication.anonymous.enabled: true` is `"enabled":true` in a JSON file).
 */
export function editsIn(text: string, provenance: Provenance, remedy: Remedy): TextEdit[] {
  const recorded = provenance.text.replace(/ \([^()]*\)$/, "");
  const edits: TextEdit[] = [];
  const field = provenance.form === "config" ? /^([A-Za-z0-9_.-]+): (.*)$/s.exec(recorded) : null;
  if (field && remedy.kind === "set") {
    const key = field[1].split(".").pop()!;
    const bare = field[2].replace(/^(["'])([\s\S]*)\1$/, "$2");
    const pattern = new RegExp(`(?<![A-Za-z0-9_.-])(["']?)${escape(key)}\\1(\\s*[:=]\\s*)((["']?)${escape(bare)}\\4)(?![A-Za-z0-9_.\\-"'])`, "g");
    for (const match of text.matchAll(pattern)) {
      const json = match[1] === '"';
      edits.push({ at: match.index!, length: match[0].length, replacement: `${match[1]}${key}${match[1]}${match[2]}${spell(remedy.value, match[3], json)}` });
    }
    return edits;
  }
  let fixed: string | undefined;
  if (remedy.kind === "remove") fixed = "";
  else if (/^-{1,2}[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(recorded)) fixed = `${recorded}=${String(remedy.value)}`;
  else {
    const parts = splitSetting(recorded);
    if (parts) fixed = parts.name + spell(remedy.value, parts.value, false);
  }
  if (fixed === undefined) return edits;
  for (const at of occurrences(text, recorded)) {
    // A flag that is a whole YAML sequence item (nodeadm's kubelet.flags) goes with its line.
    const lineStart = text.lastIndexOf("\n", at - 1) + 1;
    const lineEnd = text.indexOf("\n", at) === -1 ? text.length : text.indexOf("\n", at) + 1;
    const line = text.slice(lineStart, lineEnd);
    if (fixed === "" && /^\s*-\s+$/.test(text.slice(lineStart, at)) && line.slice(at - lineStart + recorded.length).trim() === "") {
      edits.push({ at: lineStart, length: lineEnd - lineStart, replacement: "" });
    } else edits.push(fixed === "" ? removalSpan(text, at, recorded.length) : { at, length: recorded.length, replacement: fixed });
  }
  return edits;
}

const WORD = /[A-Za-z0-9_.-]/;

/** Each place `needle` stands as a whole word in `text` (nothing word-like glued to either end). */
export function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  if (!needle) return found;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = at > 0 ? text[at - 1] : "";
    const after = text[at + needle.length] ?? "";
    if (!WORD.test(before) && !WORD.test(after)) found.push(at);
  }
  return found;
}

/** `text` with `length` characters at `at` replaced. */
export const replaceAt = (text: string, at: number, length: number, replacement: string): string => text.slice(0, at) + replacement + text.slice(at + length);

/** A removed word takes one blank next to it, so no double blank is left. */
function removalSpan(text: string, at: number, length: number): TextEdit {
  if (text[at + length] === " " || text[at + length] === "\t") return { at, length: length + 1, replacement: "" };
  if (text[at - 1] === " " || text[at - 1] === "\t") return { at: at - 1, length: length + 1, replacement: "" };
  return { at, length, replacement: "" };
}
