/**
 * What each node image configures before any user data runs, from the
 * images' own sources (see shared/reference/node-config-sources.md).
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

/** The AL2 kubelet unit's fixed flags (kubelet-containerd.service). */
export const AL2_UNIT_FLAGS = ["--config", AL2_KUBELET_CONFIG_PATH, "--kubeconfig", "/var/lib/kubelet/kubeconfig"];

export const NODEADM_KUBELET_CONFIG_PATH = "/etc/kubernetes/kubelet/config.json";
/** nodeadm/internal/kubelet/config.go kubeletConfigDir: where 40-nodeadm.conf goes. */
export const NODEADM_DROP_IN_DIR = "/etc/kubernetes/kubelet/config.json.d";

/** nodeadm defaultKubeletSubConfig() (amazon-eks-ami nodeadm/internal/kubelet/config.go @01375496), which carries its TypeMeta. */
export const NODEADM_KUBELET_CONFIG: PlainObject = {
  kind: "KubeletConfiguration",
  apiVersion: "kubelet.config.k8s.io/v1beta1",
  address: "0.0.0.0",
  ...EKS_AUTH,
  cgroupDriver: "systemd",
  clusterDomain: "cluster.local",
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

/** Bottlerocket's kubelet-config template: hard-coded unless a setting changes it. */
export const BOTTLEROCKET_KUBELET_CONFIG: PlainObject = {
  authentication: {
    anonymous: { enabled: false },
    webhook: { enabled: true },
    x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
  },
  authorization: { mode: "Webhook" },
  readOnlyPort: 0,
  protectKernelDefaults: true,
  tlsCipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
  featureGates: { RotateKubeletServerCertificate: true },
  serverTLSBootstrap: true,
  podPidsLimit: 1048576,
  seccompDefault: false,
  cgroupDriver: "systemd",
  serializeImagePulls: false,
};

/** kubeadm's unit drop-in (10-kubeadm.conf): the kubelet reads /var/lib/kubelet/config.yaml, written by kubeadm from the cluster. */
export const KUBEADM_CONFIG_PATH = "/var/lib/kubelet/config.yaml";
export const KUBEADM_UNIT_FLAGS = [
  "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
  "--kubeconfig=/etc/kubernetes/kubelet.conf",
  `--config=${KUBEADM_CONFIG_PATH}`,
];
