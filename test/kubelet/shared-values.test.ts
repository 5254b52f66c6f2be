/**
 * What the pack computes once and shares between resources or policies must stay exactly what computing it
 * afresh gives: an image's own config file decoded once for every node (server.go loadConfigFile and
 * mergeKubeletConfigurations, whose result each kubelet builds for itself), the kubelet's argv parsed once for
 * start-up and the view (pflag keeps the last value), a policy's allowed cipher list (its config can change
 * between runs of the policy), and recent YAML texts (an image's file is the same text on every node).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeEffectiveView, imageConfigSource, type ConfigSource, type EffectiveView, type KubeletSources } from "../../policypack/kubelet/effective";
import type { NodeModel } from "../../policypack/kubelet/node";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { startKubelet } from "../../policypack/kubelet/startup";
import { DEFAULT_LIMITS } from "../../policypack/userdata/limits";
import { parseYamlDocuments, type YamlOptions } from "../../policypack/userdata/structured";
import { memoryFileSystem } from "../helpers/kubelet";

const API = { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration" };
const launch = { source: "command line", line: 1 };

/** The read-only port a view ends with: value, the text that set it, and whose it is. */
function port(view: EffectiveView): unknown[] {
  const s = view.settings.get("read-only-port");
  return s?.state === "known" ? [s.value, s.provenance.text, s.provenance.origin] : [];
}

function sources(config: ConfigSource[], flags: string[] = []): KubeletSources {
  return {
    commandLines: [{ location: launch, origin: "user", words: flags.map((text) => ({ text, line: 1 })) }],
    base: "config-file",
    config,
    launch,
  };
}

describe("an image's config file, decoded once for every node (imageConfigSource)", () => {
  const doc = { ...API, readOnlyPort: 10255, authentication: { anonymous: { enabled: true } }, eventRecordQPS: "fast" };

  it("gives every view what the same document read afresh gives, refusals included", () => {
    const image = imageConfigSource("image config", doc);
    const fresh = (): ConfigSource => ({ location: { source: "image config" }, origin: "platform", doc: structuredClone(doc) });
    const first = computeEffectiveView(sources([image]));
    const second = computeEffectiveView(sources([image]));
    const expected = computeEffectiveView(sources([fresh()]));
    assert.deepEqual(first, expected);
    assert.deepEqual(second, expected);
    // eventRecordQPS must be an integer: the decoder stops the kubelet, in the second view as in the first.
    assert.equal(second.problems.filter((p) => p.kind === "refuse").length, 1);
    assert.match(second.problems[0].message, /eventRecordQPS must be an integer/);
  });

  it("tells the config file from a drop-in: null in a drop-in removes the key (merge patch), in the file it decodes", () => {
    const nulls = imageConfigSource("image drop-in", { ...API, streamingConnectionIdleTimeout: null, readOnlyPort: null });
    const asFile = computeEffectiveView(sources([nulls]));
    const asDropIn = computeEffectiveView({ ...sources([]), dropIns: [nulls] });
    assert.equal(asFile.problems[0]?.kind, "refuse", 'a null duration in the config file is time.ParseDuration("")');
    assert.deepEqual(
      asDropIn.problems.filter((p) => p.kind === "refuse"),
      [],
    );
    const again = computeEffectiveView(sources([nulls]));
    assert.equal(again.problems[0]?.kind, "refuse");
  });

  it("lets flags and later layers override it per node, and keeps a copy the caller cannot change", () => {
    const original = { ...API, readOnlyPort: 10255 };
    const image = imageConfigSource("image config", original);
    original.readOnlyPort = 0;
    assert.throws(() => {
      (image.doc as Record<string, unknown>).readOnlyPort = 0;
    }, TypeError);
    const user: ConfigSource = { location: { source: "user data", line: 3 }, origin: "user", doc: { readOnlyPort: 10250 } };
    assert.deepEqual(port(computeEffectiveView(sources([image]))), [10255, "readOnlyPort: 10255", "platform"]);
    assert.deepEqual(port(computeEffectiveView(sources([image, user]))), [10250, "readOnlyPort: 10250", "user"]);
    assert.deepEqual(port(computeEffectiveView(sources([image], ["--read-only-port=0"]))), [0, "--read-only-port=0", "user"]);
  });
});

