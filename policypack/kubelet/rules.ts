/**
 * The CIS kubelet rules: one declarative entry per recommendation, evaluated
 * over a node's effective kubelet view. Policy names, CIS references, levels
 * and thresholds all live here; the policy layer and the README are built
 * from this table.
 */
import { computeEffectiveView, refusalOf, type EffectiveSetting, type EffectiveView, type KnownSetting, type LocatedProblem } from "./effective";
import type { Benchmark, NodeFile, NodeModel } from "./node";
import { describeLocation, type Provenance } from "./provenance";
import { formatDuration, parseGoDuration } from "./values";

export type Level = "mandatory" | "advisory";
export type Severity = "low" | "medium" | "high" | "critical";

/** CIS references: generic 1.12, EKS 1.8, AKS 1.8, GKE 1.6; `legacy` for recommendations dropped from current versions. */
export interface CisRefs {
  generic?: string;
  eks?: string;
  aks?: string;
  gke?: string;
  legacy?: string;
}

/** The certain fix of one finding: a value for the setting, or the removal of what the user wrote. */
export type Remedy = { kind: "set"; value: unknown } | { kind: "remove" };

export interface Finding {
  policy: string;
  message: string;
  /** Present when the fix is certain and the setting is text the user wrote (never a default or platform value). */
  remedy?: Remedy & { provenance: Provenance };
}

export interface ParamSchema {
  type: "string" | "integer" | "boolean" | "array";
  description: string;
  default?: unknown;
  pattern?: string;
  items?: { type: "string" };
  minimum?: number;
}

/** A fix in the two ways kubelets are configured. */
interface Fix {
  flag: string;
  config: string;
}

interface Violation {
  setting: KnownSetting;
  risk: string;
  fix: Fix;
}

export interface RuleContext {
  view: EffectiveView;
  node: NodeModel;
  params: Record<string, unknown>;
}

export interface Rule {
  policy: string;
  title: string;
  description: string;
  severity: Severity;
  level: Level;
  refs: CisRefs;
  /** Kubelet settings the rule reads; their malformed values are reported by this rule. */
  settings: string[];
  params: Record<string, ParamSchema>;
  remediation: string;
  /** Short name of what it checks, for the README table. */
  checks: string;
  /** Present on rules with a certain fix for some findings (their policies remediate). */
  remedy?(value: unknown, params: Record<string, unknown>): Remedy | undefined;
  evaluate(ctx: RuleContext): Finding[];
}

const DURATION_PATTERN = "^([+-]?((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|ms|s|m|h))+|0)$";

export const CIS_STRONG_CIPHERS = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
];

/** Go's canonical CHACHA20 names end in _SHA256; the kubelet accepts both spellings. */
const canonicalCipher = (name: string): string => (name.endsWith("_CHACHA20_POLY1305_SHA256") ? name.slice(0, -"_SHA256".length) : name);

/** The allowed suites, canonical; the last list is kept, as each policy call gets the same configured one. */
let allowedSuites: { list: readonly unknown[]; set: ReadonlySet<string> } | undefined;

function allowedSuiteSet(list: readonly unknown[]): ReadonlySet<string> {
  const last = allowedSuites;
  if (last && last.list.length === list.length && last.list.every((item, i) => item === list[i])) return last.set;
  const set = new Set(list.map(String).map(canonicalCipher));
  allowedSuites = { list: list.slice(), set };
  return set;
}

function known(s: EffectiveSetting | undefined): s is KnownSetting {
  return s?.state === "known";
}

/** Builds the single-line message: where, the exact text, why it matters, the fix. */
function message(provenance: Provenance, risk: string, fix: Fix, view: EffectiveView): string {
  const fixText =
    provenance.form === "field"
      ? provenance.fieldFix!
      : provenance.form === "flag" || (provenance.form === "default" && view.mode === "flags-only")
        ? fix.flag
        : fix.config;
  return `${describeLocation(provenance)}: ${provenance.text} ${risk}; ${fixText}`;
}

/**
 * A finding counts where the node's benchmark has the recommendation; where
 * it does not (EKS has no 4.2.13), only a value the user set explicitly counts.
 */
function inScope(rule: { refs: CisRefs }, benchmark: Benchmark, provenance: Provenance): boolean {
  return rule.refs[benchmark] !== undefined || provenance.origin === "user";
}

