/**
 * The kubelet's flags: their value kind, the KubeletConfiguration
 * (kubelet.config.k8s.io/v1beta1) field each one maps to, and the kubelet's
 * default in its two modes. With no --config the kubelet applies its legacy
 * flag defaults (options.go applyLegacyDefaults); with a config file the
 * v1beta1 defaults apply (kubelet/config/v1beta1/types.go).
 */

export type SettingKind = "bool" | "int32" | "int64" | "float" | "duration" | "string" | "stringList" | "gateMap";

export type SettingValue = boolean | number | string | string[] | Record<string, boolean>;

export interface SettingSpec {
  /** Flag name without dashes; also the setting's id. */
  name: string;
  kind: SettingKind;
  /** Dotted KubeletConfiguration path; absent for KubeletFlags with no config field. */
  configPath?: string;
  /** Defaults with no --config, and with a config file. Absent: not tracked. */
  defaults?: { flagsOnly: SettingValue; configFile: SettingValue };
}

/** Every setting a CIS kubelet rule looks at, plus the flags that change how others are read. */
const CIS_SETTINGS: SettingSpec[] = [
  {
    name: "anonymous-auth",
    kind: "bool",
    configPath: "authentication.anonymous.enabled",
    defaults: { flagsOnly: true, configFile: false },
  },
  {
    name: "authentication-token-webhook",
    kind: "bool",
    configPath: "authentication.webhook.enabled",
    defaults: { flagsOnly: false, configFile: true },
  },
  {
    name: "authorization-mode",
    kind: "string",
    configPath: "authorization.mode",
    defaults: { flagsOnly: "AlwaysAllow", configFile: "Webhook" },
  },
  { name: "client-ca-file", kind: "string", configPath: "authentication.x509.clientCAFile", defaults: same("") },
  { name: "read-only-port", kind: "int32", configPath: "readOnlyPort", defaults: { flagsOnly: 10255, configFile: 0 } },
  {
    name: "streaming-connection-idle-timeout",
    kind: "duration",
    configPath: "streamingConnectionIdleTimeout",
    defaults: same("4h"),
  },
  { name: "make-iptables-util-chains", kind: "bool", configPath: "makeIPTablesUtilChains", defaults: same(true) },
  { name: "protect-kernel-defaults", kind: "bool", configPath: "protectKernelDefaults", defaults: same(false) },
  { name: "hostname-override", kind: "string", defaults: same("") },
  { name: "event-qps", kind: "int32", configPath: "eventRecordQPS", defaults: same(50) },
  { name: "tls-cert-file", kind: "string", configPath: "tlsCertFile", defaults: same("") },
  { name: "tls-private-key-file", kind: "string", configPath: "tlsPrivateKeyFile", defaults: same("") },
  { name: "rotate-certificates", kind: "bool", configPath: "rotateCertificates", defaults: same(false) },
  { name: "rotate-server-certificates", kind: "bool", configPath: "serverTLSBootstrap", defaults: same(false) },
  { name: "feature-gates", kind: "gateMap", configPath: "featureGates", defaults: same({}) },
  { name: "tls-cipher-suites", kind: "stringList", configPath: "tlsCipherSuites", defaults: same([]) },
  { name: "pod-max-pids", kind: "int64", configPath: "podPidsLimit", defaults: same(-1) },
  { name: "seccomp-default", kind: "bool", configPath: "seccompDefault", defaults: same(false) },
  { name: "config", kind: "string" },
  { name: "config-dir", kind: "string" },
  { name: "kubeconfig", kind: "string" },
  { name: "bootstrap-kubeconfig", kind: "string" },
  { name: "cert-dir", kind: "string" },
];

function same(value: SettingValue): { flagsOnly: SettingValue; configFile: SettingValue } {
  return { flagsOnly: value, configFile: value };
}

