import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
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

/** Per rule: a violating command line, a compliant one, and the exact finding (the setting, the risk and the fix). */
const cases: [policy: string, violating: string[], compliant: string[], message: string][] = [
  [
    "kubelet-anonymous-auth",
    ["--anonymous-auth"],
    ["--anonymous-auth=false"],
    "user data line 3: --anonymous-auth lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false",
  ],
  [
    "kubelet-authorization-mode",
    ["--authorization-mode=AlwaysAllow"],
    ["--authorization-mode=Webhook"],
    "user data line 3: --authorization-mode=AlwaysAllow authorizes every request to the kubelet API; set --authorization-mode=Webhook",
  ],
  [
    "kubelet-client-ca-file",
    ["--client-ca-file="],
    ["--client-ca-file=/other.crt"],
    "user data line 3: --client-ca-file= leaves x509 client-certificate authentication to the kubelet API off; pass --client-ca-file=<cluster CA bundle>",
  ],
  [
    "kubelet-read-only-port",
    ["--read-only-port=10255"],
    ["--read-only-port=0"],
    "user data line 3: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
  ],
  [
    "kubelet-streaming-connection-idle-timeout",
    ["--streaming-connection-idle-timeout=0s"],
    ["--streaming-connection-idle-timeout=30m"],
    "user data line 3: --streaming-connection-idle-timeout=0s disables the idle timeout, so idle streaming connections stay open for ever; set --streaming-connection-idle-timeout to a non-zero duration",
  ],
  [
    "kubelet-make-iptables-util-chains",
    ["--make-iptables-util-chains=false"],
    ["--make-iptables-util-chains=true"],
    "user data line 3: --make-iptables-util-chains=false stops the kubelet keeping the iptables rules pods depend on in line with pod networking; remove the flag or set --make-iptables-util-chains=true",
  ],
  [
    "kubelet-protect-kernel-defaults",
    ["--protect-kernel-defaults=false"],
    ["--protect-kernel-defaults=true"],
    "user data line 3: --protect-kernel-defaults=false lets the kubelet change kernel parameters to the values it wants instead of refusing to start when they differ; remove the flag or set --protect-kernel-defaults=true",
  ],
  [
    "kubelet-hostname-override",
    ["--hostname-override=node-1"],
    [],
    "user data line 3: --hostname-override=node-1 overrides the node name the kubelet registers and uses in its serving certificate; remove --hostname-override",
  ],
  [
    "kubelet-event-qps",
    ["--event-qps=-1"],
    ["--event-qps=0"],
    "user data line 3: the kubelet would refuse to start: eventRecordQPS (--event-qps) -1 must not be a negative number",
  ],
  [
    "kubelet-tls-cert-files",
    ["--tls-cert-file=/c.crt"],
    ["--tls-cert-file=/c.crt", "--tls-private-key-file=/c.key"],
    "user data line 3: --tls-cert-file=/c.crt is set without its pair, so the kubelet cannot serve TLS with it; pass both --tls-cert-file and --tls-private-key-file, or --rotate-server-certificates=true",
  ],
  [
    "kubelet-tls-cert-files",
    ["--rotate-server-certificates=false"],
    ["--rotate-server-certificates=true"],
    "user data line 3: --rotate-server-certificates=false with no serving certificate and key files leaves the kubelet serving a self-signed certificate; pass both --tls-cert-file and --tls-private-key-file, or --rotate-server-certificates=true",
  ],
  [
    "kubelet-rotate-certificates",
    ["--rotate-certificates=false"],
    ["--rotate-certificates=true"],
    "user data line 3: --rotate-certificates=false turns off rotation of the kubelet's client certificate; remove the flag or set --rotate-certificates=true",
  ],
  [
    "kubelet-rotate-server-certificates",
    ["--feature-gates=RotateKubeletServerCertificate=false"],
    ["--feature-gates=RotateKubeletServerCertificate=true,DynamicResourceAllocation=false"],
    "user data line 3: the kubelet would refuse to start: --feature-gates=RotateKubeletServerCertificate=false turns off the RotateKubeletServerCertificate gate that serverTLSBootstrap (--rotate-server-certificates) requires",
  ],
  [
    "kubelet-tls-cipher-suites",
    ["--tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256"],
    ["--tls-cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
    "user data line 3: --tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256 offers cipher suites outside the allowed list (TLS_RSA_WITH_AES_128_GCM_SHA256); limit --tls-cipher-suites to the allowed suites",
  ],
  [
    "kubelet-pod-pids-limit",
    ["--pod-max-pids=-1"],
    ["--pod-max-pids=4096"],
    "user data line 3: --pod-max-pids=-1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set --pod-max-pids to a positive limit",
  ],
  [
    "kubelet-seccomp-default",
    ["--seccomp-default=false"],
    ["--seccomp-default=true"],
    "user data line 3: --seccomp-default=false runs containers without a seccomp profile unless they set one; set --seccomp-default=true",
  ],
];

describe("each rule on the effective value", () => {
  for (const [policy, violating, compliant, message] of cases) {
    it(`${policy}: ${violating.join(" ")} violates`, () =>
      assert.deepEqual(
        evaluateNode(node(["--config=/c", ...violating], SECURE))
          .filter((f) => f.policy === policy)
          .map((f) => f.message),
        [message],
      ));
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

/** The messages one rule gives a node. */
const messagesOf = (policy: string, n: NodeModel, params: Record<string, unknown> = {}) =>
  evaluateNode(n, (p) => (p === policy ? params : {}))
    .filter((f) => f.policy === policy)
    .map((f) => f.message);

describe("what each rule says, exactly, at its boundaries", () => {
  it("gives the fix in the terms of the source: config file, flag, or the legacy default of a flags-only kubelet", () => {
    const config = node(["--config=/c"], { ...SECURE, readOnlyPort: 10255 });
    config.sources!.config[0].locate = () => ({ source: "config.yaml", line: 7 });
    assert.deepEqual(messagesOf("kubelet-read-only-port", config), [
      "config.yaml line 7: readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
    ]);
    assert.deepEqual(messagesOf("kubelet-read-only-port", node(["--kubeconfig=/k"])), [
      "user data line 3: --read-only-port not set (kubelet default 10255 without a config file) serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("hostname-override: only the user's own setting counts, not a platform's bootstrap (CIS allows the cloud provider's)", () => {
    const platform = node(["--config=/c", "--hostname-override=ip-10-0-0-1"], SECURE);
    platform.sources!.commandLines[0].origin = "platform";
    assert.deepEqual(messagesOf("kubelet-hostname-override", platform), []);
    assert.deepEqual(messagesOf("kubelet-hostname-override", node(["--config=/c", "--hostname-override="], SECURE)), []);
  });
  it("maxIdleTimeout: equal passes, one second more fails", () => {
    const at = (timeout: string) => node(["--config=/c", `--streaming-connection-idle-timeout=${timeout}`], SECURE);
    assert.deepEqual(messagesOf("kubelet-streaming-connection-idle-timeout", at("1h"), { maxIdleTimeout: "1h" }), []);
    assert.deepEqual(messagesOf("kubelet-streaming-connection-idle-timeout", at("1h0m1s"), { maxIdleTimeout: "1h" }), [
      "user data line 3: --streaming-connection-idle-timeout=1h0m1s keeps idle streaming connections open longer than the allowed 1h; set --streaming-connection-idle-timeout to a non-zero duration of 1h or shorter",
    ]);
    const config = node(["--config=/c"], { ...SECURE, streamingConnectionIdleTimeout: "2h" });
    assert.deepEqual(messagesOf("kubelet-streaming-connection-idle-timeout", config, { maxIdleTimeout: "1h" }), [
      'config.yaml: streamingConnectionIdleTimeout: "2h" keeps idle streaming connections open longer than the allowed 1h; set streamingConnectionIdleTimeout to a non-zero duration of 1h or shorter',
    ]);
  });
  it("event-qps: the configured minimum and maximum are inclusive", () => {
    const at = (qps: number) => node(["--config=/c", `--event-qps=${qps}`], SECURE);
    const range = { minimum: 5, maximum: 50 };
    assert.deepEqual(messagesOf("kubelet-event-qps", at(5), range), []);
    assert.deepEqual(messagesOf("kubelet-event-qps", at(50), range), []);
    assert.deepEqual(messagesOf("kubelet-event-qps", at(4), range), [
      "user data line 3: --event-qps=4 is below the allowed minimum of 5, so events are dropped; set --event-qps within the allowed range",
    ]);
    assert.deepEqual(messagesOf("kubelet-event-qps", at(51), range), [
      "user data line 3: --event-qps=51 is above the allowed maximum of 50; set --event-qps within the allowed range",
    ]);
    assert.deepEqual(messagesOf("kubelet-event-qps", at(0)), []);
  });
  it("pod-pids-limit: 0 is no limit, the maximum is inclusive", () => {
    const at = (pids: number) => node(["--config=/c", `--pod-max-pids=${pids}`], SECURE);
    assert.deepEqual(messagesOf("kubelet-pod-pids-limit", at(0)), [
      "user data line 3: --pod-max-pids=0 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set --pod-max-pids to a positive limit",
    ]);
    assert.deepEqual(messagesOf("kubelet-pod-pids-limit", at(8192), { maximum: 8192 }), []);
    assert.deepEqual(messagesOf("kubelet-pod-pids-limit", at(8193), { maximum: 8192 }), [
      "user data line 3: --pod-max-pids=8193 is above the allowed maximum of 8192 PIDs per pod; set --pod-max-pids to a positive limit",
    ]);
    assert.deepEqual(messagesOf("kubelet-pod-pids-limit", at(1)), []);
  });
  it("tls-cert-files: names whichever half of the pair is set; says nothing while either is unknown", () => {
    assert.deepEqual(messagesOf("kubelet-tls-cert-files", node(["--config=/c", "--tls-private-key-file=/k.key"], SECURE)), [
      "user data line 3: --tls-private-key-file=/k.key is set without its pair, so the kubelet cannot serve TLS with it; pass both --tls-cert-file and --tls-private-key-file, or --rotate-server-certificates=true",
    ]);
    const unknown = node(["--config=/c", "--rotate-server-certificates=false"], SECURE);
    unknown.sources!.commandLines[0].words.push({ text: "--tls-cert-file=$CERT", unresolved: ["$CERT"] });
    assert.deepEqual(messagesOf("kubelet-tls-cert-files", unknown), []);
  });
  it("rotate-server-certificates: the gate turned off where the kubelet still starts (no serverTLSBootstrap)", () => {
    const n = node(["--config=/c", "--feature-gates=RotateKubeletServerCertificate=false"], { ...SECURE, serverTLSBootstrap: false });
    assert.deepEqual(messagesOf("kubelet-rotate-server-certificates", n), [
      "user data line 3: --feature-gates=RotateKubeletServerCertificate=false turns off rotation of the kubelet's serving certificate; remove RotateKubeletServerCertificate=false from --feature-gates",
    ]);
  });
  it("file permissions: the organization's maximumMode replaces the benchmark's, and root:root passes", () => {
    const file = { path: "/etc/kubernetes/kubelet.conf", role: "kubeconfig" as const, location: { source: "s" } };
    const at = { source: "user data", line: 4 };
    const n = node(["--config=/c"], SECURE, "eks", [
      {
        ...file,
        mode: { value: 0o644, location: at, text: "chmod 644 /etc/kubernetes/kubelet.conf" },
        owner: { value: "root:root", location: at, text: "chown root:root" },
      },
    ]);
    assert.deepEqual(messagesOf("kubelet-config-file-permissions", n), []);
    assert.deepEqual(messagesOf("kubelet-config-file-permissions", n, { maximumMode: "600" }), [
      "user data line 4: chmod 644 /etc/kubernetes/kubelet.conf leaves the kubelet kubeconfig /etc/kubernetes/kubelet.conf with mode 644, looser than 600; chmod 600 /etc/kubernetes/kubelet.conf",
    ]);
    const generic = node(["--config=/c"], SECURE, "generic", [{ ...file, role: "service", mode: { value: 0o600, location: at, text: "chmod 600 x" } }]);
    assert.deepEqual(messagesOf("kubelet-config-file-permissions", generic), []);
    const ca = node(["--config=/c"], SECURE, "generic", [{ ...file, role: "client-ca", mode: { value: 0o664, location: at, text: "chmod 664 /ca.crt" } }]);
    assert.deepEqual(messagesOf("kubelet-config-file-permissions", ca), [
      "user data line 4: chmod 664 /ca.crt leaves the kubelet client CA file /etc/kubernetes/kubelet.conf with mode 664, looser than 644; chmod 644 /etc/kubernetes/kubelet.conf",
    ]);
  });
  it("node-config-verifiable: one finding per unreadable source naming the settings it hides; a refusal nobody owns is its", () => {
    const n = node(["--config=/c"], SECURE);
    n.sources!.commandLines[0].words.push({ text: "--read-only-port=$PORT", unresolved: ["$PORT"] }, { text: "--event-qps=$QPS", unresolved: ["$QPS"] });
    assert.deepEqual(messagesOf("kubelet-node-config-verifiable", n), [
      "user data line 3: --read-only-port=$PORT depends on $PORT that is not visible, so read-only-port cannot be checked",
      "user data line 3: --event-qps=$QPS depends on $QPS that is not visible, so event-qps cannot be checked",
    ]);
    const stray = node(["--config=/c", "stray"], SECURE);
    assert.equal(messagesOf("kubelet-node-config-verifiable", stray).length, 1);
    assert.match(messagesOf("kubelet-node-config-verifiable", stray)[0], /would not start|would refuse to start/);
    assert.deepEqual(policies(stray), ["kubelet-node-config-verifiable"]);
  });
});

describe("the published metadata", () => {
  it("names each recommendation by its CIS id, per kube-bench cfg/cis-1.12 and cfg/eks-1.8.0 node.yaml", () => {
    const generic = [
      "anonymous-auth",
      "authorization-mode",
      "client-ca-file",
      "read-only-port",
      "streaming-connection-idle-timeout",
      "make-iptables-util-chains",
      "hostname-override",
      "event-qps",
      "tls-cert-files",
      "rotate-certificates",
      "rotate-server-certificates",
      "tls-cipher-suites",
      "pod-pids-limit",
      "seccomp-default",
    ];
    const eks = [
      "anonymous-auth",
      "authorization-mode",
      "client-ca-file",
      "read-only-port",
      "streaming-connection-idle-timeout",
      "make-iptables-util-chains",
      "event-qps",
      "rotate-certificates",
      "rotate-server-certificates",
    ];
    for (const rule of RULES) {
      const name = rule.policy.replace(/^kubelet-/, "");
      const g = generic.indexOf(name);
      const e = eks.indexOf(name);
      if (g !== -1) assert.equal(rule.refs.generic, `4.2.${g + 1}`, rule.policy);
      if (e !== -1) assert.equal(rule.refs.eks, `3.2.${e + 1}`, rule.policy);
      if (g === -1 && e === -1 && rule.policy !== "kubelet-config-file-permissions") assert.equal(rule.refs.generic, undefined, rule.policy);
    }
  });
  it("is what the CLI prints and publishes: any change to a name, level, severity or text is deliberate (test/fixtures/catalog-metadata.json)", () => {
    const published = RULES.map((r) => ({
      policy: r.policy,
      title: r.title,
      description: r.description,
      severity: r.severity,
      level: r.level,
      refs: r.refs,
      checks: r.checks,
      remediation: r.remediation,
      settings: r.settings,
      params: r.params,
    }));
    const expected = JSON.parse(readFileSync(path.resolve(__dirname, "../fixtures/catalog-metadata.json"), "utf8")) as unknown;
    assert.deepEqual(JSON.parse(JSON.stringify(published)), expected);
  });
});
