/**
 * Policy pack configuration, read and checked the way the Pulumi CLI reads and checks
 * `--policy-pack-config` (pulumi/pulumi pkg/resource/analyzer/config.go: parsePolicyPackConfig,
 * extractEnforcementLevel, validatePolicyConfig), with the messages it prints, and stricter where
 * the CLI is silent and a typo would weaken a security policy: an unknown policy name or an
 * unknown key is an error here.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { PolicyConfigSchema } from "@pulumi/policy";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

/** One policy's entry after reading: its level, if given, and its other keys. */
export interface PolicyEntry {
  enforcementLevel?: EnforcementLevel;
  properties: Record<string, unknown>;
}

export interface ConfigurablePolicy {
  name: string;
  configSchema?: PolicyConfigSchema;
}

/** The reserved name whose level applies to every policy (the CLI's applyConfig). */
export const ALL_POLICIES = "all";

const isLevel = (value: unknown): value is EnforcementLevel => typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Go's %v of a JSON value, as the CLI's messages print it. */
function goValue(value: unknown): string {
  if (value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (isObject(value))
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValue(value[k])}`)
      .join(" ")}]`;
  return String(value);
}

/** The policies' entries of a parsed config file (flat, or `"version": 2` with `policies`), or the CLI's error. */
export function readPolicyEntries(file: unknown): { entries: Map<string, PolicyEntry>; errors: string[] } {
  const entries = new Map<string, PolicyEntry>();
  if (file === null || file === undefined) return { entries, errors: [] };
  if (!isObject(file)) return { entries, errors: [`the policy pack config must be a JSON object, not ${goValue(file)}`] };
  let policies: Record<string, unknown> = file;
  if (typeof file.version === "number") {
    if (file.version > 2) return { entries, errors: [`policy pack config version ${file.version} isn't supported; try upgrading the Pulumi CLI`] };
    if (file.version !== 2) return { entries, errors: ['"version" must be 2'] };
    if (file.policies !== undefined && !isObject(file.policies)) return { entries, errors: ['"policies" must be an object'] };
    policies = (file.policies as Record<string, unknown> | undefined) ?? {};
  }
  if ("environments" in policies && policies === file) {
    return { entries, errors: ['"environments" are Pulumi ESC environments, which only the Pulumi CLI can open; kubelet-guard scan cannot read them'] };
  }
  for (const [name, value] of Object.entries(policies)) {
    if (typeof value === "string") {
      if (!isLevel(value)) return { entries, errors: [`parsing enforcement level for "${name}": "${value}" is not a valid enforcement level`] };
      entries.set(name, { enforcementLevel: value, properties: {} });
    } else if (isObject(value)) {
      const { enforcementLevel, ...properties } = value;
      if (enforcementLevel !== undefined && typeof enforcementLevel !== "string") {
        return {
          entries,
          errors: [`parsing enforcement level for "${name}": ${goValue(enforcementLevel)} is not a valid enforcement level; must be a string`],
        };
      }
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        return { entries, errors: [`parsing enforcement level for "${name}": "${enforcementLevel}" is not a valid enforcement level`] };
      }
      entries.set(name, { enforcementLevel, properties });
    } else {
      return { entries, errors: [`parsing "${name}": ${goValue(value)} is not a valid value; must be a string or object`] };
    }
  }
  return { entries, errors: [] };
}

/** The closest known name, for "did you mean" (edit distance at most a third of the name). */
function closest(name: string, known: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = row;
    }
    return previous[b.length];
  };
  const ranked = known.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d);
  return ranked.length && ranked[0].d <= Math.max(2, Math.floor(name.length / 3)) ? ranked[0].k : undefined;
}

const jsonType = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value);

/** An Ajv error in gojsonschema's words, which the Pulumi CLI prints ("field: description"). */
function describeError(error: ErrorObject, config: Record<string, unknown>): string {
  const field = error.instancePath ? error.instancePath.slice(1).split("/").join(".") : "";
  const at = (text: string): string => (field ? `${field}: ${text}` : text);
  const data = error.instancePath
    .slice(1)
    .split("/")
    .filter(Boolean)
    .reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], config);
  switch (error.keyword) {
    case "type":
      return at(`Invalid type. Expected: ${String(error.params.type).replace(",", " or ")}, given: ${jsonType(data)}`);
    case "required":
      return at(`${String(error.params.missingProperty)} is required`);
    case "additionalProperties":
      return at(`Additional property ${String(error.params.additionalProperty)} is not allowed`);
    case "enum":
      return at(
        `${field.split(".").pop() ?? field} must be one of the following: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      );
    case "pattern":
      return at(`Does not match pattern '${String(error.params.pattern)}'`);
    case "minimum":
      return at(`Must be greater than or equal to ${String(error.params.limit)}`);
    case "maximum":
      return at(`Must be less than or equal to ${String(error.params.limit)}`);
    default:
      return at(error.message ?? error.keyword);
  }
}

const validators = new WeakMap<PolicyConfigSchema, ValidateFunction>();
const ajv = new Ajv({ allErrors: true, strict: false });

/** The policy's schema as the CLI wraps it (convertSchema), closed to keys the policy does not read. */
function validatorFor(schema: PolicyConfigSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile({ type: "object", properties: schema.properties, required: schema.required ?? [], additionalProperties: false });
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Every error in a parsed config file for these policies, each naming the policy and the key
 * ("policy: key: description"); none means the file configures exactly what it says.
 */
export function checkPackConfig(file: unknown, policies: readonly ConfigurablePolicy[]): { entries: Map<string, PolicyEntry>; errors: string[] } {
  const read = readPolicyEntries(file);
  if (read.errors.length) return read;
  const errors: string[] = [];
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const [name, entry] of read.entries) {
    const policy = byName.get(name);
    if (name === ALL_POLICIES) {
      for (const key of Object.keys(entry.properties)) errors.push(`${name}: ${key}: only "enforcementLevel" can be set for all policies`);
      continue;
    }
    if (!policy) {
      const hint = closest(name, [...byName.keys()]);
      errors.push(`${name}: no such policy in kubelet-guard${hint ? ` (did you mean "${hint}"?)` : ""}; \`kubelet-guard policies\` lists them`);
      continue;
    }
    if (!policy.configSchema) {
      for (const key of Object.keys(entry.properties)) errors.push(`${name}: ${key}: the policy takes no configuration`);
      continue;
    }
    const validate = validatorFor(policy.configSchema);
    if (!validate(entry.properties)) for (const error of validate.errors ?? []) errors.push(`${name}: ${describeError(error, entry.properties)}`);
  }
  return { entries: read.entries, errors };
}