/** Boolean flags matter for parsing: a bare `--flag` is true and never takes the next word. */
const OTHER_BOOL_FLAGS = [
  "add-dir-header",
  "alsologtostderr",
  "cgroups-per-qos",
  "containerized",
  "cpu-cfs-quota",
  "enable-controller-attach-detach",
  "enable-debugging-handlers",
  "enable-load-reader",
  "enable-server",
  "exit-on-lock-contention",
  "experimental-allocatable-ignore-eviction",
  "experimental-check-node-capabilities-before-mount",
  "fail-cgroupv1",
  "fail-swap-on",
  "help",
  "kernel-memcg-notification",
  "keep-terminated-pod-volumes",
  "local-storage-capacity-isolation",
  "log-json-split-stream",
  "logtostderr",
  "one-output",
  "register-node",
  "register-schedulable",
  "runonce",
  "serialize-image-pulls",
  "skip-headers",
  "skip-log-headers",
  "version",
];

/** Value-taking kubelet flags seen in node bootstrap scripts (so `--max-pods 20` reads right). */
const OTHER_VALUE_FLAGS = [
  "address",
  "allowed-unsafe-sysctls",
  "cgroup-driver",
  "cgroup-root",
  "cloud-config",
  "cloud-provider",
  "cluster-dns",
  "cluster-domain",
  "container-log-max-files",
  "container-log-max-size",
  "container-runtime",
  "container-runtime-endpoint",
  "cpu-manager-policy",
  "enforce-node-allocatable",
  "eviction-hard",
  "eviction-max-pod-grace-period",
  "eviction-minimum-reclaim",
  "eviction-pressure-transition-period",
  "eviction-soft",
  "eviction-soft-grace-period",
  "event-burst",
  "healthz-bind-address",
  "healthz-port",
  "image-credential-provider-bin-dir",
  "image-credential-provider-config",
  "image-gc-high-threshold",
  "image-gc-low-threshold",
  "image-service-endpoint",
  "kube-api-burst",
  "kube-api-content-type",
  "kube-api-qps",
  "kube-reserved",
  "kube-reserved-cgroup",
  "kubelet-cgroups",
  "lock-file",
  "log-flush-frequency",
  "logging-format",
  "max-open-files",
  "max-pods",
  "network-plugin",
  "node-ip",
  "node-labels",
  "node-status-max-images",
  "node-status-update-frequency",
  "oom-score-adj",
  "pod-cidr",
  "pod-infra-container-image",
  "pod-manifest-path",
  "pods-per-core",
  "port",
  "provider-id",
  "register-with-taints",
  "registry-burst",
  "registry-qps",
  "reserved-cpus",
  "resolv-conf",
  "root-dir",
  "runtime-cgroups",
  "runtime-request-timeout",
  "system-cgroups",
  "system-reserved",
  "system-reserved-cgroup",
  "tls-min-version",
  "topology-manager-policy",
  "v",
  "vmodule",
  "volume-plugin-dir",
  "volume-stats-agg-period",
];

const TABLE = new Map<string, SettingSpec>();
for (const spec of CIS_SETTINGS) TABLE.set(spec.name, spec);
for (const name of OTHER_BOOL_FLAGS) if (!TABLE.has(name)) TABLE.set(name, { name, kind: "bool" });
for (const name of OTHER_VALUE_FLAGS) if (!TABLE.has(name)) TABLE.set(name, { name, kind: "string" });

/** Looks a flag up by its pflag-normalised name (underscores read as dashes). */
export function flagSpec(name: string): SettingSpec | undefined {
  return TABLE.get(normaliseFlagName(name));
}

/** cliflag.WordSepNormalizeFunc: the kubelet treats `_` in flag names as `-`. */
export function normaliseFlagName(name: string): string {
  return name.includes("_") ? name.replaceAll("_", "-") : name;
}

/** The settings whose effective value the view tracks. */
export const TRACKED_SETTINGS: readonly SettingSpec[] = CIS_SETTINGS.filter((s) => s.defaults);

/** Feature gates a CIS rule reads, with their default in current kubelets. */
export const GATE_DEFAULTS: Record<string, boolean> = { RotateKubeletServerCertificate: true };
