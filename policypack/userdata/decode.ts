/**
 * Bytes to documents: strict base64, gzip (at the top and inside parts), and
 * MIME multipart as cloud-init and nodeadm split it (Python's email package
 * semantics: boundary lines, preamble and epilogue dropped, the line break
 * before a boundary belongs to the boundary). Each document keeps its part
 * number and content type for provenance.
 */
import { gunzipSync } from "node:zlib";
import type { Location } from "../kubelet/provenance";
import type { Unverifiable } from "../kubelet/node";
import type { Limits } from "./limits";

export interface Document {
  /** "user data part 2 (application/node.eks.aws)", or "user data" when not MIME. */
  source: string;
  contentType: string;
  text: string;
}

export interface DecodeResult {
  documents: Document[];
  unverifiable: Unverifiable[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace tolerated); undefined when the text is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  // Canonical base64 (what Pulumi programs and the CLI produce) encodes back to itself: no need to scan it.
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") === text) return bytes;
  return decodeCompact(text);
}

function decodeCompact(text: string): Buffer | undefined {
  const compact = text.replace(/[\s]+/g, "");
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}

/**
 * Scratch memory for the user data of one resource, which is read to text before anything else is decoded:
 * a fresh Buffer of a few KiB is a new ArrayBuffer on every resource. Texts over the cap allocate as usual.
 */
const SCRATCH_MAX = 64 * 1024;
let scratch = Buffer.allocUnsafe(0);

/** decodeBase64 into memory that the next call reuses: the caller must be done with the bytes before then. */
function decodeBase64Transient(text: string): Buffer | undefined {
  const size = Math.ceil(text.length / 4) * 3;
  if (size > SCRATCH_MAX) return decodeBase64(text);
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, 8 * 1024));
  const length = scratch.write(text, "base64");
  if (scratch.toString("base64", 0, length) === text) return scratch.subarray(0, length);
  return decodeCompact(text);
}

const isGzip = (bytes: Buffer): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Gunzips when the gzip magic is there, never past the size cap. */
function maybeGunzip(bytes: Buffer, limits: Limits, where: Location, unverifiable: Unverifiable[]): Buffer | undefined {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxBytes });
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError;
    unverifiable.push({
      location: where,
      reason: tooLarge
        ? `the gzip data decompresses to more than ${limits.maxBytes} bytes, over the pack's cap, so it was not read`
        : `the gzip data is corrupt (${(error as Error).message}), so it cannot be read`,
    });
    return undefined;
  }
}

/**
 * Decodes user data. `encoding` says how the property carries it: base64
 * (launch templates, Azure customData) or plain text.
 */
export function decodeUserData(value: string, encoding: "base64" | "plain", limits: Limits, source = "user data"): DecodeResult {
  const unverifiable: Unverifiable[] = [];
  const where = { source };
  // pulumi policy analyze --file redacts secrets it cannot decrypt offline to this string (its --help says so).
  if (value === "[secret]") {
    unverifiable.push({
      location: where,
      reason: "the user data is a secret the Pulumi CLI could not decrypt here (it shows as [secret]), so it cannot be read",
    });
    return { documents: [], unverifiable };
  }
  let bytes: Buffer | undefined;
  if (encoding === "base64") {
    // The bytes are read to text below, before any part is decoded.
    bytes = decodeBase64Transient(value);
    if (!bytes) {
      unverifiable.push({ location: where, reason: "the user data is not valid base64, so it cannot be read" });
      return { documents: [], unverifiable };
    }
  } else {
    bytes = Buffer.from(value, "utf8");
  }
  if (bytes.length > limits.maxBytes && !isGzip(bytes)) {
    unverifiable.push({ location: where, reason: `the user data is ${bytes.length} bytes, over the pack's cap of ${limits.maxBytes}, so it was not read` });
    return { documents: [], unverifiable };
  }
  bytes = maybeGunzip(bytes, limits, where, unverifiable);
  if (!bytes) return { documents: [], unverifiable };
  const text = bytes.toString("utf8");
  const documents: Document[] = [];
  if (looksLikeMime(text)) {
    const state = { parts: 0, capped: false };
    splitMime(text, source, 0, limits, documents, unverifiable, state);
  } else {
    documents.push({ source, contentType: sniffContentType(text), text });
  }
  return { documents, unverifiable };
}

/** cloud-init treats user data as MIME when "mime-version:" is in its first 4 KiB; nodeadm when it has a multipart Content-Type header. */
export function looksLikeMime(text: string): boolean {
  const head = text.slice(0, 4096);
  return /mime-version:/i.test(head) || /^content-type:\s*multipart\//i.test(head);
}