interface SettingRuleSpec extends Omit<Rule, "evaluate" | "settings" | "params"> {
  setting: string;
  params?: Record<string, ParamSchema>;
  /** Only values someone wrote count, never the kubelet's default. */
  explicitOnly?: boolean;
  /** Only values the user wrote count, never the platform's own. */
  userOnly?: boolean;
  violates(value: unknown, params: Record<string, unknown>): string | undefined;
  /** The fix, in flag and config terms; a function when it depends on the rule's configuration. */
  fix: Fix | ((params: Record<string, unknown>) => Fix);
  /** The fix as a change, only where it is certain (the remediate enforcement level applies it). */
  remedy?(value: unknown, params: Record<string, unknown>): Remedy | undefined;
}

/** Most rules: one setting, one predicate on its effective value. */
function settingRule(spec: SettingRuleSpec): Rule {
  // What every evaluation reads, taken out of the spec once: the specs differ in shape, the evaluations need not.
  const { setting, explicitOnly = false, userOnly = false, violates } = spec;
  return {
    ...spec,
    settings: [setting],
    params: spec.params ?? {},
    evaluate(ctx) {
      const s = ctx.view.settings.get(setting);
      if (!known(s)) return [];
      if (explicitOnly && s.provenance.origin === "kubelet-default") return [];
      if (userOnly && s.provenance.origin !== "user") return [];
      if (!inScope(spec, ctx.node.benchmark, s.provenance)) return [];
      const risk = violates(s.value, ctx.params);
      if (!risk) return [];
      const fix = typeof spec.fix === "function" ? spec.fix(ctx.params) : spec.fix;
      const finding: Finding = { policy: spec.policy, message: message(s.provenance, risk, fix, ctx.view) };
      const remedy = s.provenance.origin === "user" && s.provenance.form !== "default" ? spec.remedy?.(s.value, ctx.params) : undefined;
      if (remedy) finding.remedy = { ...remedy, provenance: s.provenance };
      return [finding];
    },
  };
}

function violationsToFindings(policy: string, violations: Violation[], ctx: RuleContext, refs: CisRefs): Finding[] {
  return violations
    .filter((v) => inScope({ refs }, ctx.node.benchmark, v.setting.provenance))
    .map((v) => ({ policy, message: message(v.setting.provenance, v.risk, v.fix, ctx.view) }));
}

const anonymousAuth = settingRule({
  policy: "kubelet-anonymous-auth",
  title: "Kubelet anonymous authentication is disabled",
  checks: "anonymous authentication enabled",
  description: "Anonymous requests to the kubelet API must be rejected.",
  severity: "critical",
  level: "mandatory",
  refs: { generic: "4.2.1", eks: "3.2.1", aks: "3.2.1", gke: "3.2.1" },
  remediation: "Set authentication.anonymous.enabled: false in the kubelet config file, or pass --anonymous-auth=false.",
  setting: "anonymous-auth",
  violates: (v) => (v === true ? "lets unauthenticated requests reach the kubelet API" : undefined),
  fix: { flag: "set --anonymous-auth=false", config: "set authentication.anonymous.enabled: false" },
  remedy: () => ({ kind: "set", value: false }),
});

const authorizationMode = settingRule({
  policy: "kubelet-authorization-mode",
  title: "Kubelet authorization mode is not AlwaysAllow",
  checks: "authorization mode `AlwaysAllow` (a list of modes stops the kubelet: one finding saying so)",
  description: "The kubelet must authorize API requests (Webhook), never AlwaysAllow.",
  severity: "critical",
  level: "mandatory",
  refs: { generic: "4.2.2", eks: "3.2.2", aks: "3.2.2", gke: "3.2.2" },
  remediation: "Set authorization.mode: Webhook in the kubelet config file, or pass --authorization-mode=Webhook.",
  setting: "authorization-mode",
  // The kubelet's mode is one value (auth.go BuildAuthz); anything but AlwaysAllow or Webhook stops it before this rule.
  violates: (v) => (v === "AlwaysAllow" ? "authorizes every request to the kubelet API" : undefined),
  fix: { flag: "set --authorization-mode=Webhook", config: "set authorization.mode: Webhook" },
  remedy: () => ({ kind: "set", value: "Webhook" }),
});

