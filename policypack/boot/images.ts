/**
 * The node images as data: the files, units and programs each platform
 * ships, with their sources. A new AMI or Bottlerocket release is a change
 * here.
 */
import type { PlainObject } from "../kubelet/config";
import { CIS_STRONG_CIPHERS } from "../kubelet/rules";

/** The EKS AMIs offer the six CIS suites plus two TLS_RSA ones. */
const EKS_CIPHERS = [...CIS_STRONG_CIPHERS, "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256"];

/** Authentication and authorization both EKS AMIs (AL2 and AL2023) configure. */
const EKS_AUTH: PlainObject = {
  authentication: {
    anonymous: { enabled: false },
    webhook: { cacheTTL: "2m0s", enabled: true },
    x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
  },
  authorization: { mode: "Webhook", webhook: { cacheAuthorizedTTL: "5m0s", cacheUnauthorizedTTL: "30s" } },
};

export const AL2_KUBELET_CONFIG_PATH = "/etc/kubernetes/kubelet/kubelet-config.json";

/** amazon-eks-ami templates/al2/runtime/kubelet-config.json (v20260304). */
export const AL2_KUBELET_CONFIG: PlainObject = {
  kind: "KubeletConfiguration",
  apiVersion: "kubelet.config.k8s.io/v1beta1",
  address: "0.0.0.0",
  ...EKS_AUTH,
  clusterDomain: "cluster.local",
  hairpinMode: "hairpin-veth",
  readOnlyPort: 0,
  cgroupDriver: "cgroupfs",
  cgroupRoot: "/",
  featureGates: { RotateKubeletServerCertificate: true },
  protectKernelDefaults: true,
  serializeImagePulls: false,
  serverTLSBootstrap: true,
  tlsCipherSuites: EKS_CIPHERS,
};

/** The AMI's file as its text (2-space JSON, lists on one line), so that sed edits apply to what is on the image. */
export const AL2_KUBELET_CONFIG_TEXT = `${JSON.stringify(AL2_KUBELET_CONFIG, null, 2).replace(/\[\n\s*("[^\]]*?")\n\s*\]/g, (_, items: string) => `[${items.split(/,\n\s*/).join(", ")}]`)}\n`;

/**
 * What the AL2 /etc/eks/bootstrap.sh does to the kubelet (amazon-eks-ami
 * templates/al2/runtime/bootstrap.sh and kubelet-containerd.service at
 * 0ab84280, the last commit before AL2 support was removed):
 * - every option takes the next word as its value (`shift; shift`); -h/--help
 *   exits; anything else is positional, the first being the cluster name;
 * - KUBELET_EXTRA_ARGS comes from its environment, replaced by
 *   --kubelet-extra-args;
 * - it copies kubelet-containerd.service to /etc/systemd/system/kubelet.service,
 *   whose ExecStart ends with `$KUBELET_ARGS $KUBELET_EXTRA_ARGS` and reads no
 *   environment file;
 * - it writes 10-kubelet-args.conf with KUBELET_ARGS, and
 *   30-kubelet-extra-args.conf only when KUBELET_EXTRA_ARGS is not empty,
 *   then starts the kubelet.
 * Values it computes on the instance stand as <placeholders>.
 */
export const AL2_BOOTSTRAP = {
  path: "/etc/eks/bootstrap.sh",
  source: "EKS AL2 bootstrap.sh",
  options: new Set([
    "--use-max-pods",
    "--b64-cluster-ca",
    "--apiserver-endpoint",
    "--kubelet-extra-args",
    "--enable-docker-bridge",
    "--aws-api-retry-attempts",
    "--docker-config-json",
    "--containerd-config-file",
    "--pause-container-account",
    "--pause-container-version",
    "--dns-cluster-ip",
    "--container-runtime",
    "--ip-family",
    "--service-ipv4-cidr",
    "--service-ipv6-cidr",
    "--enable-local-outpost",
    "--cluster-id",
    "--mount-bpf-fs",
    "--local-disks",
  ]),
  unitPath: "/etc/systemd/system/kubelet.service",
  unit: [
    "[Service]",
    "ExecStart=/usr/bin/kubelet \\",
    `    --config ${AL2_KUBELET_CONFIG_PATH} \\`,
    "    --kubeconfig /var/lib/kubelet/kubeconfig \\",
    "    --container-runtime-endpoint unix:///run/containerd/containerd.sock \\",
    "    --image-credential-provider-config /etc/eks/image-credential-provider/config.json \\",
    "    --image-credential-provider-bin-dir /etc/eks/image-credential-provider \\",
    "    $KUBELET_ARGS \\",
    "    $KUBELET_EXTRA_ARGS",
    "",
  ].join("\n"),
  argsDropIn: "/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf",
  argsDropInText:
    "[Service]\nEnvironment='KUBELET_ARGS=--node-ip=<instance-ip> --pod-infra-container-image=<pause-image> --v=2 --hostname-override=<private-dns-name> --cloud-provider=external'\n",
  extraArgsDropIn: "/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf",
  extraArgsDropInText: (value: string): string => `[Service]\nEnvironment='KUBELET_EXTRA_ARGS=${value}'\n`,
};

