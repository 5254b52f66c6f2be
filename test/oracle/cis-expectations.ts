/**
 * The CIS verdicts expected from a kubelet's effective configuration, written from the benchmark's text and
 * the kubelet's source, not from the pack's rule catalog, so that the differential campaign checks the rules
 * too: the kubelet's own code decides the values, this table decides what CIS makes of them.
 *
 * Only recommendations whose verdict depends on the value alone are here (generic CIS 1.12 numbering); those
 * that also ask who set a value (4.2.7, 4.2.10, 4.2.14, protect-kernel-defaults) or read files (4.1.x) are not.
 */

/** CIS 1.12 4.2.12, "strong cryptographic ciphers" (cfg/cis-1.12/node.yaml). */
const STRONG_CIPHERS = new Set([
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  // component-base cli/flag/ciphersuites_flag.go: Go's canonical names for the same two suites.
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
]);

type Config = Record<string, unknown>;

export const CIS_EXPECTATIONS: Record<string, (c: Config) => boolean> = {
  // 4.2.1 "Ensure that the --anonymous-auth argument is set to false".
  "kubelet-anonymous-auth": (c) => c.anonymousAuth === true,
  // 4.2.2 "Ensure that the --authorization-mode argument is not set to AlwaysAllow".
  "kubelet-authorization-mode": (c) => c.authorizationMode === "AlwaysAllow",
  // 4.2.3 "Ensure that the --client-ca-file argument is set as appropriate".
  "kubelet-client-ca-file": (c) => c.clientCAFile === "",
  // 4.2.4 "Verify that the --read-only-port argument is set to 0".
  "kubelet-read-only-port": (c) => c.readOnlyPort !== 0,
  // 4.2.5 "Ensure that the --streaming-connection-idle-timeout argument is not set to 0"; only 0 turns the
  // idle timer off (moby/spdystream connection.go idleAwareFramer.monitor).
  "kubelet-streaming-connection-idle-timeout": (c) => c.streamingConnectionIdleTimeoutNs === 0,
  // 4.2.6 "Ensure that the --make-iptables-util-chains argument is set to true".
  "kubelet-make-iptables-util-chains": (c) => c.makeIPTablesUtilChains === false,
  // 4.2.8 eventRecordQPS "set to a level which ensures appropriate event capture" (kube-bench: gte 0).
  "kubelet-event-qps": (c) => typeof c.eventRecordQPS === "number" && c.eventRecordQPS < 0,
  // 4.2.9 both --tls-cert-file and --tls-private-key-file; with neither and no serverTLSBootstrap the kubelet
  // serves a self-signed certificate (cmd/kubelet/app/server.go InitializeTLS).
  "kubelet-tls-cert-files": (c) => (c.tlsCertFile === "") !== (c.tlsPrivateKeyFile === "") || (c.tlsCertFile === "" && c.serverTLSBootstrap === false),
  // 4.2.11 "Verify that the RotateKubeletServerCertificate argument is set to true".
  "kubelet-rotate-server-certificates": (c) => c.rotateKubeletServerCertificate === false,
  // 4.2.12 only strong ciphers; an empty list is Go's defaults, which the kubelet does not configure.
  "kubelet-tls-cipher-suites": (c) => Array.isArray(c.tlsCipherSuites) && c.tlsCipherSuites.some((s) => !STRONG_CIPHERS.has(String(s))),
  // 4.2.13 "Ensure that a limit is set on pod PIDs": -1 is unlimited (kubelet config v1beta1 types.go), and
  // the pod cgroup gets a pids limit only when it is positive (pkg/kubelet/cm/pod_container_manager_linux.go EnsureExists).
  "kubelet-pod-pids-limit": (c) => typeof c.podPidsLimit === "number" && c.podPidsLimit <= 0,
};

/** The policies CIS expects to fail for a kubelet that starts with this configuration. */
export function expectedViolations(config: Config): string[] {
  return Object.entries(CIS_EXPECTATIONS)
    .filter(([, violated]) => violated(config))
    .map(([policy]) => policy)
    .sort();
}