const clientCaFile = settingRule({
  policy: "kubelet-client-ca-file",
  title: "Kubelet client CA file is set",
  checks: "client CA removed or emptied (x509 client auth off)",
  description: "The kubelet must authenticate clients with x509 certificates from the cluster CA.",
  severity: "high",
  level: "mandatory",
  refs: { generic: "4.2.3", eks: "3.2.3", aks: "3.2.3", gke: "3.2.3" },
  remediation: "Set authentication.x509.clientCAFile to the cluster CA bundle, or pass --client-ca-file.",
  setting: "client-ca-file",
  violates: (v) => (v === "" ? "leaves x509 client-certificate authentication to the kubelet API off" : undefined),
  fix: { flag: "pass --client-ca-file=<cluster CA bundle>", config: "set authentication.x509.clientCAFile to the cluster CA bundle" },
});

const readOnlyPort = settingRule({
  policy: "kubelet-read-only-port",
  title: "Kubelet read-only port is disabled",
  checks: 'read-only port not 0; GKE `insecureKubeletReadonlyPortEnabled: "TRUE"`',
  description: "The kubelet's unauthenticated read-only port must be disabled (0).",
  severity: "high",
  level: "mandatory",
  refs: { generic: "4.2.4", eks: "3.2.4", aks: "3.2.4", gke: "3.2.4" },
  remediation: 'Set readOnlyPort: 0 in the kubelet config file, or pass --read-only-port=0 (GKE: insecureKubeletReadonlyPortEnabled "FALSE").',
  setting: "read-only-port",
  violates: (v) => (v !== 0 ? `serves the kubelet API without authentication on port ${String(v)}` : undefined),
  fix: { flag: "set --read-only-port=0", config: "set readOnlyPort: 0" },
  remedy: () => ({ kind: "set", value: 0 }),
});

const KUBELET_DEFAULT_IDLE_TIMEOUT = 4 * 3600 * 1e9;

/** The organization's longest allowed idle timeout in nanoseconds; CIS itself sets none. */
function maxIdleTimeout(params: Record<string, unknown>): number | undefined {
  const parsed = typeof params.maxIdleTimeout === "string" ? parseGoDuration(params.maxIdleTimeout) : undefined;
  return parsed?.ok ? parsed.value : undefined;
}

const streamingIdleTimeout = settingRule({
  policy: "kubelet-streaming-connection-idle-timeout",
  title: "Kubelet streaming connections time out",
  checks: "zero (any form); above `maxIdleTimeout` when the organization sets one",
  description: "Idle exec, attach and port-forward streams must time out (CIS: the timeout is not 0).",
  severity: "medium",
  level: "mandatory",
  refs: { generic: "4.2.5", eks: "3.2.5", aks: "3.2.5", gke: "3.2.5" },
  remediation: "Set streamingConnectionIdleTimeout to a non-zero duration (no longer than maxIdleTimeout, when configured).",
  setting: "streaming-connection-idle-timeout",
  params: {
    maxIdleTimeout: {
      type: "string",
      description: "Longest idle timeout allowed (Go duration); unset means any non-zero timeout passes, as in CIS.",
      pattern: DURATION_PATTERN,
    },
  },
  violates(v, params) {
    const d = parseGoDuration(String(v));
    if (!d.ok) return undefined;
    // Only 0 turns the timer off; a negative one fires at once (moby/spdystream connection.go idleAwareFramer.monitor).
    if (d.value === 0) return "disables the idle timeout, so idle streaming connections stay open for ever";
    const max = maxIdleTimeout(params);
    return max !== undefined && d.value > max ? `keeps idle streaming connections open longer than the allowed ${formatDuration(max)}` : undefined;
  },
  // The organization's maximum, or the kubelet's own default (4h: pkg/kubelet/apis/config/v1beta1/defaults.go).
  remedy: (_v, params) => ({ kind: "set", value: formatDuration(maxIdleTimeout(params) ?? KUBELET_DEFAULT_IDLE_TIMEOUT) }),
  fix: (params) => {
    const max = maxIdleTimeout(params);
    const bound = max !== undefined ? ` of ${formatDuration(max)} or shorter` : "";
    return {
      flag: `set --streaming-connection-idle-timeout to a non-zero duration${bound}`,
      config: `set streamingConnectionIdleTimeout to a non-zero duration${bound}`,
    };
  },
});

