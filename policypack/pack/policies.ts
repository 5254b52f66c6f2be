/**
 * The CrossGuard policies, one per catalog rule: metadata from the catalog,
 * a config schema with its defaults, exclusions and exemptions, and the
 * shared per-resource analysis.
 */
import type { PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { describeLocation } from "../kubelet/provenance";
import { evaluateRule, RULES, type Rule } from "../kubelet/rules";
import type { ResourceReport } from "./analysis";

export const VERIFIABLE_POLICY = "kubelet-node-config-verifiable";

/** What the policies call to read a resource and to fix it. */
interface Engine {
  analyzeResource: typeof import("./analysis").analyzeResource;
  adapterFor: typeof import("../platforms/index").adapterFor;
  extract: typeof import("../platforms/props").extract;
  planRemediation: typeof import("../remediate/index").planRemediation;
  setAt: typeof import("../remediate/index").setAt;
}
let engine: Engine | undefined;

/**
 * The analysis (user-data formats, YAML and TOML parsers, the node's boot) loads with the first resource, not
 * with the pack: GetAnalyzerInfo, which the CLI waits for before it goes on, needs only the rule catalog.
 * Called outside any try, so a pack that cannot load its analysis fails the preview instead of passing it.
 */
function loadEngine(): Engine {
  if (!engine) {
    const { analyzeResource } = require("./analysis") as typeof import("./analysis");
    const { adapterFor } = require("../platforms/index") as typeof import("../platforms/index");
    const { extract } = require("../platforms/props") as typeof import("../platforms/props");
    const { planRemediation, setAt } = require("../remediate/index") as typeof import("../remediate/index");
    engine = { analyzeResource, adapterFor, extract, planRemediation, setAt };
  }
  return engine;
}

export interface Exemption {
  resource: string;
  reason: string;
  expires?: string;
}

const COMMON_SCHEMA: PolicyConfigSchema["properties"] = {
  excludeResources: {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Resource names or URNs (globs: * and ?) this policy does not check.",
  },
  exemptions: {
    type: "array",
    default: [],
    description:
      "Waivers for named resources, each with a reason and an optional expiry date (YYYY-MM-DD); an expired exemption stops applying and is reported.",
    items: {
      type: "object",
      properties: {
        resource: { type: "string", description: "Resource name or URN glob." },
        reason: { type: "string", description: "Why the resource is exempt." },
        expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Last day the exemption applies (UTC)." },
      },
      required: ["resource", "reason"],
      additionalProperties: false,
    },
  },
};

export function configSchema(rule: Rule): PolicyConfigSchema {
  return { properties: { ...COMMON_SCHEMA, ...(rule.params as PolicyConfigSchema["properties"]) } };
}

/**
 * Glob with `*` and `?` over the whole name or URN, matched without regular
 * expressions (linear backtracking to the last `*`), so no configured glob can be slow.
 */
export function globMatches(glob: string, value: string): boolean {
  let g = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (g < glob.length && (glob[g] === "?" || glob[g] === value[v])) {
      g++;
      v++;
    } else if (g < glob.length && glob[g] === "*") {
      star = g++;
      resume = v;
    } else if (star !== -1) {
      g = star + 1;
      v = ++resume;
    } else return false;
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}

const matchesResource = (glob: unknown, args: { name: string; urn: string }): boolean =>
  typeof glob === "string" && (globMatches(glob, args.name) || globMatches(glob, args.urn));

/** Findings of one rule over one resource's report, as message lines. */
export function ruleMessages(rule: Rule, report: ResourceReport, params: Record<string, unknown>): string[] {
  const messages: string[] = [];
  for (const { node, view } of report.nodes) {
    for (const finding of evaluateRule(rule, node, view, params)) messages.push(finding.message);
  }
  if (rule.policy === VERIFIABLE_POLICY) {
    for (const path of report.unknown) {
      messages.push(
        `${path} is computed from other resources and not known in this run, so it cannot be checked here; if it configures a kubelet, kubelet-guard checks it in a run where the value is known`,
      );
    }
    for (const u of report.unverifiable) messages.push(`${describeLocation(u.location)}: ${u.reason}`);
    if (report.internalError) messages.push(`kubelet-guard could not analyse this ${report.adapter.kind} (internal ${report.internalError}); please report it`);
  }
  return messages.length > 1 ? [...new Set(messages)] : messages;
}

/**
 * The SDK's not-applicable signal is an exception; most resources of a stack
 * raise it once per policy, so it is raised without capturing a stack trace.
 */
function notApplicable(args: ResourceValidationArgs, reason: string): never {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return args.notApplicable(reason);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function validate(rule: Rule, args: ResourceValidationArgs, report: ReportViolation): void {
  const { analyzeResource } = loadEngine();
  let analysis: ResourceReport | undefined;
  try {
    analysis = analyzeResource(args.type, args.urn, args.props);
  } catch (error) {
    process.stderr.write(`kubelet-guard: ${String((error as Error)?.stack ?? error)}\n`);
    return;
  }
  if (!analysis) notApplicable(args, `kubelet-guard does not read ${args.type}`);
  if (!analysis.nodes.length && !analysis.unknown.length && !analysis.unverifiable.length && !analysis.internalError) {
    notApplicable(args, "no kubelet configuration in this resource");
  }
  let messages: string[];
  try {
    messages = applicableMessages(rule, analysis, args);
  } catch (error) {
    // A policy must never fail the preview: the failure is logged, and reported once, as advisory information.
    process.stderr.write(`kubelet-guard: policy ${rule.policy} failed on ${args.urn}: ${String((error as Error)?.stack ?? error)}\n`);
    messages = rule.policy === VERIFIABLE_POLICY ? [`kubelet-guard could not evaluate this ${analysis.adapter.kind} (internal error); please report it`] : [];
  }
  for (const message of messages) report(message);
}

/** Why a finding on a resource is not reported: the policy's config excludes or exempts the resource. */
export type Waiver = { kind: "excluded"; resource: string } | { kind: "exempted"; resource: string; reason: string; expires?: string };

/**
 * The waiver the policy's config grants the resource, if any, and the note for an exemption that has
 * expired (which no longer applies, and is reported with the findings).
 */
export function waiverOf(config: Record<string, unknown>, args: { name: string; urn: string }, now?: Date): { waiver?: Waiver; expired?: string } {
  const excluded = Array.isArray(config.excludeResources) ? config.excludeResources : [];
  const glob = excluded.find((g) => matchesResource(g, args));
  if (glob !== undefined) return { waiver: { kind: "excluded", resource: String(glob) } };
  const exemptions = (Array.isArray(config.exemptions) ? config.exemptions : []) as Exemption[];
  const exemption = exemptions.find((e) => e && matchesResource(e.resource, args));
  if (!exemption) return {};
  if (!exemption.expires || !isExpired(exemption.expires, now)) {
    return { waiver: { kind: "exempted", resource: exemption.resource, reason: String(exemption.reason), expires: exemption.expires } };
  }
  const why = Number.isNaN(Date.parse(`${exemption.expires}T00:00:00Z`))
    ? `has an invalid expiry date (${exemption.expires})`
    : `expired on ${exemption.expires}`;
  return { expired: `the exemption for ${exemption.resource} ("${exemption.reason}") ${why} and no longer applies` };
}

/** Rules that declare no parameters, and so read none. */
const WITHOUT_PARAMS: ReadonlySet<Rule> = new Set(RULES.filter((rule) => Object.keys(rule.params).length === 0));
const NO_PARAMS: Record<string, unknown> = Object.freeze({});

/** The rule's messages for the resource, after exclusions and exemptions from the policy's config. */
function applicableMessages(rule: Rule, analysis: ResourceReport, args: ResourceValidationArgs): string[] {
  // A rule without parameters is judged first: its config matters only for the waivers of a finding.
  let messages = WITHOUT_PARAMS.has(rule) ? ruleMessages(rule, analysis, NO_PARAMS) : undefined;
  if (messages && !messages.length) return messages;
  const config = (args.getConfig<Record<string, unknown>>() ?? {}) as Record<string, unknown>;
  const { waiver, expired } = waiverOf(config, args);
  if (waiver) return [];
  messages ??= ruleMessages(rule, analysis, config);
  return expired && messages.length ? [expired, ...messages] : messages;
}

/**
 * `remediate`: the rule's certain fixes, made on the resource's inputs; undefined (no change) when
 * there is nothing to fix, the resource is excluded or exempt, or a fix has no single place. What is
 * not fixed is still reported, as mandatory, by the validation that follows.
 */
function remediate(rule: Rule, args: ResourceValidationArgs): Record<string, unknown> | undefined {
  const { adapterFor, extract, planRemediation, setAt } = loadEngine();
  try {
    const adapter = adapterFor(args.type);
    if (!adapter) return undefined;
    const config = (args.getConfig<Record<string, unknown>>() ?? {}) as Record<string, unknown>;
    if (waiverOf(config, args).waiver) return undefined;
    const plan = planRemediation(adapter, extract(args.props, adapter.properties), rule, config);
    if (!plan.changes.length) return undefined;
    // through the SDK's props proxy, so a secret value stays secret (secretsPreservingProxy)
    for (const change of plan.changes) setAt(args.props, change);
    return args.props;
  } catch (error) {
    process.stderr.write(`kubelet-guard: remediation ${rule.policy} failed on ${args.urn}: ${String((error as Error)?.stack ?? error)}\n`);
    return undefined;
  }
}

/** An exemption applies through the whole of its expiry day (UTC). */
export function isExpired(expires: string, now = new Date()): boolean {
  const end = Date.parse(`${expires}T23:59:59.999Z`);
  return Number.isNaN(end) || now.getTime() > end;
}

export const REPOSITORY_URL = "https://github.com/kubelet-guard/kubelet-guard";

/** The policy's section of docs/policies.md (generated from the catalog by `npm run docs`). */
export const policyDocUrl = (policy: string): string => `${REPOSITORY_URL}/blob/main/docs/policies.md#${policy}`;

const FRAMEWORK_SPEC = "CIS Kubernetes Benchmark v1.12 (EKS v1.8, AKS v1.8, GKE v1.6): worker node, kubelet";

function refTags(rule: Rule): string[] {
  return Object.entries(rule.refs).map(([benchmark, ref]) => `cis-${benchmark}:${ref}`);
}

export const policies: ResourceValidationPolicy[] = RULES.map((rule) => ({
  name: rule.policy,
  displayName: rule.title,
  description: rule.description,
  enforcementLevel: rule.level,
  severity: rule.severity,
  framework: {
    name: "cis-kubernetes",
    version: rule.refs.generic ? "1.12" : "1.24",
    reference: rule.refs.generic ?? rule.refs.legacy ?? "",
    specification: FRAMEWORK_SPEC,
  },
  tags: ["kubelet", "cis", ...refTags(rule)],
  remediationSteps: rule.remediation,
  url: policyDocUrl(rule.policy),
  configSchema: configSchema(rule),
  validateResource: (args, report) => validate(rule, args, report),
  ...(rule.remedy ? { remediateResource: (args: ResourceValidationArgs) => remediate(rule, args) } : {}),
}));
