/**
 * kubelet-guard as a library: `require("kubelet-guard/policies")` gives the policies for an
 * organization's own PolicyPack, selected and configured. Loading it constructs no pack (only
 * one PolicyPack may exist in a process: @pulumi/policy policy.js).
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { ALL_POLICIES, checkPackConfig, type EnforcementLevel } from "./pack/config";
import { policies as allPolicies } from "./pack/policies";

type PolicyConfigJSONSchema = PolicyConfigSchema["properties"][string];

export type { EnforcementLevel } from "./pack/config";

/** Every kubelet-guard policy, at its default level and configuration. */
export const policies: readonly ResourceValidationPolicy[] = allPolicies;

export const policyNames: readonly string[] = allPolicies.map((p) => p.name);

export interface PolicySelection {
  /** Only these policies (names); all when absent. */
  include?: readonly string[];
  /** Not these policies (names). */
  exclude?: readonly string[];
  /**
   * Levels and settings, in the shape of `--policy-pack-config`:
   * `{ "all": "advisory", "kubelet-pod-max-pids": { "enforcementLevel": "mandatory", "maximum": 4096 } }`.
   * Settings become the defaults the CLI fills in, so a policy group's config still overrides them.
   */
  config?: Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;
}

/** Copies of the selected policies with the levels and settings given; throws on an unknown name or a bad setting. */
export function selectPolicies(selection: PolicySelection = {}): ResourceValidationPolicy[] {
  const unknown = [...(selection.include ?? []), ...(selection.exclude ?? [])].filter((name) => !policyNames.includes(name));
  const { entries, errors } = checkPackConfig(selection.config ?? {}, allPolicies);
  const problems = [...unknown.map((name) => `${name}: no such policy in kubelet-guard`), ...errors];
  if (problems.length) throw new Error(`kubelet-guard: invalid policy selection:\n  ${problems.join("\n  ")}`);
  const allLevel = entries.get(ALL_POLICIES)?.enforcementLevel;
  return allPolicies
    .filter((p) => (!selection.include || selection.include.includes(p.name)) && !selection.exclude?.includes(p.name))
    .map((policy) => {
      const entry = entries.get(policy.name);
      const schema = policy.configSchema as PolicyConfigSchema;
      const given = entry?.properties ?? {};
      const properties = Object.fromEntries(
        Object.entries(schema.properties).map(([key, property]): [string, PolicyConfigJSONSchema] => [
          key,
          key in given ? { ...property, default: given[key] as PolicyConfigJSONSchema["default"] } : property,
        ]),
      );
      return {
        ...policy,
        enforcementLevel: entry?.enforcementLevel ?? allLevel ?? policy.enforcementLevel,
        configSchema: { ...schema, properties },
      };
    });
}