const makeIptablesUtilChains = settingRule({
  policy: "kubelet-make-iptables-util-chains",
  title: "Kubelet manages iptables utility chains",
  checks: "false",
  description: "The kubelet must manage its iptables utility chains.",
  severity: "medium",
  level: "mandatory",
  refs: { generic: "4.2.6", eks: "3.2.6", aks: "3.2.6", gke: "3.2.6" },
  remediation: "Remove --make-iptables-util-chains=false, or set makeIPTablesUtilChains: true.",
  setting: "make-iptables-util-chains",
  violates: (v) => (v === false ? "stops the kubelet keeping the iptables rules pods depend on in line with pod networking" : undefined),
  fix: { flag: "remove the flag or set --make-iptables-util-chains=true", config: "set makeIPTablesUtilChains: true" },
  remedy: () => ({ kind: "set", value: true }),
});

const protectKernelDefaults = settingRule({
  policy: "kubelet-protect-kernel-defaults",
  title: "Kubelet protects kernel defaults",
  checks: "false",
  description: "With protectKernelDefaults off the kubelet changes kernel parameters to the values it wants instead of refusing to start when they differ.",
  severity: "medium",
  level: "mandatory",
  refs: { legacy: "4.2.6 (CIS 1.24 and earlier)" },
  remediation: "Set protectKernelDefaults: true, or remove --protect-kernel-defaults=false.",
  setting: "protect-kernel-defaults",
  explicitOnly: true,
  violates: (v) => (v === false ? "lets the kubelet change kernel parameters to the values it wants instead of refusing to start when they differ" : undefined),
  fix: { flag: "remove the flag or set --protect-kernel-defaults=true", config: "set protectKernelDefaults: true" },
});

const hostnameOverride = settingRule({
  policy: "kubelet-hostname-override",
  title: "Kubelet hostname is not overridden",
  checks: "set by the user's configuration (not by the platform's own bootstrap)",
  description: "Overriding the kubelet's hostname can break TLS between the kubelet and the API server.",
  severity: "low",
  level: "advisory",
  refs: { generic: "4.2.7" },
  remediation: "Remove --hostname-override unless the cloud provider requires it.",
  setting: "hostname-override",
  userOnly: true,
  violates: (v) => (v !== "" ? "overrides the node name the kubelet registers and uses in its serving certificate" : undefined),
  fix: { flag: "remove --hostname-override", config: "remove --hostname-override" },
  remedy: () => ({ kind: "remove" }),
});

const eventQps: Rule = {
  ...settingRule({
    policy: "kubelet-event-qps",
    title: "Kubelet event recording rate is appropriate",
    checks: "below `minimum` (default 0) or above `maximum` (unset)",
    description: "The kubelet's event rate limit must let events be captured.",
    severity: "low",
    level: "advisory",
    refs: { generic: "4.2.8", eks: "3.2.7", aks: "3.2.7", gke: "3.2.7" },
    remediation: "Set eventRecordQPS (or --event-qps) within the allowed range; 0 means no limit.",
    setting: "event-qps",
    params: {
      minimum: { type: "integer", description: "Lowest eventRecordQPS allowed.", default: 0 },
      maximum: { type: "integer", description: "Highest eventRecordQPS allowed; unset means no upper bound." },
    },
    violates(v, params) {
      const qps = Number(v);
      const min = typeof params.minimum === "number" ? params.minimum : 0;
      if (qps < min) return `is below the allowed minimum of ${min}, so events are dropped`;
      if (typeof params.maximum === "number" && qps > params.maximum) return `is above the allowed maximum of ${params.maximum}`;
      return undefined;
    },
    fix: { flag: "set --event-qps within the allowed range", config: "set eventRecordQPS within the allowed range" },
  }),
};

const tlsCertFiles: Rule = {
  policy: "kubelet-tls-cert-files",
  title: "Kubelet serves TLS with a proper certificate",
  checks: "only one of cert/key set, or serving TLS left without certificates and without server TLS bootstrap",
  description: "The kubelet's serving certificate must come from files or from server TLS bootstrap, not be self-signed.",
  severity: "medium",
  level: "advisory",
  refs: { generic: "4.2.9" },
  settings: ["tls-cert-file", "tls-private-key-file"],
  params: {},
  remediation: "Set both tlsCertFile and tlsPrivateKeyFile, or enable serverTLSBootstrap (--rotate-server-certificates).",
  evaluate(ctx) {
    const cert = ctx.view.settings.get("tls-cert-file");
    const key = ctx.view.settings.get("tls-private-key-file");
    const bootstrap = ctx.view.settings.get("rotate-server-certificates");
    if (!known(cert) || !known(key)) return [];
    const fix: Fix = {
      flag: "pass both --tls-cert-file and --tls-private-key-file, or --rotate-server-certificates=true",
      config: "set both tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true",
    };
    const violations: Violation[] = [];
    if ((cert.value === "") !== (key.value === "")) {
      const set = cert.value === "" ? key : cert;
      violations.push({ setting: set, risk: "is set without its pair, so the kubelet cannot serve TLS with it", fix });
    } else if (cert.value === "" && known(bootstrap) && bootstrap.value === false) {
      violations.push({ setting: bootstrap, risk: "with no serving certificate and key files leaves the kubelet serving a self-signed certificate", fix });
    }
    return violationsToFindings(this.policy, violations, ctx, this.refs);
  },
};

