/**
 * Remediation: the certain fixes of one rule's findings, as property changes. A fix is the setting's
 * own text rewritten where the user wrote it (or the API field set), and it is kept only when the
 * whole analysis, run again on the changed properties, no longer has the finding and has nothing it
 * did not have before; a fix with no such place, or with more than one, is not made (no guessing).
 */
import { evaluateRule, RULES, viewOf, type Finding, type Rule } from "../kubelet/rules";
import { describeLocation } from "../kubelet/provenance";
import { AKS } from "../platforms/azure";
import { GKE } from "../platforms/gcp";
import type { Adapter } from "../platforms/index";
import { isUnknown } from "../platforms/props";
import { carriersOf, editsIn, replaceAt } from "./text";

export type PropertyPath = (string | number)[];

/** One property set to a value (undefined: the key removed). */
export interface PropertyChange {
  path: PropertyPath;
  value: unknown;
}

export interface RemediationPlan {
  changes: PropertyChange[];
  /** Findings with a certain fix that has no single place to make it. */
  unfixed: string[];
}

const MAX_FIXES = 32;
const MAX_LEAVES = 10_000;

const pathText = (path: PropertyPath): string =>
  path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${key}` : key), "");

/** Each rule's parameters at their schema defaults, for the rules other than the one remediating. */
const DEFAULT_PARAMS = new Map<Rule, Record<string, unknown>>(
  RULES.map((r) => [r, Object.fromEntries(Object.entries(r.params).flatMap(([key, p]) => (p.default !== undefined ? [[key, p.default]] : [])))]),
);

/** Everything the pack would say about the resource, and the findings of `rule`; undefined when the analysis fails. */
function outcome(
  adapter: Adapter,
  props: Record<string, unknown>,
  rule: Rule,
  params: Record<string, unknown>,
): { said: Set<string>; findings: Finding[] } | undefined {
  try {
    const analysis = adapter.analyze(props);
    const said = new Set<string>([
      ...analysis.unknown.map((u) => `unknown ${u}`),
      ...analysis.unverifiable.map((u) => `unverifiable ${describeLocation(u.location)}: ${u.reason}`),
    ]);
    const findings: Finding[] = [];
    for (const node of analysis.nodes) {
      const view = viewOf(node);
      for (const r of RULES) {
        for (const finding of evaluateRule(r, node, view, r === rule ? params : DEFAULT_PARAMS.get(r)!)) {
          said.add(`${r.policy} ${finding.message}`);
          if (r === rule) findings.push(finding);
        }
      }
    }
    return { said, findings };
  } catch {
    return undefined;
  }
}

/** Every string and number in the properties, with its path. */
function leaves(value: unknown, path: PropertyPath = [], found: { path: PropertyPath; value: string | number }[] = []): typeof found {
  if (found.length >= MAX_LEAVES || isUnknown(value)) return found;
  if (typeof value === "string" || typeof value === "number") found.push({ path, value });
  else if (Array.isArray(value)) value.forEach((item, i) => leaves(item, [...path, i], found));
  else if (value && typeof value === "object") for (const [key, item] of Object.entries(value)) leaves(item, [...path, key], found);
  return found;
}

/** The field's value for a kubelet value on the platforms whose API fields carry kubelet settings. */
function fieldValue(field: string, kubeletValue: unknown): unknown {
  for (const platform of [GKE, AKS]) {
    const value = platform.fields[field]?.fromKubelet(kubeletValue);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The changes that could make the finding's fix, before any is checked. */
function candidates(props: Record<string, unknown>, finding: Finding): PropertyChange[] {
  const remedy = finding.remedy!;
  const { provenance } = remedy;
  const found: PropertyChange[] = [];
  for (const leaf of leaves(props)) {
    const where = pathText(leaf.path);
    const key = leaf.path[leaf.path.length - 1];
    if (provenance.form === "field" && where === provenance.source && remedy.kind === "set") {
      const value = fieldValue(String(key), remedy.value);
      if (value !== undefined && value !== leaf.value) found.push({ path: leaf.path, value });
      continue;
    }
    // kubeletExtraArgs maps (kubeadm, Cluster API): the flag is the key, its value the leaf.
    if (provenance.form === "flag" && pathText(leaf.path.slice(0, -1)) === provenance.source && provenance.text.startsWith(`--${String(key)}=`)) {
      found.push({ path: leaf.path, value: remedy.kind === "remove" ? undefined : String(remedy.value) });
      continue;
    }
    if (typeof leaf.value !== "string") continue;
    for (const carrier of carriersOf(leaf.value)) {
      for (const edit of editsIn(carrier.text, provenance, remedy)) {
        found.push({ path: leaf.path, value: carrier.encode(replaceAt(carrier.text, edit.at, edit.length, edit.replacement)) });
      }
    }
  }
  return found;
}

/** Makes the change on `target` in place: through the SDK's props proxy, or on a plain copy. */
export function setAt(target: Record<string, unknown>, change: PropertyChange): void {
  let node = target as Record<string | number, unknown>;
  for (const key of change.path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = change.path[change.path.length - 1];
  if (change.value === undefined) delete node[last];
  else node[last] = change.value;
}

function applied(props: Record<string, unknown>, change: PropertyChange): Record<string, unknown> {
  const copy = structuredClone(props);
  setAt(copy, change);
  return copy;
}

/**
 * The changes that fix the rule's findings on these (plain, extracted) properties. Each change is
 * checked by analysing the changed properties again: the finding is gone and nothing new is said.
 */
export function planRemediation(adapter: Adapter, props: Record<string, unknown>, rule: Rule, params: Record<string, unknown>): RemediationPlan {
  const changes: PropertyChange[] = [];
  const unfixed: string[] = [];
  const tried = new Set<string>();
  let current = props;
  for (let round = 0; round < MAX_FIXES; round++) {
    const before = outcome(adapter, current, rule, params);
    const finding = before?.findings.find((f) => f.remedy && !tried.has(f.message));
    if (!before || !finding) break;
    tried.add(finding.message);
    const passing = candidates(current, finding).filter((change) => {
      const after = outcome(adapter, applied(current, change), rule, params);
      return after !== undefined && !after.findings.some((f) => f.message === finding.message) && [...after.said].every((s) => before.said.has(s));
    });
    if (passing.length !== 1) {
      unfixed.push(finding.message);
      continue;
    }
    current = applied(current, passing[0]);
    changes.push(passing[0]);
    // a fixed finding's message may recur elsewhere; the next round sees the changed properties afresh
    tried.clear();
    for (const message of unfixed) tried.add(message);
  }
  return { changes, unfixed };
}
