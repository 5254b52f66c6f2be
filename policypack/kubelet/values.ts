/**
 * The Go value grammars the kubelet uses for its flags and config fields:
 * strconv.ParseBool, strconv.ParseInt(s, 0, bits) and time.ParseDuration.
 * Each parser returns a result instead of throwing, so callers can turn a
 * malformed value into a finding ("the kubelet would refuse to start").
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** strconv.ParseBool: exactly these twelve spellings. */
export function parseGoBool(s: string): Parsed<boolean> {
  if (TRUE_WORDS.has(s)) return ok(true);
  if (FALSE_WORDS.has(s)) return ok(false);
  return fail(`strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
}

const DIGITS_BY_BASE: Record<number, RegExp> = {
  2: /^[01]+$/,
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};

/** Go's strconv.underscoreOK: underscores only between digits or after a base prefix. */
function underscoreOK(literal: string): boolean {
  let s = literal.replace(/^[+-]/, "");
  let saw = "^";
  let hex = false;
  if (/^0[bBoOxX]/.test(s)) {
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
    s = s.slice(2);
  }
  for (const c of s) {
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
    } else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

/**
 * strconv.ParseInt(s, 0, bits): optional sign, base prefixes 0x 0o 0b and a
 * bare leading 0 for octal, underscores as Go integer literals allow them, and a range check on `bits`.
 */
const PLAIN_DECIMAL = /^[+-]?(0|[1-9][0-9]{0,8})$/;

export function parseGoInt(s: string, bits: 32 | 64): Parsed<number> {
  // The common case, a short decimal, fits every range: no BigInt needed.
  if (PLAIN_DECIMAL.test(s)) return ok(Number(s));
  const syntax = fail<number>(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  let body = s;
  let negative = false;
  if (body.startsWith("+") || body.startsWith("-")) {
    negative = body.startsWith("-");
    body = body.slice(1);
  }
  if (body === "") return syntax;
  let base = 10;
  const lower = body.slice(0, 2).toLowerCase();
  if (lower === "0x" || lower === "0o" || lower === "0b") {
    base = lower === "0x" ? 16 : lower === "0o" ? 8 : 2;
    body = body.slice(2);
  } else if (body.length > 1 && body.startsWith("0")) {
    base = 8;
    body = body.slice(1);
  }
  if (body.includes("_")) {
    if (!underscoreOK(s)) return syntax;
    body = body.replace(/_/g, "");
  }
  if (body === "" || !DIGITS_BY_BASE[base].test(body)) return syntax;
  let magnitude = 0n;
  const big = BigInt(base);
  for (const ch of body) magnitude = magnitude * big + BigInt(parseInt(ch, base));
  const value = negative ? -magnitude : magnitude;
  const limit = 1n << BigInt(bits - 1);
  if (value >= limit || value < -limit) {
    return fail(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  }
  return ok(Number(value));
}

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3,
  "\u03bcs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
// int64 nanoseconds: time.ParseDuration rejects anything from 2^63 up.
const MAX_DURATION_NANOS = 2 ** 63;

/** time.ParseDuration, returning nanoseconds. `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or the bare "0". */
export function parseGoDuration(s: string): Parsed<number> {
  const invalid = fail<number>(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return ok(0);
  if (rest === "") return invalid;
  let total = 0;
  let i = 0;
  while (i < rest.length) {
    const start = i;
    while (i < rest.length && rest[i] >= "0" && rest[i] <= "9") i++;
    const intPart = rest.slice(start, i);
    let fracPart = "";
    let sawDot = false;
    if (rest[i] === ".") {
      sawDot = true;
      i++;
      const fracStart = i;
      while (i < rest.length && rest[i] >= "0" && rest[i] <= "9") i++;
      fracPart = rest.slice(fracStart, i);
    }
    if (intPart === "" && fracPart === "") return invalid;
    if (!sawDot && start === i) return invalid;
    const unitStart = i;
    while (i < rest.length && rest[i] !== "." && !(rest[i] >= "0" && rest[i] <= "9")) i++;
    const unit = rest.slice(unitStart, i);
    if (unit === "") return fail(`time: missing unit in duration ${JSON.stringify(s)}`);
    const scale = UNIT_NANOS[unit];
    if (scale === undefined) {
      return fail(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`);
    }
    const amount = Number(intPart || "0") + (fracPart ? Number(`0.${fracPart}`) : 0);
    total += amount * scale;
    if (total >= MAX_DURATION_NANOS) return invalid;
  }
  return ok(negative ? -total : total);
}

/** Human text for a duration in nanoseconds, Go style ("4h0m0s" becomes "4h"). */
export function formatDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  const sign = nanos < 0 ? "-" : "";
  let rest = Math.abs(nanos);
  const parts: string[] = [];
  for (const [unit, size] of [
    ["h", 3600e9],
    ["m", 60e9],
    ["s", 1e9],
    ["ms", 1e6],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ns`);
  return sign + parts.join("");
}