const rotateCertificates = settingRule({
  policy: "kubelet-rotate-certificates",
  title: "Kubelet client certificate rotation is on",
  checks: "client certificate rotation turned off",
  description: "The kubelet must rotate its client certificate before it expires.",
  severity: "medium",
  level: "mandatory",
  refs: { generic: "4.2.10", eks: "3.2.8", aks: "3.2.8", gke: "3.2.8" },
  remediation: "Remove --rotate-certificates=false, or set rotateCertificates: true.",
  setting: "rotate-certificates",
  explicitOnly: true,
  violates: (v) => (v === false ? "turns off rotation of the kubelet's client certificate" : undefined),
  fix: { flag: "remove the flag or set --rotate-certificates=true", config: "set rotateCertificates: true" },
  remedy: () => ({ kind: "set", value: true }),
});

const rotateServerCertificates: Rule = {
  policy: "kubelet-rotate-server-certificates",
  title: "RotateKubeletServerCertificate is enabled",
  checks: "`RotateKubeletServerCertificate` gate false",
  description: "The RotateKubeletServerCertificate feature gate must stay enabled.",
  severity: "medium",
  level: "mandatory",
  refs: { generic: "4.2.11", eks: "3.2.9", aks: "3.2.9", gke: "3.2.9" },
  settings: ["feature-gates"],
  params: {},
  remediation: "Remove RotateKubeletServerCertificate=false from the feature gates.",
  evaluate(ctx) {
    const gate = ctx.view.gates.get("RotateKubeletServerCertificate");
    if (!known(gate) || gate.value !== false) return [];
    return violationsToFindings(
      this.policy,
      [
        {
          setting: gate,
          risk: "turns off rotation of the kubelet's serving certificate",
          fix: {
            flag: "remove RotateKubeletServerCertificate=false from --feature-gates",
            config: "remove RotateKubeletServerCertificate: false from featureGates",
          },
        },
      ],
      ctx,
      this.refs,
    );
  },
};

const tlsCipherSuites = settingRule({
  policy: "kubelet-tls-cipher-suites",
  title: "Kubelet uses strong TLS cipher suites only",
  checks: "a configured suite outside `allowedCipherSuites` (default: the six of CIS 1.12)",
  description: "The kubelet must only offer strong TLS cipher suites.",
  severity: "medium",
  level: "advisory",
  refs: { generic: "4.2.12" },
  remediation: "Limit tlsCipherSuites (--tls-cipher-suites) to the allowed suites.",
  setting: "tls-cipher-suites",
  params: {
    allowedCipherSuites: { type: "array", items: { type: "string" }, description: "Cipher suites the kubelet may offer.", default: CIS_STRONG_CIPHERS },
  },
  violates(v, params) {
    const allowed = allowedSuiteSet(Array.isArray(params.allowedCipherSuites) ? params.allowedCipherSuites : CIS_STRONG_CIPHERS);
    const weak = (v as string[]).filter((suite) => !allowed.has(canonicalCipher(suite.trim())));
    return weak.length ? `offers cipher suites outside the allowed list (${weak.join(", ")})` : undefined;
  },
  fix: { flag: "limit --tls-cipher-suites to the allowed suites", config: "limit tlsCipherSuites to the allowed suites" },
});

