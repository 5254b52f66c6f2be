/**
 * KubeletConfiguration documents: reading a setting at its field path with the
 * type the kubelet's decoder demands.
 */
import type { SettingSpec, SettingValue } from "./settings";
import { parseGoDuration, type Parsed } from "./values";

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Stands in for an expansion the boot reader cannot resolve, in text written to a file: no blanks, never a variable name. */
export const UNRESOLVED_MARK = "$(computed-at-boot)";

/** Text with each unresolved expansion replaced by the mark, so that it stays one word wherever the text goes. */
export function markUnresolved(text: string, unresolved: readonly string[]): string {
  let result = text;
  for (const raw of unresolved) result = result.split(raw).join(UNRESOLVED_MARK);
  return result;
}

/** Whether a config value (or any string inside it) was written from an expansion known only at boot. */
export function holdsUnresolved(value: unknown): boolean {
  if (typeof value === "string") return value.includes(UNRESOLVED_MARK);
  if (Array.isArray(value)) return value.some(holdsUnresolved);
  return isPlainObject(value) && Object.values(value).some(holdsUnresolved);
}

/** Own-property lookup of a dotted path; never walks prototypes. */
export function getPath(doc: unknown, path: string): unknown {
  let node: unknown = doc;
  for (const key of path.split(".")) {
    if (!isPlainObject(node) || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * The typed value of a setting in a config document: undefined when unset,
 * an error when the kubelet's decoder would reject the field.
 */
export function readConfigValue(spec: SettingSpec, raw: unknown): Parsed<SettingValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const wrongType = (expected: string): Parsed<SettingValue> => ({
    ok: false,
    error: `${spec.configPath} must be ${expected}, not ${JSON.stringify(raw)}`,
  });
  switch (spec.kind) {
    case "bool":
      return typeof raw === "boolean" ? { ok: true, value: raw } : wrongType("a boolean");
    case "int32":
    case "int64": {
      if (typeof raw !== "number" || !Number.isInteger(raw)) return wrongType("an integer");
      const limit = spec.kind === "int32" ? 2 ** 31 : 2 ** 63;
      return raw < limit && raw >= -limit ? { ok: true, value: raw } : wrongType(`a ${spec.kind}`);
    }
    case "duration": {
      // metav1.Duration only unmarshals from a string: `0` as a YAML integer is rejected.
      if (typeof raw !== "string") return wrongType('a duration string such as "4h"');
      const d = parseGoDuration(raw);
      return d.ok ? { ok: true, value: raw } : { ok: false, error: `${spec.configPath}: ${d.error}` };
    }
    case "string":
      return typeof raw === "string" ? { ok: true, value: raw } : wrongType("a string");
    case "stringList":
      return Array.isArray(raw) && raw.every((x) => typeof x === "string") ? { ok: true, value: raw as string[] } : wrongType("a list of strings");
    case "gateMap": {
      if (!isPlainObject(raw)) return wrongType("a map of feature gates to booleans");
      const gates: Record<string, boolean> = {};
      for (const [gate, enabled] of Object.entries(raw)) {
        if (typeof enabled !== "boolean") return wrongType("a map of feature gates to booleans");
        gates[gate] = enabled;
      }
      return { ok: true, value: gates };
    }
  }
}

const BARE = /^[A-Za-z_][\w./:-]*$/;

/** A value as a person would write it in YAML. */
export function formatValue(value: unknown): string {
  // Most values are booleans and numbers: their JSON is their string.
  if (typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return String(value);
  if (typeof value === "string") return BARE.test(value) && !/^(true|false|null)$/i.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
