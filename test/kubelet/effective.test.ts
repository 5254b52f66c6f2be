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