export const NODEADM_KUBELET_CONFIG_PATH = "/etc/kubernetes/kubelet/config.json";
/** nodeadm/internal/kubelet/config.go kubeletConfigDir: where 40-nodeadm.conf goes. */
export const NODEADM_DROP_IN_DIR = "/etc/kubernetes/kubelet/config.json.d";

/** nodeadm defaultKubeletSubConfig() (amazon-eks-ami nodeadm/internal/kubelet/config.go @81fec2e8), which carries its TypeMeta. */
export const NODEADM_KUBELET_CONFIG: PlainObject = {
  kind: "KubeletConfiguration",
  apiVersion: "kubelet.config.k8s.io/v1beta1",
  address: "0.0.0.0",
  ...EKS_AUTH,
  cgroupDriver: "systemd",
  cgroupRoot: "/",
  clusterDomain: "cluster.local",
  containerRuntimeEndpoint: "unix:///run/containerd/containerd.sock",
  evictionHard: { "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%" },
  featureGates: { RotateKubeletServerCertificate: true },
  hairpinMode: "hairpin-veth",
  protectKernelDefaults: true,
  readOnlyPort: 0,
  logging: { verbosity: 2 },
  serializeImagePulls: false,
  serverTLSBootstrap: true,
  tlsCipherSuites: EKS_CIPHERS,
};

/** nodeadm's own flags; --hostname-override and --cloud-provider are the platform's, not the user's. */
export const NODEADM_FLAGS = [
  `--config=${NODEADM_KUBELET_CONFIG_PATH}`,
  "--kubeconfig=/var/lib/kubelet/kubeconfig",
  "--cloud-provider=external",
  "--hostname-override=$(instance private DNS name)",
];

/**
 * How Bottlerocket's settings model reads a settings.kubernetes value (serde): a Rust primitive, a map (a TOML
 * table) or a list; "modeled" is one of bottlerocket-modeled-types' own types, each with its own validation, which
 * the pack does not repeat.
 */
export type BottlerocketSettingType = "bool" | "i32" | "i64" | "u8" | "u32" | "map" | "list" | "modeled";

/**
 * The keys of settings.kubernetes and their types (bottlerocket-settings-sdk settings-extensions/kubernetes
 * KubernetesSettingsV1, @2363566, kebab-case): its #[model] derive denies unknown fields, so any other key makes
 * Bottlerocket refuse the settings, and so does a value its type cannot be read from.
 */
