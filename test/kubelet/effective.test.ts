/**
 * The kubelet's start-up (cmd/kubelet/app/server.go NewKubeletCommand,
 * loadConfigFile, mergeKubeletConfigurations, kubeletConfigFlagPrecedence;
 * cmd/kubelet/app/options/options.go; pkg/kubelet/apis/config/v1beta1/defaults.go;
 * pkg/kubelet/apis/config/validation/validation.go; cmd/kubelet/app/auth.go;
 * component-base cli/flag/map_string_bool.go; sigs.k8s.io/yaml), each case
 * also checked against the kubelet's own code by npm run test:oracle.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeEffectiveView, refusalOf, type EffectiveView, type KnownSetting } from "../../policypack/kubelet/effective";
import { effective, kubeletConfig } from "../helpers/kubelet";

const value = (v: EffectiveView, name: string) => {
  const s = v.settings.get(name)!;
  return s.state === "known" ? s.value : "unknown";
};
const refusal = (v: EffectiveView) => refusalOf(v)?.message;

describe("which files the kubelet reads (server.go)", () => {
  it("applies the legacy flag defaults when the kubelet runs on flags alone (options.go applyLegacyDefaults)", () => {
    const v = effective(["--kubeconfig=/k"]);
    assert.equal(v.mode, "flags-only");
    assert.equal(value(v, "anonymous-auth"), true);
    assert.equal(value(v, "authorization-mode"), "AlwaysAllow");
    assert.equal(value(v, "read-only-port"), 10255);
    assert.equal(value(v, "authentication-token-webhook"), false);
  });
  it("applies v1beta1 defaults with a config file (defaults.go)", () => {
    const v = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig() });
    assert.equal(v.mode, "config-file");
    assert.equal(value(v, "anonymous-auth"), false);
    assert.equal(value(v, "authorization-mode"), "Webhook");
    assert.equal(value(v, "read-only-port"), 0);
    assert.equal(value(v, "streaming-connection-idle-timeout"), "4h");
  });
  it("reads the last --config on the command line", () => {
    const v = effective(["--config=/a.yaml", "--config", "/b.yaml"], { "/a.yaml": kubeletConfig("readOnlyPort: 10255\n"), "/b.yaml": kubeletConfig() });
    assert.equal(value(v, "read-only-port"), 0);
  });
  it("reads the last --config-dir, and starts from the legacy defaults when there is no --config", () => {
    const v = effective(["--config-dir=/a", "--config-dir=/b"], {
      "/a/1.conf": kubeletConfig("readOnlyPort: 0\n"),
      "/b/1.conf": kubeletConfig("eventRecordQPS: 7\n"),
    });
    assert.equal(value(v, "read-only-port"), 10255);
    assert.equal(value(v, "anonymous-auth"), true);
    assert.equal(value(v, "authorization-mode"), "AlwaysAllow");
    assert.equal(value(v, "event-qps"), 7);
  });
  it("merges drop-ins in filepath.WalkDir order (a directory b/ before b.conf) and reads only *.conf", () => {
    const v = effective(["--config-dir=/d"], {
      "/d/b.conf": kubeletConfig("readOnlyPort: 0\n"),
      "/d/b/x.conf": kubeletConfig("readOnlyPort: 4000\n"),
      "/d/c.conf.bak": kubeletConfig("readOnlyPort: 5000\n"),
    });
    assert.equal(value(v, "read-only-port"), 0);
  });
  it("refuses to start on a drop-in without apiVersion/kind", () => {
    const v = effective(["--config-dir=/d"], { "/d/10.conf": "readOnlyPort: 0\n" });
    assert.match(refusal(v)!, /would refuse to start: the drop-in \/d\/10.conf has no apiVersion\/kind/);
  });
  it("resolves relative paths against the kubelet's working directory", () => {
    const v = effective(["--config=etc/k.yaml"], { "/etc/k.yaml": kubeletConfig("readOnlyPort: 10255\n") });
    assert.equal(value(v, "read-only-port"), 10255);
  });
});

describe("defaulting (pkg/kubelet/apis/config/v1beta1/defaults.go)", () => {
  it("gives a zero streaming timeout in a config file the default 4h, but not a zero flag", () => {
    assert.equal(value(effective(["--config=/c"], { "/c": kubeletConfig("streamingConnectionIdleTimeout: 0s\n") }), "streaming-connection-idle-timeout"), "4h");
    assert.equal(
      value(effective(["--config-dir=/d"], { "/d/a.conf": kubeletConfig('streamingConnectionIdleTimeout: "0"\n') }), "streaming-connection-idle-timeout"),
      "4h",
    );
    assert.equal(
      value(effective(["--config=/c", "--streaming-connection-idle-timeout=0"], { "/c": kubeletConfig() }), "streaming-connection-idle-timeout"),
      "0",
    );
  });
  it("resets an empty authorization mode and a negative podPidsLimit, keeps an explicit eventRecordQPS 0", () => {
    const v = effective(["--config=/c"], { "/c": kubeletConfig('authorization:\n  mode: ""\npodPidsLimit: -7\neventRecordQPS: 0\n') });
    assert.equal(value(v, "authorization-mode"), "Webhook");
    assert.equal(value(v, "pod-max-pids"), -1);
    assert.equal(value(v, "event-qps"), 0);
  });
  it("removes a field a drop-in sets to null, which then takes the config-file default", () => {
    const v = effective(["--config-dir=/d"], { "/d/a.conf": kubeletConfig("authentication:\n  anonymous:\n    enabled: null\n") });
    assert.equal(value(v, "anonymous-auth"), false);
  });
});

describe("YAML as the kubelet reads it (sigs.k8s.io/yaml, YAML 1.1)", () => {
  it("reads on/off/yes/no/y/n as booleans", () => {
    assert.equal(value(effective(["--config=/c"], { "/c": kubeletConfig("authentication:\n  anonymous:\n    enabled: off\n") }), "anonymous-auth"), false);
    assert.equal(value(effective(["--config=/c"], { "/c": kubeletConfig("authentication:\n  anonymous:\n    enabled: Yes\n") }), "anonymous-auth"), true);
    assert.equal(value(effective(["--config=/c"], { "/c": kubeletConfig("makeIPTablesUtilChains: n\n") }), "make-iptables-util-chains"), false);
  });
  it("keeps the line of each field", () => {
    const v = effective(["--config=/c"], { "/c": kubeletConfig("\nreadOnlyPort: 10255\n") });
    assert.equal((v.settings.get("read-only-port") as KnownSetting).provenance.line, 4);
  });
});

describe("a kubelet that refuses to start (validation.go, auth.go, server.go)", () => {
  const refuses = (argv: string[], files: Record<string, string> = {}) => refusal(effective(argv, files));
  it("accepts exactly AlwaysAllow or Webhook as the authorization mode", () => {
    assert.match(refuses(["--authorization-mode=Webhook,AlwaysAllow"])!, /unknown authorization mode Webhook,AlwaysAllow/);
    assert.match(refuses(["--authorization-mode=Node,Webhook"])!, /unknown authorization mode/);
    assert.equal(refuses(["--authorization-mode=Webhook"]), undefined);
  });
  it("checks ports, eventRecordQPS and serverTLSBootstrap's gate", () => {
    assert.match(refuses(["--read-only-port=-1"])!, /readOnlyPort \(--read-only-port\) -1 must be between 0 and 65535/);
    assert.match(refuses(["--read-only-port=70000"])!, /must be between 0 and 65535/);
    assert.match(refuses(["--event-qps=-1"])!, /must not be a negative number/);
    assert.match(
      refuses(["--rotate-server-certificates", "--feature-gates=RotateKubeletServerCertificate=false"])!,
      /turns off the RotateKubeletServerCertificate gate that serverTLSBootstrap \(--rotate-server-certificates\) requires/,
    );
  });
  it("refuses malformed values, unknown flags and stray arguments", () => {
    assert.match(refuses(["--read-only-port=abc"])!, /invalid argument "abc" for "--read-only-port"/);
    assert.match(refuses(["--no-such-flag=1", "--read-only-port=10255"])!, /unknown flag: --no-such-flag/);
    assert.match(refuses(["--anonymous-auth", "false"])!, /unknown command "false"/);
    assert.match(refuses(["--feature-gates=NoSuchGate=true"])!, /unrecognized feature gate: NoSuchGate/);
  });
  it("exits on --help and --version, and on any --help once a config file is in use (server.go kubeletConfigFlagPrecedence)", () => {
    assert.match(refuses(["-h"])!, /prints its usage and exits/);
    assert.match(refuses(["--version"])!, /prints its version and exits/);
    assert.equal(refuses(["--help=false"]), undefined);
    assert.match(refuses(["--config=/c", "--help=false"], { "/c": kubeletConfig() })!, /parses its flags a second time without a help flag/);
  });
  it("skips empty pairs in a feature-gate list (map_string_bool.go)", () => {
    assert.equal(refuses(["--feature-gates=RotateKubeletServerCertificate=true,"]), undefined);
  });
  it("refuses a config field of the wrong type", () => {
    assert.match(refuses(["--config=/c"], { "/c": kubeletConfig('readOnlyPort: "10255"\n') })!, /cannot be decoded/);
    assert.match(refuses(["--config=/c"], { "/c": kubeletConfig("streamingConnectionIdleTimeout: 0\n") })!, /duration string/);
  });
});

describe("flags over config (kubeletConfigFlagPrecedence)", () => {
  it("lets explicit flags win over the config file and drop-ins", () => {
    const v = effective(["--config=/c", "--config-dir=/d", "--read-only-port=10255"], {
      "/c": kubeletConfig("readOnlyPort: 0\nauthentication:\n  anonymous:\n    enabled: true\n"),
      "/d/10.conf": kubeletConfig("authentication:\n  anonymous:\n    enabled: false\n"),
    });
    assert.equal(value(v, "read-only-port"), 10255);
    assert.equal((v.settings.get("read-only-port") as KnownSetting).provenance.form, "flag");
    assert.equal(value(v, "anonymous-auth"), false);
    assert.equal((v.settings.get("anonymous-auth") as KnownSetting).provenance.file, "/d/10.conf");
  });
  it("lets the last of repeated scalar flags win", () => {
    assert.equal(value(effective(["--anonymous-auth=true", "--anonymous-auth=false"]), "anonymous-auth"), false);
  });
  it("merges feature gates per key across config and flags", () => {
    const v = effective(["--config=/c", "--feature-gates=RotateKubeletServerCertificate=true"], {
      "/c": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: false\n"),
    });
    assert.equal((v.gates.get("RotateKubeletServerCertificate") as KnownSetting).value, true);
    assert.equal((v.gates.get("RotateKubeletServerCertificate") as KnownSetting).provenance.form, "flag");
  });
  it("appends repeated list flags after the first replaces the config", () => {
    const suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"];
    const v = effective(["--config=/c", `--tls-cipher-suites=${suites[0]}`, `--tls-cipher-suites=${suites[1]}`], {
      "/c": kubeletConfig("tlsCipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"),
    });
    assert.deepEqual(value(v, "tls-cipher-suites"), suites);
  });
  it("marks a setting unknown when its flag depends on an unresolved variable, and every setting after a word computed at boot", () => {
    const one = computeEffectiveView({
      commandLines: [{ location: { source: "s" }, origin: "user", words: [{ text: "--read-only-port=$P", unresolved: ["$P"] }] }],
      base: "legacy",
      config: [],
    });
    assert.equal(one.settings.get("read-only-port")!.state, "unknown");
    assert.equal(one.settings.get("anonymous-auth")!.state, "known");
    const any = computeEffectiveView({
      commandLines: [{ location: { source: "s" }, origin: "user", words: [{ text: "$ARGS", unresolved: ["$ARGS"] }] }],
      base: "legacy",
      config: [],
    });
    assert.equal(any.settings.get("anonymous-auth")!.state, "unknown");
  });
});

/** A setting's whole state, provenance included, so that a wrong line, origin or note fails. */
const setting = (v: EffectiveView, name: string) => v.settings.get(name);
const problems = (v: EffectiveView) => v.problems.map((p) => [p.name, p.message, p.text, p.line, p.location.source]);
const fromFile = (file: string, line: number, text: string) => ({ source: file, file, line, origin: "user", form: "config", text });
const onCommandLine = (text: string) => ({ source: "command line", line: 1, origin: "user", form: "flag", text });