describe("the kubelet's argv, parsed once for start-up and the view", () => {
  it("reads --config and every flag from the same last values (pflag)", () => {
    const files = memoryFileSystem({
      "/a.yaml": "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n",
      "/b.yaml": "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
    });
    const argv = ["--config=/a.yaml", "--read-only-port=1", "--config=/b.yaml", "--read-only-port=0"];
    const lines = [{ location: launch, origin: "user" as const, words: argv.map((text) => ({ text, line: 1 })) }];
    const started = startKubelet(lines, files, DEFAULT_LIMITS, launch);
    assert.equal(started.configPath, "/b.yaml");
    assert.deepEqual(port(computeEffectiveView(started)), [0, "--read-only-port=0", "user"]);
    // The same words in new command lines are parsed for themselves.
    const other = startKubelet([{ location: launch, origin: "user", words: [{ text: "--config=/a.yaml", line: 1 }] }], files, DEFAULT_LIMITS, launch);
    assert.deepEqual(port(computeEffectiveView(other)), [10255, "readOnlyPort: 10255", "user"]);
  });
});

describe("a policy's allowed cipher suites, kept between calls (kubelet-tls-cipher-suites)", () => {
  const node: NodeModel = {
    platform: "test",
    benchmark: "generic",
    sources: sources([{ location: { source: "c" }, origin: "user", doc: API }], ["--tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256"]),
    files: [],
    unverifiable: [],
    problems: [],
  };
  const flagged = (allowed: unknown) =>
    evaluateNode(node, (p) => (p === "kubelet-tls-cipher-suites" && allowed !== undefined ? { allowedCipherSuites: allowed } : {})).some(
      (f) => f.policy === "kubelet-tls-cipher-suites",
    );

  it("follows the configured list as it changes, even when the same array is changed in place", () => {
    const list = ["TLS_RSA_WITH_AES_128_GCM_SHA256"];
    assert.equal(flagged(list), false);
    assert.equal(flagged(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]), true);
    assert.equal(flagged(list), false);
    list[0] = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    assert.equal(flagged(list), true);
    assert.equal(flagged(undefined), true, "CIS 1.12's six strong suites when nothing is configured");
  });

  it("tells apart lists that share a first suite or any suite", () => {
    const configured = "TLS_RSA_WITH_AES_128_GCM_SHA256";
    const other = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    assert.equal(flagged([other]), true);
    assert.equal(flagged([other, configured]), false, "a longer list whose first suite is the last list's");
    assert.equal(flagged([other, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]), true, "a list of the same length sharing one suite");
  });

  it("reads Go's _SHA256 spelling of the CHACHA20 suites as the kubelet does (crypto/tls)", () => {
    const chacha = {
      ...node,
      sources: sources([{ location: { source: "c" }, origin: "user", doc: API }], ["--tls-cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"]),
    };
    const flaggedChacha = (allowed: string[]) =>
      evaluateNode(chacha, (p) => (p === "kubelet-tls-cipher-suites" ? { allowedCipherSuites: allowed } : {})).some(
        (f) => f.policy === "kubelet-tls-cipher-suites",
      );
    assert.equal(flaggedChacha(["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"]), false);
    assert.equal(flaggedChacha(["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"]), false);
    assert.equal(flaggedChacha(["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"]), true);
  });
});

describe("a YAML text parsed once, for the same text read the same way (parseYamlDocuments)", () => {
  const values = (text: string, options: YamlOptions = {}, limits = DEFAULT_LIMITS) => {
    const parsed = parseYamlDocuments(text, limits, options);
    return parsed.ok ? parsed.documents.map((d) => d.value) : parsed.error;
  };

  it("reads the same text again only with the same YAML version, key rule and caps", () => {
    const text = "port: 010\nenabled: yes\n";
    assert.deepEqual(values(text), [{ port: 10, enabled: "yes" }], "YAML 1.2 (eemeli/yaml core schema)");
    assert.deepEqual(values(text, { version: "1.1" }), [{ port: 8, enabled: true }], "YAML 1.1 as sigs.k8s.io/yaml reads it");
    assert.deepEqual(values(text), [{ port: 10, enabled: "yes" }]);
    const twice = "a: 1\na: 2\n";
    assert.match(String(values(twice, { uniqueKeys: true })), /unique/i);
    assert.notEqual(typeof values(twice), "string");
    const aliases = "x: &a [1]\ny: [*a, *a, *a]\n";
    assert.notEqual(typeof values(aliases), "string");
    assert.equal(typeof values(aliases, {}, { ...DEFAULT_LIMITS, maxAliases: 2 }), "string");
  });

  it("tells texts of the same length apart", () => {
    assert.deepEqual(values("readOnlyPort: 1\n"), [{ readOnlyPort: 1 }]);
    assert.deepEqual(values("readOnlyPort: 2\n"), [{ readOnlyPort: 2 }]);
    assert.deepEqual(values(["readOnlyPort:", "1\n"].join(" ")), [{ readOnlyPort: 1 }]);
  });
});
