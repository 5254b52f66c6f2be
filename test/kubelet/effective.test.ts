import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergePatch } from "../../policypack/kubelet/config";
import { computeEffectiveView, type KubeletSources, type KnownSetting } from "../../policypack/kubelet/effective";

const flags = (...texts: string[]) => ({ location: { source: "cmd" }, origin: "user" as const, words: texts.map((text) => ({ text })) });
const config = (doc: Record<string, unknown>, source = "config", origin: "user" | "platform" = "user") => ({ location: { source }, origin, doc });
const view = (sources: Partial<KubeletSources>) => computeEffectiveView({ commandLines: [], configs: [], configVisible: true, ...sources });
const value = (v: ReturnType<typeof view>, name: string) => {
  const s = v.settings.get(name)!;
  return s.state === "known" ? s.value : "unknown";
};

describe("effective kubelet view", () => {
  it("applies the legacy flag defaults when the kubelet runs on flags alone", () => {
    const v = view({ commandLines: [flags("--kubeconfig=/k")] });
    assert.equal(v.mode, "flags-only");
    assert.equal(value(v, "anonymous-auth"), true);
    assert.equal(value(v, "authorization-mode"), "AlwaysAllow");
    assert.equal(value(v, "read-only-port"), 10255);
    assert.equal(value(v, "authentication-token-webhook"), false);
  });
  it("applies v1beta1 defaults with a visible config file", () => {
    const v = view({ commandLines: [flags("--config=/c")], configs: [config({ kind: "KubeletConfiguration" })] });
    assert.equal(v.mode, "config-file");
    assert.equal(value(v, "anonymous-auth"), false);
    assert.equal(value(v, "authorization-mode"), "Webhook");
    assert.equal(value(v, "read-only-port"), 0);
    assert.equal(value(v, "streaming-connection-idle-timeout"), "4h");
  });
  it("does not guess settings a hidden config file may set", () => {
    const v = view({
      commandLines: [flags("--config=/var/lib/kubelet/config.yaml", "--read-only-port=0")],
      configVisible: false,
      hiddenConfigReason: "kubeadm writes it",
    });
    assert.equal(value(v, "read-only-port"), 0);
    const anonymous = v.settings.get("anonymous-auth")!;
    assert.equal(anonymous.state, "unknown");
    assert.equal(anonymous.state === "unknown" && anonymous.reason, "kubeadm writes it");
  });
  it("lets explicit flags win over the config file and drop-ins", () => {
    const v = view({
      commandLines: [flags("--read-only-port=10255")],
      configs: [
        config({ readOnlyPort: 0, authentication: { anonymous: { enabled: true } } }),
        config({ authentication: { anonymous: { enabled: false } } }, "drop-in"),
      ],
    });
    assert.equal(value(v, "read-only-port"), 10255);
    assert.equal((v.settings.get("read-only-port") as KnownSetting).provenance.form, "flag");
    assert.equal(value(v, "anonymous-auth"), false);
    assert.equal((v.settings.get("anonymous-auth") as KnownSetting).provenance.source, "drop-in");
  });
  it("lets the last of repeated scalar flags win", () => {
    const v = view({ commandLines: [flags("--anonymous-auth=true", "--anonymous-auth=false")] });
    assert.equal(value(v, "anonymous-auth"), false);
  });
  it("merges feature gates per key across config and flags", () => {
    const v = view({
      commandLines: [flags("--feature-gates=A=true", "--feature-gates=B=false")],
      configs: [config({ featureGates: { RotateKubeletServerCertificate: false, A: false } })],
    });
    assert.deepEqual(value(v, "feature-gates"), { RotateKubeletServerCertificate: false, A: true, B: false });
    assert.equal((v.gates.get("RotateKubeletServerCertificate") as KnownSetting).value, false);
    assert.equal((v.gates.get("A") as KnownSetting).provenance.form, "flag");
  });
  it("appends repeated list flags after the first replaces the config", () => {
    const v = view({ commandLines: [flags("--tls-cipher-suites=A", "--tls-cipher-suites=B")], configs: [config({ tlsCipherSuites: ["X"] })] });
    assert.deepEqual(value(v, "tls-cipher-suites"), ["A", "B"]);
  });
  it("reports config fields of the wrong type as a kubelet that would not start", () => {
    const v = view({ configs: [config({ streamingConnectionIdleTimeout: 0, readOnlyPort: "10255" })] });
    assert.deepEqual(
      v.problems.map((p) => p.name),
      ["read-only-port", "streaming-connection-idle-timeout"],
    );
    assert.match(v.problems[1].message, /duration string/);
  });
  it("marks a setting unknown when its flag depends on an unresolved variable", () => {
    const v = computeEffectiveView({
      commandLines: [{ location: { source: "s" }, origin: "user", words: [{ text: "--read-only-port=$P", unresolved: ["$P"] }] }],
      configs: [],
      configVisible: true,
    });
    assert.equal(v.settings.get("read-only-port")!.state, "unknown");
  });
});

describe("mergePatch (drop-in merging)", () => {
  it("merges objects key by key, replaces the rest, and removes nulls", () => {
    assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, d: [1], e: 1 }, { a: { b: 3 }, d: [2], e: null }), { a: { b: 3, c: 2 }, d: [2] });
  });
});