describe("provenance: where each effective value comes from, and what the kubelet did to it (defaults.go)", () => {
  it("locates a nested field on its own line and a default at the kubelet's launch", () => {
    const v = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("authentication:\n  webhook:\n    enabled: false\n") });
    assert.deepEqual(setting(v, "authentication-token-webhook"), {
      state: "known",
      value: false,
      provenance: fromFile("/c.yaml", 5, "authentication.webhook.enabled: false"),
    });
    assert.deepEqual(setting(v, "anonymous-auth"), {
      state: "known",
      value: false,
      provenance: {
        source: "command line",
        line: 1,
        origin: "kubelet-default",
        form: "default",
        text: "authentication.anonymous.enabled not set (kubelet default false)",
      },
    });
  });
  it("says which file decided: a drop-in over the config file, the config file where no drop-in speaks", () => {
    const v = effective(["--config=/c.yaml", "--config-dir=/d"], {
      "/c.yaml": kubeletConfig("readOnlyPort: 5\n"),
      "/d/a.conf": kubeletConfig("authentication:\n  anonymous:\n    enabled: true\n"),
    });
    assert.deepEqual(setting(v, "anonymous-auth"), {
      state: "known",
      value: true,
      provenance: fromFile("/d/a.conf", 5, "authentication.anonymous.enabled: true"),
    });
    assert.deepEqual(setting(v, "read-only-port"), { state: "known", value: 5, provenance: fromFile("/c.yaml", 3, "readOnlyPort: 5") });
  });
  it("null on a parent object decodes as its zero value, which the defaulter then fills per field", () => {
    const v = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("authentication: null\n") });
    assert.deepEqual(setting(v, "anonymous-auth"), {
      state: "known",
      value: false,
      provenance: fromFile("/c.yaml", 3, "authentication: null (the kubelet uses its default false)"),
    });
    assert.deepEqual(setting(v, "authentication-token-webhook"), {
      state: "known",
      value: true,
      provenance: fromFile("/c.yaml", 3, "authentication: null (the kubelet uses its default true)"),
    });
  });
  it("null in the config file: a duration refuses (metav1.Duration), a defaulted pointer takes its default, a plain int is zero", () => {
    const refused = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("streamingConnectionIdleTimeout: null\n") });
    assert.deepEqual(setting(refused, "streaming-connection-idle-timeout"), {
      state: "unknown",
      reason: 'refused: time: invalid duration ""',
      provenance: fromFile("/c.yaml", 3, "streamingConnectionIdleTimeout: null"),
    });
    assert.deepEqual(problems(refused), [
      [
        "streaming-connection-idle-timeout",
        'the kubelet would refuse to start: the config file cannot be decoded: time: invalid duration ""',
        "streamingConnectionIdleTimeout: null",
        3,
        "/c.yaml",
      ],
    ]);
    const v = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("eventRecordQPS: null\nreadOnlyPort: null\n") });
    assert.deepEqual(setting(v, "event-qps"), {
      state: "known",
      value: 50,
      provenance: fromFile("/c.yaml", 3, "eventRecordQPS: null (the kubelet uses its default 50)"),
    });
    assert.deepEqual(setting(v, "read-only-port"), { state: "known", value: 0, provenance: fromFile("/c.yaml", 4, "readOnlyPort: null") });
  });
  it("null in a drop-in removes the key (JSON merge patch), and the defaulter runs on the merged result", () => {
    const v = effective(["--config=/c.yaml", "--config-dir=/d"], {
      "/c.yaml": kubeletConfig("streamingConnectionIdleTimeout: 5m\n"),
      "/d/a.conf": kubeletConfig("streamingConnectionIdleTimeout: null\n"),
    });
    assert.deepEqual(setting(v, "streaming-connection-idle-timeout"), {
      state: "known",
      value: "4h",
      provenance: fromFile("/d/a.conf", 3, 'streamingConnectionIdleTimeout: null (the kubelet uses its default "4h")'),
    });
    assert.deepEqual(v.problems, []);
  });
  it("the defaulter replaces a zero duration, an empty mode and a negative PID limit, and keeps 1ns and 0", () => {
    const v = effective(["--config=/c.yaml"], {
      "/c.yaml": kubeletConfig("streamingConnectionIdleTimeout: 0s\nauthorization:\n  mode: ''\npodPidsLimit: -5\n"),
    });
    assert.deepEqual(setting(v, "streaming-connection-idle-timeout"), {
      state: "known",
      value: "4h",
      provenance: fromFile("/c.yaml", 3, 'streamingConnectionIdleTimeout: "0s" (the kubelet replaces "0s" with its default "4h")'),
    });
    assert.deepEqual(setting(v, "authorization-mode"), {
      state: "known",
      value: "Webhook",
      provenance: fromFile("/c.yaml", 5, 'authorization.mode: "" (the kubelet replaces "" with its default Webhook)'),
    });
    assert.deepEqual(setting(v, "pod-max-pids"), {
      state: "known",
      value: -1,
      provenance: fromFile("/c.yaml", 6, "podPidsLimit: -5 (the kubelet replaces -5 with its default -1)"),
    });
    const kept = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("streamingConnectionIdleTimeout: 1ns\npodPidsLimit: 0\n") });
    assert.deepEqual(setting(kept, "streaming-connection-idle-timeout"), {
      state: "known",
      value: "1ns",
      provenance: fromFile("/c.yaml", 3, 'streamingConnectionIdleTimeout: "1ns"'),
    });
    assert.deepEqual(setting(kept, "pod-max-pids"), { state: "known", value: 0, provenance: fromFile("/c.yaml", 4, "podPidsLimit: 0") });
  });
  it("a value of the wrong type stops the decoder, with the field and value named", () => {
    const v = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("readOnlyPort: abc\n") });
    assert.deepEqual(setting(v, "read-only-port"), {
      state: "unknown",
      reason: 'refused: readOnlyPort must be an integer, not "abc"',
      provenance: fromFile("/c.yaml", 3, "readOnlyPort: abc"),
    });
    assert.deepEqual(problems(v), [
      [
        "read-only-port",
        'the kubelet would refuse to start: the config file cannot be decoded: readOnlyPort must be an integer, not "abc"',
        "readOnlyPort: abc",
        3,
        "/c.yaml",
      ],
    ]);
  });
  it("without a config file, the legacy defaults say so", () =>
    assert.deepEqual(setting(effective([]), "read-only-port"), {
      state: "known",
      value: 10255,
      provenance: {
        source: "command line",
        line: 1,
        origin: "kubelet-default",
        form: "default",
        text: "--read-only-port not set (kubelet default 10255 without a config file)",
      },
    }));
  it("a config file that cannot be seen leaves every config setting and gate unknown, with the reason", () => {
    const v = effective(["--config=/missing.yaml"]);
    const reason = "the kubelet reads the config file /missing.yaml, which the node's image and user data do not show";
    assert.deepEqual(setting(v, "read-only-port"), { state: "unknown", reason });
    assert.deepEqual(v.gates.get("RotateKubeletServerCertificate"), { state: "unknown", reason });
  });
  it("names the unresolved expansion a flag depends on, also when it comes after a known value", () => {
    const v = computeEffectiveView({
      commandLines: [
        {
          location: { source: "s", line: 2 },
          origin: "user",
          words: [{ text: "--read-only-port=0" }, { text: "--read-only-port=$P", line: 3, unresolved: ["$P"] }],
        },
      ],
      base: "legacy",
      config: [],
    });
    assert.deepEqual(setting(v, "read-only-port"), {
      state: "unknown",
      reason: "--read-only-port=$P depends on $P that is not visible",
      provenance: { source: "s", line: 3, origin: "user", form: "flag", text: "--read-only-port=$P" },
    });
  });
});

