/**
 * Safe reading of resource properties as the policy SDK hands them over: a
 * proxy that throws on values unknown during preview. Values are copied into
 * plain data, unknowns replaced by a marker, with bounded depth and size, so
 * no property shape can make the pack throw.
 */

/** The engine's sentinel for an unknown string, as it may also arrive unproxied. */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_KEY = "__kubeletGuardUnknown";

export interface UnknownMarker {
  readonly [UNKNOWN_KEY]: true;
}
export const UNKNOWN: UnknownMarker = Object.freeze({ [UNKNOWN_KEY]: true as const });

export function isUnknown(value: unknown): value is UnknownMarker {
  return value === UNKNOWN;
}

const MAX_DEPTH = 32;
const MAX_ENTRIES = 10_000;

/** Deep copy of `value` with unknowns replaced by UNKNOWN; never throws. */
export function materialize(value: unknown, budget = { entries: MAX_ENTRIES }, depth = 0): unknown {
  if (typeof value === "string") return value === UNKNOWN_SENTINEL ? UNKNOWN : value;
  if (value === UNKNOWN) return UNKNOWN;
  if (value === null || typeof value !== "object") return typeof value === "function" || typeof value === "symbol" ? undefined : value;
  if (depth > MAX_DEPTH || budget.entries <= 0) return undefined;
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return UNKNOWN;
  }
  const isArray = safe(() => Array.isArray(value), false);
  const copy: Record<string, unknown> | unknown[] = isArray ? [] : {};
  for (const key of keys) {
    if (--budget.entries <= 0) break;
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch {
      item = UNKNOWN;
    }
    const copied = materialize(item, budget, depth + 1);
    if (isArray) (copy as unknown[])[Number(key)] = copied;
    else if (key !== "__proto__") (copy as Record<string, unknown>)[key] = copied;
  }
  return copy;
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Reads `path` (dotted) from materialized data. */
export function pick(data: unknown, path: string): unknown {
  let node = data;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || isUnknown(node)) return node === UNKNOWN ? UNKNOWN : undefined;
    node = Object.prototype.hasOwnProperty.call(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** Copies only the named top-level properties, so nothing else is walked. */
export function extract(props: unknown, keys: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (props === null || typeof props !== "object") return result;
  for (const key of keys) {
    let has = false;
    try {
      has = key in props;
    } catch {
      has = false;
    }
    if (!has) continue;
    let value: unknown;
    try {
      value = (props as Record<string, unknown>)[key];
    } catch {
      value = UNKNOWN;
    }
    const copied = materialize(value);
    if (copied !== undefined) result[key] = copied;
  }
  return result;
}