export const BOTTLEROCKET_KUBERNETES_SETTINGS: ReadonlyMap<string, BottlerocketSettingType> = new Map<string, BottlerocketSettingType>([
  ["cluster-name", "modeled"],
  ["cluster-certificate", "modeled"],
  ["api-server", "modeled"],
  ["node-labels", "map"],
  ["node-taints", "map"],
  ["static-pods", "map"],
  ["authentication-mode", "modeled"],
  ["bootstrap-token", "modeled"],
  ["standalone-mode", "bool"],
  ["eviction-hard", "map"],
  ["eviction-soft", "map"],
  ["eviction-soft-grace-period", "map"],
  ["eviction-max-pod-grace-period", "modeled"],
  ["kube-reserved", "map"],
  ["system-reserved", "map"],
  ["allowed-unsafe-sysctls", "list"],
  ["server-tls-bootstrap", "bool"],
  ["cloud-provider", "modeled"],
  ["registry-qps", "i32"],
  ["registry-burst", "i32"],
  ["event-qps", "i32"],
  ["event-burst", "i32"],
  ["kube-api-qps", "i32"],
  ["kube-api-burst", "i32"],
  ["container-log-max-size", "modeled"],
  ["container-log-max-files", "i32"],
  ["container-log-max-workers", "i32"],
  ["container-log-monitor-interval", "modeled"],
  ["cpu-cfs-quota-enforced", "bool"],
  ["cpu-manager-policy", "modeled"],
  ["cpu-manager-reconcile-period", "modeled"],
  ["cpu-manager-policy-options", "list"],
  ["topology-manager-scope", "modeled"],
  ["topology-manager-policy", "modeled"],
  ["pod-pids-limit", "i64"],
  ["image-gc-high-threshold-percent", "modeled"],
  ["image-gc-low-threshold-percent", "modeled"],
  ["provider-id", "modeled"],
  ["log-level", "u8"],
  ["credential-providers", "map"],
  ["server-certificate", "modeled"],
  ["server-key", "modeled"],
  ["shutdown-grace-period", "modeled"],
  ["shutdown-grace-period-for-critical-pods", "modeled"],
  ["memory-manager-reserved-memory", "map"],
  ["memory-manager-policy", "modeled"],
  ["reserved-cpus", "modeled"],
  ["memory-swap-behavior", "modeled"],
  ["hostname-override-source", "modeled"],
  ["seccomp-default", "bool"],
  ["device-ownership-from-security-context", "bool"],
  ["single-process-oom-kill", "bool"],
  ["static-pods-enabled", "bool"],
  ["max-pods", "u32"],
  ["cluster-dns-ip", "modeled"],
  ["cluster-domain", "modeled"],
  ["node-ip", "modeled"],
  ["pod-infra-container-image", "modeled"],
  ["hostname-override", "modeled"],
]);

/**
 * Bottlerocket's kubelet config template (bottlerocket-core-kit
 * packages/kubernetes-1.31/kubelet-config and kubelet-exec-start-conf at
 * a10182f9), with the settings that change it: standalone-mode (anonymous
 * auth, AlwaysAllow), event-qps, pod-pids-limit (default 1048576),
 * seccomp-default (default false), server-tls-bootstrap, or
 * server-certificate with server-key (then tlsCertFile/tlsPrivateKeyFile and
 * no serverTLSBootstrap), and hostname-override as a flag.
 */
export const BOTTLEROCKET_KUBELET_CONFIG: PlainObject = {
  kind: "KubeletConfiguration",
  apiVersion: "kubelet.config.k8s.io/v1beta1",
  authentication: {
    anonymous: { enabled: false },
    webhook: { enabled: true },
    x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
  },
  authorization: { mode: "Webhook" },
  readOnlyPort: 0,
  protectKernelDefaults: true,
  tlsCipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
  // No featureGates in the template: the kubelet's own gate defaults apply.
  serverTLSBootstrap: true,
  podPidsLimit: 1048576,
  seccompDefault: false,
  cgroupDriver: "systemd",
  serializeImagePulls: false,
};

/**
 * What the kubeadm packages install (kubernetes/release packages: kubelet.service and
 * 10-kubeadm.conf): the kubelet reads /var/lib/kubelet/config.yaml, which `kubeadm init|join` writes from the
 * cluster, and `$KUBELET_KUBEADM_ARGS` from kubeadm-flags.env, which they write from
 * nodeRegistration.kubeletExtraArgs, before the user's `$KUBELET_EXTRA_ARGS` (/etc/default/kubelet on Debian
 * packages, /etc/sysconfig/kubelet on RPM ones).
 */
export const KUBEADM = {
  configPath: "/var/lib/kubelet/config.yaml",
  flagsFile: "/var/lib/kubelet/kubeadm-flags.env",
  units: {
    "/usr/lib/systemd/system/kubelet.service": "[Service]\nExecStart=/usr/bin/kubelet\n",
    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": [
      "[Service]",
      'Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"',
      'Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"',
      "EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env",
      "EnvironmentFile=-/etc/default/kubelet",
      "EnvironmentFile=-/etc/sysconfig/kubelet",
      "ExecStart=",
      "ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS",
      "",
    ].join("\n"),
  } as Record<string, string>,
};

/** Directories every modelled image has, so that `cp f /etc/kubernetes` copies into them. */
export const IMAGE_DIRECTORIES: ReadonlySet<string> = new Set([
  "/etc/systemd/system",
  "/etc/kubernetes",
  "/etc/kubernetes/kubelet",
  "/etc/kubernetes/pki",
  "/var/lib/kubelet",
  "/etc/default",
  "/etc/sysconfig",
  "/etc/eks",
  "/usr/bin",
  "/usr/local/bin",
]);