const podPidsLimit = settingRule({
  policy: "kubelet-pod-pids-limit",
  title: "Kubelet limits PIDs per pod",
  checks: "no limit or unlimited (`-1`) where `requireLimit` (default true), or above `maximum`",
  description: "Each pod must have a PID limit so that one pod cannot exhaust the node's PIDs.",
  severity: "medium",
  level: "advisory",
  refs: { generic: "4.2.13" },
  remediation: "Set podPidsLimit (--pod-max-pids) to a positive limit.",
  setting: "pod-max-pids",
  params: {
    requireLimit: { type: "boolean", description: "Report nodes whose pods have no PID limit.", default: true },
    maximum: { type: "integer", description: "Highest PID limit allowed per pod; unset means no upper bound.", minimum: 1 },
  },
  violates(v, params) {
    const limit = Number(v);
    if (limit <= 0) return params.requireLimit === false ? undefined : "leaves pods without a PID limit, so one pod can exhaust the node's PIDs";
    if (typeof params.maximum === "number" && limit > params.maximum) return `is above the allowed maximum of ${params.maximum} PIDs per pod`;
    return undefined;
  },
  fix: { flag: "set --pod-max-pids to a positive limit", config: "set podPidsLimit to a positive limit" },
  // The organization's maximum is the one limit that is certain; without one, no limit is guessed.
  remedy: (_v, params) => (typeof params.maximum === "number" ? { kind: "set", value: params.maximum } : undefined),
});

const seccompDefault = settingRule({
  policy: "kubelet-seccomp-default",
  title: "Kubelet applies the RuntimeDefault seccomp profile",
  checks: "`seccompDefault` explicitly false",
  description: "Containers should run with the RuntimeDefault seccomp profile unless they ask otherwise.",
  severity: "low",
  level: "advisory",
  refs: { generic: "4.2.14" },
  remediation: "Set seccompDefault: true (--seccomp-default).",
  setting: "seccomp-default",
  explicitOnly: true,
  violates: (v) => (v === false ? "runs containers without a seccomp profile unless they set one" : undefined),
  fix: { flag: "set --seccomp-default=true", config: "set seccompDefault: true" },
  remedy: () => ({ kind: "set", value: true }),
});

/** Allowed permission bits per file role and benchmark (bitmask: no bits outside the mask). */
const FILE_LIMITS: Record<Benchmark, Partial<Record<NodeFile["role"], number>>> = {
  generic: { service: 0o600, kubeconfig: 0o600, "kubelet-config": 0o600, "client-ca": 0o644 },
  eks: { kubeconfig: 0o644, "kubelet-config": 0o644 },
  aks: { kubeconfig: 0o644, "kubelet-config": 0o644 },
  gke: { kubeconfig: 0o644, "kubelet-config": 0o644 },
};

const ROLE_NAMES: Record<NodeFile["role"], string> = {
  "kubelet-config": "kubelet config file",
  kubeconfig: "kubelet kubeconfig",
  service: "kubelet service file",
  "client-ca": "kubelet client CA file",
};

const configFilePermissions: Rule = {
  policy: "kubelet-config-file-permissions",
  title: "Kubelet files have strict permissions and root ownership",
  checks: "kubelet config, kubeconfig or service file looser than allowed or not root-owned",
  description:
    "The kubelet's config, kubeconfig and service files must have no permission bits beyond the benchmark's mode (600, or 644 on EKS, AKS and GKE) and be owned by root:root.",
  severity: "medium",
  level: "mandatory",
  refs: { generic: "4.1.1, 4.1.2, 4.1.5–4.1.10", eks: "3.1.1–3.1.4", aks: "3.1.1–3.1.4", gke: "3.1.1–3.1.4" },
  settings: [],
  params: {
    maximumMode: {
      type: "string",
      description: "Loosest permissions allowed, in octal; unset means the benchmark's own (600 generic, 644 EKS/AKS/GKE).",
      pattern: "^0?[0-7]{3}$",
    },
  },
  remediation: "chmod the kubelet's files to 600 (644 on EKS, AKS and GKE) or stricter, and chown them to root:root.",
  evaluate(ctx) {
    const findings: Finding[] = [];
    const override = typeof ctx.params.maximumMode === "string" ? parseInt(ctx.params.maximumMode, 8) : undefined;
    for (const file of ctx.node.files) {
      const limit = override ?? FILE_LIMITS[ctx.node.benchmark][file.role];
      const name = `${ROLE_NAMES[file.role]} ${file.path}`;
      if (limit !== undefined && file.mode && (file.mode.value & ~limit) !== 0) {
        const mode = file.mode.value.toString(8).padStart(3, "0");
        findings.push({
          policy: this.policy,
          message: `${describeLocation(file.mode.location)}: ${file.mode.text} leaves the ${name} with mode ${mode}, looser than ${limit.toString(8)}; chmod ${limit.toString(8)} ${file.path}`,
        });
      }
      if (file.owner && file.owner.value !== "root:root") {
        findings.push({
          policy: this.policy,
          message: `${describeLocation(file.owner.location)}: ${file.owner.text} makes ${file.owner.value} the owner of the ${name}; chown root:root ${file.path}`,
        });
      }
    }
    return findings;
  },
};