describe("seccompDefault: the flag OR the config field (server.go RunKubelet)", () => {
  it("a config true stands over --seccomp-default=false", () => {
    const v = effective(["--config=/c.yaml", "--seccomp-default=false"], { "/c.yaml": kubeletConfig("seccompDefault: true\n") });
    assert.deepEqual(setting(v, "seccomp-default"), { state: "known", value: true, provenance: fromFile("/c.yaml", 3, "seccompDefault: true") });
  });
  it("a flag true turns it on over a config false; other flags leave the config value", () => {
    const on = effective(["--config=/c.yaml", "--seccomp-default=true", "--read-only-port=0"], { "/c.yaml": kubeletConfig("seccompDefault: false\n") });
    assert.deepEqual(setting(on, "seccomp-default"), { state: "known", value: true, provenance: onCommandLine("--seccomp-default=true") });
    const off = effective(["--config=/c.yaml", "--read-only-port=0"], { "/c.yaml": kubeletConfig("seccompDefault: false\n") });
    assert.deepEqual(setting(off, "seccomp-default"), { state: "known", value: false, provenance: fromFile("/c.yaml", 3, "seccompDefault: false") });
  });
});

describe("feature gates merge per key across the config file, drop-ins and flags (featuregate, merge patch)", () => {
  const gate = (v: EffectiveView) => v.gates.get("RotateKubeletServerCertificate");
  it("each layer's provenance: config file, then drop-in, then flag", () => {
    const files = {
      "/c.yaml": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: false\n"),
      "/d/a.conf": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: true\n"),
    };
    assert.deepEqual(gate(effective(["--config=/c.yaml"], files)), {
      state: "known",
      value: false,
      provenance: fromFile("/c.yaml", 4, "featureGates.RotateKubeletServerCertificate: false"),
    });
    assert.deepEqual(gate(effective(["--config=/c.yaml", "--config-dir=/d"], files)), {
      state: "known",
      value: true,
      provenance: fromFile("/d/a.conf", 4, "featureGates.RotateKubeletServerCertificate: true"),
    });
    assert.deepEqual(gate(effective(["--config=/c.yaml", "--config-dir=/d", "--feature-gates=RotateKubeletServerCertificate=false"], files)), {
      state: "known",
      value: false,
      provenance: onCommandLine("--feature-gates=RotateKubeletServerCertificate=false"),
    });
  });
  it("unset, a gate keeps its default at the kubelet's launch", () =>
    assert.deepEqual(gate(effective([])), {
      state: "known",
      value: true,
      provenance: {
        source: "command line",
        line: 1,
        origin: "kubelet-default",
        form: "default",
        text: "feature gate RotateKubeletServerCertificate not set (default true)",
      },
    }));
  it("a null gate in the config file is false (bool's zero value); in a drop-in it removes the key", () => {
    const inConfig = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: null\n") });
    assert.deepEqual(gate(inConfig), { state: "known", value: false, provenance: fromFile("/c.yaml", 4, "featureGates.RotateKubeletServerCertificate: null") });
    const files = {
      "/c.yaml": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: false\n"),
      "/d/a.conf": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: null\n"),
    };
    assert.equal((gate(effective(["--config=/c.yaml", "--config-dir=/d"], files)) as KnownSetting).provenance.form, "default");
  });
  it("featureGates: null in a drop-in removes the whole map", () => {
    const v = effective(["--config=/c.yaml", "--config-dir=/d"], {
      "/c.yaml": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: false\n"),
      "/d/a.conf": kubeletConfig("featureGates: null\n"),
    });
    assert.equal((gate(v) as KnownSetting).value, true);
    assert.deepEqual(v.problems, []);
  });
  it("a featureGates that is not a map stops the decoder, unless a later drop-in writes a map over it (the merged JSON is decoded once)", () => {
    assert.deepEqual(problems(effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("featureGates: [a]\n") })), [
      [
        "feature-gates",
        'the kubelet would refuse to start: the config file cannot be decoded: featureGates must be a map of gate names to booleans, not ["a"]',
        'featureGates: ["a"]',
        3,
        "/c.yaml",
      ],
    ]);
    const base = { "/c.yaml": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: false\n"), "/d/a.conf": kubeletConfig("featureGates: 5\n") };
    assert.deepEqual(problems(effective(["--config=/c.yaml", "--config-dir=/d"], base)), [
      [
        "feature-gates",
        "the kubelet would refuse to start: the merged drop-in configuration cannot be decoded: featureGates must be a map of gate names to booleans, not 5",
        "featureGates: 5",
        3,
        "/d/a.conf",
      ],
    ]);
    // Merge patch writes an object over a non-object as a fresh map: the config file's gate is gone.
    const fixed = effective(["--config=/c.yaml", "--config-dir=/d"], { ...base, "/d/b.conf": kubeletConfig("featureGates:\n  KubeletTracing: true\n") });
    assert.deepEqual(fixed.problems, []);
    assert.equal((gate(fixed) as KnownSetting).value, true);
  });
  it("a gate that is not a boolean stops the kubelet", () => {
    const v = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("featureGates:\n  RotateKubeletServerCertificate: 'yes'\n") });
    assert.deepEqual(gate(v), {
      state: "unknown",
      reason: 'refused: featureGates.RotateKubeletServerCertificate must be a boolean, not "yes"',
      provenance: fromFile("/c.yaml", 4, "featureGates.RotateKubeletServerCertificate: yes"),
    });
    assert.deepEqual(problems(v), [
      [
        "feature-gates",
        'the kubelet would refuse to start: featureGates.RotateKubeletServerCertificate must be a boolean, not "yes"',
        "featureGates.RotateKubeletServerCertificate: yes",
        4,
        "/c.yaml",
      ],
    ]);
  });
});