/** cloud-init's content sniffing of a text/plain or headerless document. */
export function sniffContentType(text: string): string {
  const start = text.replace(/^\ufeff/, "").trimStart();
  const firstLine = start
    .slice(0, start.indexOf("\n") === -1 ? undefined : start.indexOf("\n"))
    .trim()
    .toLowerCase();
  if (start.startsWith("#!")) return "text/x-shellscript";
  if (firstLine.startsWith("#cloud-config")) return "text/cloud-config";
  if (firstLine.startsWith("#include")) return "text/x-include-url";
  if (firstLine.startsWith("#cloud-boothook")) return "text/cloud-boothook";
  if (firstLine.startsWith("## template: jinja")) return "text/jinja2";
  if (/^<powershell>/i.test(start)) return "text/x-powershell";
  if (/^(---\s*\n\s*)?(apiVersion:\s*node\.eks\.aws\/|\{\s*"apiVersion"\s*:\s*"node\.eks\.aws\/)/.test(start)) return "application/node.eks.aws";
  if (/^\[settings[.\]]/m.test(start) || /^settings\.[a-z-]+/m.test(start)) return "application/toml";
  return "text/plain";
}

interface Headers {
  contentType: string;
  params: Record<string, string>;
  transferEncoding: string;
}

/** The end of the line from `start` to `eol`, less a carriage return before the line feed. */
const endBeforeCr = (text: string, start: number, eol: number): number => (eol > start && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol);

/** A header name, as Python's feedparser takes it: printable ASCII up to the first colon (RFC 5322 ftext). */
function isFieldName(line: string, colon: number): boolean {
  for (let i = 0; i < colon; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** Header block (with folded lines) and where the body starts. */
function readHeaders(text: string): { headers: Headers; bodyStart: number } {
  // Only the first Content-Type and Content-Transfer-Encoding fields count (Python's Message.get); a folded
  // line continues the field before it, whichever that is.
  let contentType: string | undefined;
  let transferEncoding: string | undefined;
  let continuing: "type" | "encoding" | "other" | undefined;
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf("\n", pos);
    if (eol === -1) eol = text.length;
    const line = text.slice(pos, endBeforeCr(text, pos, eol));
    if (line === "") {
      pos = eol + 1;
      break;
    }
    const first = line.charCodeAt(0);
    if ((first === 0x20 || first === 0x09) && continuing !== undefined) {
      if (continuing === "type") contentType += ` ${line.trim()}`;
      else if (continuing === "encoding") transferEncoding += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(":");
      // Python's feedparser: a line that is not a header ends the headers and starts the body.
      if (colon <= 0 || !isFieldName(line, colon)) break;
      // The two names read are 12 and 25 characters long: no other field needs lowercasing.
      const name = colon === 12 || colon === 25 ? line.slice(0, colon).toLowerCase() : "";
      if (name === "content-type" && contentType === undefined) {
        contentType = line.slice(colon + 1).trim();
        continuing = "type";
      } else if (name === "content-transfer-encoding" && transferEncoding === undefined) {
        transferEncoding = line.slice(colon + 1).trim();
        continuing = "encoding";
      } else continuing = "other";
    }
    pos = eol + 1;
  }
  const { type, params } = parseContentType(contentType ?? "");
  return { headers: { contentType: type, params, transferEncoding: (transferEncoding ?? "").toLowerCase() }, bodyStart: Math.min(pos, text.length) };
}

/** RFC 2045 token characters of a lowercased type or subtype. */
const TOKEN_CHARS = new Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-");

/** `type/subtype`, each a non-empty token. */
function isMediaType(type: string): boolean {
  const slash = type.indexOf("/");
  if (slash <= 0 || slash === type.length - 1) return false;
  for (let i = 0; i < type.length; i++) if (i !== slash && !TOKEN_CHARS.has(type[i])) return false;
  return true;
}

/** What `\s` matches in a JavaScript regular expression: the whitespace `trim` removes too. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

const isLineTerminator = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;

/**
 * The `;name=value` parameters from `from` on: a value is a quoted string (backslash escapes any character but
 * a line break) or, when no closing quote follows, the text up to the next `;` or blank. A `;` that starts no
 * parameter is skipped; a later name overrides an earlier one.
 */
function readParameters(value: string, from: number, params: Record<string, string>): void {
  const n = value.length;
  for (let at = from; at !== -1; ) {
    let i = at + 1;
    while (i < n && isSpace(value.charCodeAt(i))) i++;
    const nameStart = i;
    for (let c = value.charCodeAt(i); i < n && c !== 0x3d && c !== 0x3b && !isSpace(c); c = value.charCodeAt(++i));
    const nameEnd = i;
    while (i < n && isSpace(value.charCodeAt(i))) i++;
    if (nameEnd === nameStart || value.charCodeAt(i) !== 0x3d) {
      at = value.indexOf(";", at + 1);
      continue;
    }
    i++;
    while (i < n && isSpace(value.charCodeAt(i))) i++;
    const quoted = value.charCodeAt(i) === 0x22 ? quotedString(value, i) : undefined;
    let text: string;
    if (quoted) {
      text = quoted.text;
      i = quoted.end;
    } else {
      const start = i;
      for (let c = value.charCodeAt(i); i < n && c !== 0x3b && !isSpace(c); c = value.charCodeAt(++i));
      text = value.slice(start, i);
    }
    params[value.slice(nameStart, nameEnd).toLowerCase()] = text;
    at = value.indexOf(";", i);
  }
}

/** The quoted string opening at `open`, unescaped, and the index after its closing quote; undefined when unterminated. */
function quotedString(value: string, open: number): { text: string; end: number } | undefined {
  let text = "";
  let run = open + 1;
  for (let i = open + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) return { text: text + value.slice(run, i), end: i + 1 };
    if (c === 0x5c) {
      if (i + 1 >= value.length || isLineTerminator(value.charCodeAt(i + 1))) return undefined;
      text += value.slice(run, i);
      run = ++i;
    }
  }
  return undefined;
}

/** `type/subtype; name="value"; …` with quoted parameters, as RFC 2045 writes them. */
export function parseContentType(value: string): { type: string; params: Record<string, string> } {
  const semicolon = value.indexOf(";");
  const type = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const params: Record<string, string> = {};
  // Only a value with a `;` has parameters to scan for.
  if (semicolon !== -1) readParameters(value, semicolon, params);
  return { type: isMediaType(type) ? type : "text/plain", params };
}

function splitMime(
  text: string,
  source: string,
  depth: number,
  limits: Limits,
  documents: Document[],
  unverifiable: Unverifiable[],
  state: { parts: number; capped: boolean },
): void {
  const { headers, bodyStart } = readHeaders(text);
  const body = text.slice(bodyStart);
  if (!headers.contentType.startsWith("multipart/")) {
    addLeaf(headers, body, source, limits, documents, unverifiable, state);
    return;
  }
  if (depth >= limits.maxDepth) {
    unverifiable.push({
      location: { source },
      reason: `MIME parts are nested more than ${limits.maxDepth} deep, over the pack's cap, so the inner ones were not read`,
    });
    return;
  }
  const boundary = headers.params.boundary;
  if (!boundary) {
    unverifiable.push({ location: { source }, reason: "a multipart MIME document has no boundary, so its parts cannot be read" });
    return;
  }
  for (const part of multipartBodies(body, boundary)) {
    if (state.parts >= limits.maxParts) {
      if (!state.capped) {
        unverifiable.push({
          location: { source },
          reason: `the user data has more than ${limits.maxParts} MIME parts, over the pack's cap, so the rest were not read`,
        });
        state.capped = true;
      }
      return;
    }
    splitMime(part, source, depth + 1, limits, documents, unverifiable, state);
  }
}

/** The bodies between `--boundary` lines, up to the closing `--boundary--`. */
export function multipartBodies(body: string, boundary: string): string[] {
  const parts: string[] = [];
  const delimiter = `--${boundary}`;
  let partStart = -1;
  // Only a line that starts with the delimiter can be a boundary line: go from one occurrence to the next.
  for (let at = body.indexOf(delimiter); at !== -1; at = body.indexOf(delimiter, at + 1)) {
    if (at > 0 && body.charCodeAt(at - 1) !== 0x0a) continue;
    let eol = body.indexOf("\n", at);
    if (eol === -1) eol = body.length;
    const lineEnd = endBeforeCr(body, at, eol);
    const after = at + delimiter.length;
    if (after > lineEnd) continue;
    const closing = body.startsWith("--", after) && after + 2 <= lineEnd;
    if (!blanksOnly(body, after + (closing ? 2 : 0), lineEnd)) continue;
    if (partStart !== -1) parts.push(withoutFinalCr(body.slice(partStart, Math.max(partStart, at - 1))));
    if (closing) return parts;
    // A boundary line at the very end still opens a part, an empty one (Python's email parser).
    partStart = Math.min(eol + 1, body.length);
  }
  // No closing delimiter: Python's email parser (cloud-init's) ends the last part at the end, less one line ending.
  if (partStart !== -1) {
    const rest = body.slice(partStart);
    parts.push(rest.endsWith("\n") ? withoutFinalCr(rest.slice(0, -1)) : rest);
  }
  return parts;
}

/** Only spaces and tabs from `from` to `to`. */
function blanksOnly(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

const withoutFinalCr = (text: string): string => (text.endsWith("\r") ? text.slice(0, -1) : text);

function addLeaf(
  headers: Headers,
  body: string,
  parent: string,
  limits: Limits,
  documents: Document[],
  unverifiable: Unverifiable[],
  state: { parts: number; capped: boolean },
): void {
  state.parts++;
  const declared = headers.contentType || "text/plain";
  const source = `${parent} part ${state.parts} (${declared})`;
  let text = body;
  // Only a base64 or quoted-printable body can hold gzip's magic bytes: as UTF-8 text, 0x8b never follows 0x1f.
  if (headers.transferEncoding === "base64" || headers.transferEncoding === "quoted-printable") {
    let bytes: Buffer | undefined = headers.transferEncoding === "base64" ? Buffer.from(body, "base64") : Buffer.from(decodeQuotedPrintable(body), "latin1");
    bytes = maybeGunzip(bytes, limits, { source }, unverifiable);
    if (!bytes) return;
    text = bytes.toString("utf8");
  }
  const contentType =
    declared === "text/plain" || declared === "application/octet-stream" || declared === "application/x-gzip" ? sniffContentType(text) : declared;
  documents.push({ source, contentType, text });
}

function decodeQuotedPrintable(body: string): string {
  return body.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