const nodeConfigVerifiable: Rule = {
  policy: "kubelet-node-config-verifiable",
  title: "Kubelet configuration can be verified",
  checks: "the resource configures a kubelet but part of it cannot be read (undecodable, over a cap, fetched at boot, unknown during preview)",
  description: "Every part of a node's kubelet configuration should be readable before deployment.",
  severity: "low",
  level: "advisory",
  refs: {},
  settings: [],
  params: {},
  remediation: "Put the kubelet configuration in the resource itself, in a format the pack reads; avoid fetching scripts at boot.",
  evaluate(ctx) {
    const findings = ctx.node.unverifiable.map((u) => ({ policy: this.policy, message: `${describeLocation(u.location)}: ${u.reason}` }));
    for (const problem of ctx.view.problems) {
      if (problem.kind !== "refuse") findings.push({ policy: this.policy, message: problemMessage(problem) });
    }
    // One finding per unreadable source, naming every setting it leaves unknown.
    const unknown = new Map<string, string[]>();
    for (const settings of [ctx.view.settings, ctx.view.gates]) {
      for (const [name, s] of settings) {
        if (s.state !== "unknown" || !s.provenance) continue;
        const key = `${describeLocation(s.provenance)}: ${s.reason}`;
        const names = unknown.get(key);
        if (names) names.push(name);
        else unknown.set(key, [name]);
      }
    }
    const everything = ctx.view.settings.size + ctx.view.gates.size;
    for (const [where, names] of unknown)
      findings.push({
        policy: this.policy,
        message: `${where}, so ${names.length === everything ? "no kubelet setting can be checked" : `${names.join(", ")} cannot be checked`}`,
      });
    return findings;
  },
};

export function problemMessage(problem: LocatedProblem): string {
  return `${describeLocation({ ...problem.location, line: problem.line ?? problem.location.line })}: ${problem.message}`;
}

/** The catalog, in the order of the CIS benchmark. */
export const RULES: readonly Rule[] = [
  anonymousAuth,
  authorizationMode,
  clientCaFile,
  readOnlyPort,
  streamingIdleTimeout,
  makeIptablesUtilChains,
  protectKernelDefaults,
  hostnameOverride,
  eventQps,
  tlsCertFiles,
  rotateCertificates,
  rotateServerCertificates,
  tlsCipherSuites,
  podPidsLimit,
  seccompDefault,
  configFilePermissions,
  nodeConfigVerifiable,
];

/** A node's effective view (empty for nodes with no kubelet sources), with the node's own problems first. */
export function viewOf(node: NodeModel): EffectiveView {
  const view = node.sources ? computeEffectiveView(node.sources) : { mode: "config-file" as const, settings: new Map(), gates: new Map(), problems: [] };
  return { ...view, problems: [...node.problems, ...view.problems] };
}

/**
 * One rule over one node and its view (from viewOf). A kubelet that would not
 * start gets exactly one finding, the cause it reports first, from the rule
 * that owns the setting (or the verifiability rule); nothing else is judged.
 */
export function evaluateRule(rule: Rule, node: NodeModel, view: EffectiveView, params: Record<string, unknown>): Finding[] {
  const refusal = refusalOf(view);
  if (refusal) {
    const owner = RULES.find((r) => refusal.name !== undefined && r.settings.includes(refusal.name)) ?? nodeConfigVerifiable;
    return owner === rule ? [{ policy: rule.policy, message: problemMessage(refusal) }] : [];
  }
  return rule.evaluate({ view, node, params });
}

/** Every rule over a node. */
export function evaluateNode(node: NodeModel, paramsFor: (policy: string) => Record<string, unknown> = () => ({})): Finding[] {
  const view = viewOf(node);
  return RULES.flatMap((rule) => evaluateRule(rule, node, view, paramsFor(rule.policy)));
}