describe("the checks that stop the kubelet, in its order, with its words (validation.go, featuregate, server.go, auth.go)", () => {
  it("an unknown gate before an out-of-range port: both reported, the gate first", () => {
    const v = effective(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("featureGates:\n  NoSuchGate: true\nreadOnlyPort: 65536\n") });
    assert.deepEqual(problems(v), [
      ["feature-gates", "the kubelet would refuse to start: unrecognized feature gate: NoSuchGate", "featureGates.NoSuchGate: true", 4, "/c.yaml"],
      [
        "read-only-port",
        "the kubelet would refuse to start: readOnlyPort (--read-only-port) 65536 must be between 0 and 65535, inclusive",
        "readOnlyPort: 65536",
        5,
        "/c.yaml",
      ],
    ]);
    assert.equal(refusal(v), "the kubelet would refuse to start: unrecognized feature gate: NoSuchGate");
  });
  it("a gate the config file's defaulter rejects stops the kubelet at load, whatever drop-ins and flags do later (defaults.go SetFromMap panic)", () => {
    const removed = effective(["--config=/c.yaml", "--config-dir=/d"], {
      "/c.yaml": kubeletConfig("featureGates:\n  NoSuchGate: true\n"),
      "/d/a.conf": kubeletConfig("featureGates: null\n"),
    });
    assert.equal(refusal(removed), "the kubelet would refuse to start: unrecognized feature gate: NoSuchGate");
    const overridden = effective(["--config=/c.yaml", "--feature-gates=APIServerTracing=true"], {
      "/c.yaml": kubeletConfig("featureGates:\n  APIServerTracing: false\n"),
    });
    assert.deepEqual(problems(overridden), [
      [
        "feature-gates",
        "the kubelet would refuse to start: cannot set feature gate APIServerTracing to false, feature is locked to true",
        "featureGates.APIServerTracing: false",
        4,
        "/c.yaml",
      ],
    ]);
    // In drop-ins only the merged map is defaulted: a later null takes the gate out before the check.
    const dropIns = effective(["--config-dir=/d"], {
      "/d/a.conf": kubeletConfig("featureGates:\n  NoSuchGate: true\n"),
      "/d/b.conf": kubeletConfig("featureGates:\n  NoSuchGate: null\n"),
    });
    assert.deepEqual(dropIns.problems, []);
  });
  it("a locked gate set against its lock, and a negative event QPS; 65535 and 1 are valid ports, -1 is not", () => {
    const v = effective(["--feature-gates=APIServerTracing=false", "--read-only-port=65535", "--event-qps=-1"]);
    assert.deepEqual(problems(v), [
      [
        "feature-gates",
        "the kubelet would refuse to start: cannot set feature gate APIServerTracing to false, feature is locked to true",
        "--feature-gates=APIServerTracing=false",
        1,
        "command line",
      ],
      ["event-qps", "the kubelet would refuse to start: eventRecordQPS (--event-qps) -1 must not be a negative number", "--event-qps=-1", 1, "command line"],
    ]);
    assert.deepEqual(effective(["--feature-gates=APIServerTracing=true", "--read-only-port=1"]).problems, []);
    assert.deepEqual(problems(effective(["--read-only-port=-1"])), [
      [
        "read-only-port",
        "the kubelet would refuse to start: readOnlyPort (--read-only-port) -1 must be between 0 and 65535, inclusive",
        "--read-only-port=-1",
        1,
        "command line",
      ],
    ]);
  });
  it("serverTLSBootstrap needs the RotateKubeletServerCertificate gate", () => {
    const files = (bootstrap: boolean) => ({
      "/c.yaml": kubeletConfig(`serverTLSBootstrap: ${bootstrap}\nfeatureGates:\n  RotateKubeletServerCertificate: false\n`),
    });
    assert.deepEqual(problems(effective(["--config=/c.yaml"], files(true))), [
      [
        "feature-gates",
        "the kubelet would refuse to start: featureGates.RotateKubeletServerCertificate: false turns off the RotateKubeletServerCertificate gate that serverTLSBootstrap (--rotate-server-certificates) requires",
        "featureGates.RotateKubeletServerCertificate: false",
        5,
        "/c.yaml",
      ],
    ]);
    assert.deepEqual(effective(["--config=/c.yaml"], files(false)).problems, []);
  });
  it("names the unknown cipher suite, and the authorization mode that is empty or a list", () => {
    assert.deepEqual(problems(effective(["--tls-cipher-suites=TLS_AES_128_GCM_SHA256,NOPE"])), [
      [
        "tls-cipher-suites",
        "the kubelet would refuse to start: Cipher suite NOPE not supported or doesn't exist",
        "--tls-cipher-suites=TLS_AES_128_GCM_SHA256,NOPE",
        1,
        "command line",
      ],
    ]);
    assert.deepEqual(problems(effective(["--authorization-mode="])), [
      ["authorization-mode", "the kubelet would refuse to start: no authorization mode specified", "--authorization-mode=", 1, "command line"],
    ]);
    assert.deepEqual(problems(effective(["--authorization-mode=Webhook,RBAC"])), [
      [
        "authorization-mode",
        "the kubelet would refuse to start: unknown authorization mode Webhook,RBAC",
        "--authorization-mode=Webhook,RBAC",
        1,
        "command line",
      ],
    ]);
  });
});
