import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Benchmark, NodeModel } from "../../policypack/kubelet/node";
import { evaluateNode, RULES } from "../../policypack/kubelet/rules";

/** A node whose kubelet runs with `flags` and, when given, a visible config file. */
function node(flags: string[], config?: Record<string, unknown>, benchmark: Benchmark = "generic", files: NodeModel["files"] = []): NodeModel {
  return {
    platform: "test",
    benchmark,
    sources: {
      commandLines: [{ location: { source: "user data", line: 3 }, origin: "user", words: flags.map((text) => ({ text })) }],
      base: config ? "config-file" : "legacy",
      config: config ? [{ location: { source: "config.yaml" }, origin: "user", doc: config }] : [],
      launch: { source: "user data", line: 3 },
    },
    files,
    unverifiable: [],
    problems: [],
  };
}
const SECURE = {
  authentication: { anonymous: { enabled: false }, x509: { clientCAFile: "/ca.crt" } },
  authorization: { mode: "Webhook" },
  serverTLSBootstrap: true,
  podPidsLimit: 4096,
};
const policies = (n: NodeModel, params: Record<string, Record<string, unknown>> = {}) => evaluateNode(n, (p) => params[p] ?? {}).map((f) => f.policy);

describe("the rule catalog", () => {
  it("has the 17 public policy names, each once", () => {
    assert.equal(RULES.length, 17);
    assert.equal(new Set(RULES.map((r) => r.policy)).size, 17);
    for (const r of RULES) assert.match(r.policy, /^kubelet-[a-z-]+$/);
  });
  it("is silent on a secure config-file kubelet", () => assert.deepEqual(policies(node(["--config=/c"], SECURE)), []));
  it("reports a flags-only kubelet's insecure defaults with the launch line", () => {
    const findings = evaluateNode(node(["--kubeconfig=/k"]));
    const byPolicy = new Map(findings.map((f) => [f.policy, f.message]));
    for (const p of ["kubelet-anonymous-auth", "kubelet-authorization-mode", "kubelet-client-ca-file", "kubelet-read-only-port"]) assert.ok(byPolicy.has(p), p);
    assert.equal(
      byPolicy.get("kubelet-read-only-port"),
      "user data line 3: --read-only-port not set (kubelet default 10255 without a config file) serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    );
  });
});

const cases: [policy: string, violating: string[], compliant: string[]][] = [
  ["kubelet-anonymous-auth", ["--anonymous-auth"], ["--anonymous-auth=false"]],
  ["kubelet-authorization-mode", ["--authorization-mode=AlwaysAllow"], ["--authorization-mode=Webhook"]],
  ["kubelet-client-ca-file", ["--client-ca-file="], ["--client-ca-file=/other.crt"]],
  ["kubelet-read-only-port", ["--read-only-port=10255"], ["--read-only-port=0"]],
  ["kubelet-streaming-connection-idle-timeout", ["--streaming-connection-idle-timeout=0s"], ["--streaming-connection-idle-timeout=30m"]],
  ["kubelet-make-iptables-util-chains", ["--make-iptables-util-chains=false"], ["--make-iptables-util-chains=true"]],
  ["kubelet-protect-kernel-defaults", ["--protect-kernel-defaults=false"], ["--protect-kernel-defaults=true"]],
  ["kubelet-hostname-override", ["--hostname-override=node-1"], []],
  ["kubelet-event-qps", ["--event-qps=-1"], ["--event-qps=0"]],
  ["kubelet-tls-cert-files", ["--tls-cert-file=/c.crt"], ["--tls-cert-file=/c.crt", "--tls-private-key-file=/c.key"]],
  ["kubelet-tls-cert-files", ["--rotate-server-certificates=false"], ["--rotate-server-certificates=true"]],
  ["kubelet-rotate-certificates", ["--rotate-certificates=false"], ["--rotate-certificates=true"]],
  [
    "kubelet-rotate-server-certificates",
    ["--feature-gates=RotateKubeletServerCertificate=false"],
    ["--feature-gates=RotateKubeletServerCertificate=true,DynamicResourceAllocation=false"],
  ],
  [
    "kubelet-tls-cipher-suites",
    ["--tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256"],
    ["--tls-cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
  ],
  ["kubelet-pod-pids-limit", ["--pod-max-pids=-1"], ["--pod-max-pids=4096"]],
  ["kubelet-seccomp-default", ["--seccomp-default=false"], ["--seccomp-default=true"]],
];

describe("each rule on the effective value", () => {
  for (const [policy, violating, compliant] of cases) {
    it(`${policy}: ${violating.join(" ")} violates`, () => assert.ok(policies(node(["--config=/c", ...violating], SECURE)).includes(policy)));
    it(`${policy}: ${compliant.join(" ") || "nothing set"} complies`, () => assert.ok(!policies(node(["--config=/c", ...compliant], SECURE)).includes(policy)));
  }
  it("reads the config file when no flag overrides it", () => {
    assert.ok(policies(node(["--config=/c"], { ...SECURE, readOnlyPort: 10255 })).includes("kubelet-read-only-port"));
    assert.ok(!policies(node(["--config=/c", "--read-only-port=0"], { ...SECURE, readOnlyPort: 10255 })).includes("kubelet-read-only-port"));
  });
  it("treats every zero duration form on the command line as zero", () => {
    for (const zero of ["0", "0s", "0m0s", "0h", "00s", "0.0s", "-0"]) {
      assert.ok(
        policies(node(["--config=/c", `--streaming-connection-idle-timeout=${zero}`], SECURE)).includes("kubelet-streaming-connection-idle-timeout"),
        zero,
      );
    }
  });
  it("does not report a negative timeout, which closes idle streams at once (moby/spdystream connection.go idleAwareFramer.monitor)", () =>
    assert.ok(!policies(node(["--config=/c", "--streaming-connection-idle-timeout=-1s"], SECURE)).includes("kubelet-streaming-connection-idle-timeout")));
  it("does not report a zero timeout in a config file, which the defaulter turns into 4h (v1beta1/defaults.go)", () => {
    for (const zero of ["0", "0s", "0m0s", "-0"])
      assert.ok(
        !policies(node(["--config=/c"], { ...SECURE, streamingConnectionIdleTimeout: zero })).includes("kubelet-streaming-connection-idle-timeout"),
        zero,
      );
  });
  it("passes any non-zero timeout unless the organization sets maxIdleTimeout (CIS 4.2.5 fails only 0)", () => {
    assert.ok(!policies(node(["--config=/c", "--streaming-connection-idle-timeout=5h"], SECURE)).includes("kubelet-streaming-connection-idle-timeout"));
    const [finding] = evaluateNode(node(["--config=/c", "--streaming-connection-idle-timeout=5h"], SECURE), (p) =>
      p === "kubelet-streaming-connection-idle-timeout" ? { maxIdleTimeout: "1h" } : {},
    ).filter((f) => f.policy === "kubelet-streaming-connection-idle-timeout");
    assert.match(finding.message, /longer than the allowed 1h; set --streaming-connection-idle-timeout to a non-zero duration of 1h or shorter$/);
  });
  it("uses the configured thresholds", () => {
    const n = node(["--config=/c", "--streaming-connection-idle-timeout=2h", "--event-qps=100", "--pod-max-pids=100000"], SECURE);
    const found = policies(n, {
      "kubelet-streaming-connection-idle-timeout": { maxIdleTimeout: "1h" },
      "kubelet-event-qps": { maximum: 50 },
      "kubelet-pod-pids-limit": { maximum: 8192 },
    });
    for (const p of ["kubelet-streaming-connection-idle-timeout", "kubelet-event-qps", "kubelet-pod-pids-limit"]) assert.ok(found.includes(p), p);
    assert.ok(
      !policies(node(["--config=/c"], { ...SECURE, podPidsLimit: -1 }), { "kubelet-pod-pids-limit": { requireLimit: false } }).includes(
        "kubelet-pod-pids-limit",
      ),
    );
    assert.ok(
      !policies(node(["--config=/c", "--tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256"], SECURE), {
        "kubelet-tls-cipher-suites": { allowedCipherSuites: ["TLS_RSA_WITH_AES_128_GCM_SHA256"] },
      }).includes("kubelet-tls-cipher-suites"),
    );
  });
  it("reports platform defaults only where the node's benchmark asks for the recommendation", () => {
    // EKS 1.8 has no pod PID limit recommendation: the default -1 is not reported, an explicit -1 is.
    assert.ok(!policies(node(["--config=/c"], { ...SECURE, podPidsLimit: undefined }, "eks")).includes("kubelet-pod-pids-limit"));
    assert.ok(policies(node(["--config=/c", "--pod-max-pids=-1"], SECURE, "eks")).includes("kubelet-pod-pids-limit"));
  });
  it("reports malformed values under the rule that owns the setting", () => {
    const findings = evaluateNode(node(["--config=/c", "--read-only-port=abc"], SECURE));
    const mine = findings.filter((f) => f.policy === "kubelet-read-only-port");
    assert.equal(mine.length, 1);
    assert.match(mine[0].message, /would refuse to start: invalid argument "abc"/);
  });
  it("checks file modes and owners against the benchmark", () => {
    const file = { path: "/var/lib/kubelet/config.yaml", role: "kubelet-config" as const, location: { source: "s" } };
    const at = { source: "user data", line: 9 };
    const loose = node(["--config=/c"], SECURE, "generic", [{ ...file, mode: { value: 0o644, location: at, text: "chmod 644 /var/lib/kubelet/config.yaml" } }]);
    assert.ok(policies(loose).includes("kubelet-config-file-permissions"));
    assert.ok(!policies({ ...loose, benchmark: "eks" }).includes("kubelet-config-file-permissions"));
    const owned = node(["--config=/c"], SECURE, "eks", [
      { ...file, owner: { value: "ubuntu:ubuntu", location: at, text: "chown ubuntu /var/lib/kubelet/config.yaml" } },
    ]);
    assert.deepEqual(
      evaluateNode(owned).map((f) => f.message),
      [
        "user data line 9: chown ubuntu /var/lib/kubelet/config.yaml makes ubuntu:ubuntu the owner of the kubelet config file /var/lib/kubelet/config.yaml; chown root:root /var/lib/kubelet/config.yaml",
      ],
    );
  });
});
