/**
 * The node images as data (policypack/boot/images.ts), checked against the files the images ship,
 * kept in test/fixtures/sources (awslabs/amazon-eks-ami, bottlerocket-os/bottlerocket-core-kit; commits in
 * their READMEs).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import {
  AL2_BOOTSTRAP,
  AL2_KUBELET_CONFIG,
  AL2_KUBELET_CONFIG_PATH,
  AL2_KUBELET_CONFIG_TEXT,
  BOTTLEROCKET_KUBELET_CONFIG,
  NODEADM_FLAGS,
  NODEADM_KUBELET_CONFIG,
} from "../../policypack/boot/images";

const source = (name: string): string => readFileSync(path.join(__dirname, "../fixtures/sources/amazon-eks-ami", name), "utf8");

describe("EKS AL2 image (amazon-eks-ami templates/al2/runtime @0ab84280)", () => {
  it("kubelet-config.json: the same document, and the same text byte for byte (sed edits apply to that text)", () => {
    assert.deepEqual(AL2_KUBELET_CONFIG, JSON.parse(source("al2-kubelet-config.json")));
    assert.equal(AL2_KUBELET_CONFIG_TEXT, source("al2-kubelet-config.json"));
    assert.equal(AL2_KUBELET_CONFIG_PATH, "/etc/kubernetes/kubelet/kubelet-config.json");
  });
  it("kubelet-containerd.service: the same ExecStart, continuation lines included", () => {
    const unit = source("al2-kubelet-containerd.service");
    const execStart = /^ExecStart=(?:.*\\\n)*.*$/m.exec(unit)![0];
    assert.ok(AL2_BOOTSTRAP.unit.startsWith("[Service]\n"));
    assert.equal(AL2_BOOTSTRAP.unit, `[Service]\n${execStart}\n`);
  });
  it("bootstrap.sh: every option its argument loop takes (each with a value), and where it writes the kubelet's drop-ins", () => {
    const script = source("al2-bootstrap.sh");
    const options = [...script.matchAll(/^\s+(--[a-z0-9-]+)\)$/gm)].map((m) => m[1]);
    assert.deepEqual([...AL2_BOOTSTRAP.options].sort(), options.sort());
    assert.equal(AL2_BOOTSTRAP.path, "/etc/eks/bootstrap.sh");
    assert.ok(script.includes("/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf"));
    assert.equal(AL2_BOOTSTRAP.argsDropIn, "/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf");
    assert.ok(script.includes("/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf"));
    assert.equal(AL2_BOOTSTRAP.extraArgsDropIn, "/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf");
    assert.ok(script.includes("/etc/systemd/system/kubelet.service"));
    assert.equal(AL2_BOOTSTRAP.unitPath, "/etc/systemd/system/kubelet.service");
    // the drop-ins it writes: Environment='KUBELET_ARGS=…' and Environment='KUBELET_EXTRA_ARGS=…'
    assert.match(script, /^KUBELET_ARGS="--node-ip=\$INTERNAL_IP --pod-infra-container-image=\$PAUSE_CONTAINER --v=2"$/m);
    assert.match(script, /^KUBELET_ARGS="\$KUBELET_ARGS --hostname-override=\$\(private-dns-name\)"$/m);
    assert.match(script, /^KUBELET_ARGS="\$KUBELET_ARGS --cloud-provider=external"$/m);
    assert.match(script, /^Environment='KUBELET_ARGS=\$KUBELET_ARGS'$/m);
    assert.match(
      AL2_BOOTSTRAP.argsDropInText,
      /^\[Service\]\nEnvironment='KUBELET_ARGS=--node-ip=<instance-ip> --pod-infra-container-image=<pause-image> --v=2 /,
    );
    assert.match(script, /^Environment='KUBELET_EXTRA_ARGS=\$KUBELET_EXTRA_ARGS'$/m);
    assert.equal(AL2_BOOTSTRAP.extraArgsDropInText("--max-pods=20"), "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--max-pods=20'\n");
  });
});

describe("EKS AL2023 nodeadm (nodeadm internal/kubelet/config.go defaultKubeletSubConfig @81fec2e8)", () => {
  const go = source("nodeadm-kubelet-config.go");
  const defaults = go.slice(go.indexOf("func defaultKubeletSubConfig()"), go.indexOf("\n}\n", go.indexOf("func defaultKubeletSubConfig()")));
  /** A Go struct field's literal in the defaults: `Name: value,`. */
  const field = (name: string): string => new RegExp(`\\b${name}:\\s+([^,\\n]+),`).exec(defaults)?.[1] ?? "(absent)";

  it("sets the same scalar fields", () => {
    const scalars: [json: string, goField: string][] = [
      ["kind", "Kind"],
      ["apiVersion", "APIVersion"],
      ["address", "Address"],
      ["cgroupDriver", "CgroupDriver"],
      ["cgroupRoot", "CgroupRoot"],
      ["clusterDomain", "ClusterDomain"],
      ["hairpinMode", "HairpinMode"],
      ["protectKernelDefaults", "ProtectKernelDefaults"],
      ["readOnlyPort", "ReadOnlyPort"],
      ["serializeImagePulls", "SerializeImagePulls"],
      ["serverTLSBootstrap", "ServerTLSBootstrap"],
    ];
    for (const [json, goField] of scalars) assert.equal(JSON.stringify(NODEADM_KUBELET_CONFIG[json]), field(goField), json);
    assert.equal(NODEADM_KUBELET_CONFIG.containerRuntimeEndpoint, "unix:///run/containerd/containerd.sock");
    assert.equal(field("ContainerRuntimeEndpoint"), "containerd.ContainerRuntimeEndpoint");
    assert.deepEqual(NODEADM_KUBELET_CONFIG.logging, { verbosity: Number(field("Verbosity")) });
  });
  it("sets the same authentication, authorization, eviction thresholds, feature gates and cipher suites", () => {
    const auth = NODEADM_KUBELET_CONFIG.authentication as Record<string, Record<string, unknown>>;
    assert.equal(field("Enabled"), "ptr.Bool(false)"); // the first Enabled is anonymous
    assert.deepEqual(auth.anonymous, { enabled: false });
    assert.match(
      defaults,
      /Webhook: k8skubelet\.KubeletWebhookAuthentication\{\s+Enabled:\s+ptr\.Bool\(true\),\s+CacheTTL:\s+metav1\.Duration\{Duration: time\.Minute \* 2\}/,
    );
    assert.deepEqual(auth.webhook, { cacheTTL: "2m0s", enabled: true });
    assert.equal(field("ClientCAFile"), "caCertificatePath");
    assert.match(source("nodeadm-kubelet-cert.go"), /caCertificatePath\s+=\s+"\/etc\/kubernetes\/pki\/ca\.crt"/);
    assert.deepEqual(auth.x509, { clientCAFile: "/etc/kubernetes/pki/ca.crt" });
    assert.equal(field("Mode"), '"Webhook"');
    assert.match(
      defaults,
      /CacheAuthorizedTTL:\s+metav1\.Duration\{Duration: time\.Minute \* 5\},\s+CacheUnauthorizedTTL:\s+metav1\.Duration\{Duration: time\.Second \* 30\}/,
    );
    assert.deepEqual(NODEADM_KUBELET_CONFIG.authorization, { mode: "Webhook", webhook: { cacheAuthorizedTTL: "5m0s", cacheUnauthorizedTTL: "30s" } });
    const eviction = Object.fromEntries([...defaults.matchAll(/"((?:memory|nodefs)\.[a-zA-Z]+)":\s+"([^"]+)"/g)].map((m) => [m[1], m[2]]));
    assert.deepEqual(NODEADM_KUBELET_CONFIG.evictionHard, eviction);
    assert.deepEqual(NODEADM_KUBELET_CONFIG.featureGates, { RotateKubeletServerCertificate: true });
    assert.match(defaults, /"RotateKubeletServerCertificate":\s+true/);
    const block = defaults.slice(defaults.indexOf("TLSCipherSuites"));
    const suites = [...block.slice(0, block.indexOf("}")).matchAll(/"(TLS_[A-Z0-9_]+)"/g)].map((m) => m[1]);
    assert.deepEqual([...(NODEADM_KUBELET_CONFIG.tlsCipherSuites as string[])].sort(), suites.sort());
  });
  it("passes --config and --kubeconfig with the paths nodeadm writes", () => {
    assert.match(go, /kubeletConfigRoot\s+=\s+"\/etc\/kubernetes\/kubelet"/);
    assert.ok(NODEADM_FLAGS.includes("--config=/etc/kubernetes/kubelet/config.json"));
    assert.ok(NODEADM_FLAGS.includes("--kubeconfig=/var/lib/kubelet/kubeconfig"));
  });
});

describe("Bottlerocket (bottlerocket-core-kit packages/kubernetes-1.31/kubelet-config @a10182f9)", () => {
  /** The template outside standalone mode, with each setting's default filled in as the template's `default` helper does. */
  const template = readFileSync(path.join(__dirname, "../fixtures/sources/bottlerocket-core-kit/kubernetes-1.31-kubelet-config"), "utf8");
  const rendered = template
    .slice(template.indexOf("---\n") + 4)
    .replace(/\{\{#if settings\.kubernetes\.standalone-mode\}\}[\s\S]*?\{\{else\}\}\n([\s\S]*?)\{\{\/if\}\}\n/, "$1")
    .replace(/: \{\{default ([^"\s]\S*) settings\.[^}]+\}\}$/gm, ": $1")
    .split("\n")
    .filter((line) => !line.includes("{{"))
    .join("\n");
  const doc = parseYaml(rendered, { uniqueKeys: false }) as Record<string, unknown>;

  it("has the template's kind, authentication, authorization and hardening", () => {
    for (const key of [
      "kind",
      "apiVersion",
      "readOnlyPort",
      "protectKernelDefaults",
      "cgroupDriver",
      "serializeImagePulls",
      "tlsCipherSuites",
      "podPidsLimit",
      "seccompDefault",
    ]) {
      assert.deepEqual(BOTTLEROCKET_KUBELET_CONFIG[key], doc[key], key);
    }
    const auth = doc.authentication as Record<string, Record<string, unknown>>;
    assert.deepEqual(BOTTLEROCKET_KUBELET_CONFIG.authentication, {
      anonymous: auth.anonymous,
      webhook: { enabled: auth.webhook.enabled },
      x509: auth.x509,
    });
    assert.deepEqual(BOTTLEROCKET_KUBELET_CONFIG.authorization, { mode: (doc.authorization as Record<string, unknown>).mode });
    // serverTLSBootstrap comes from settings.kubernetes.server-tls-bootstrap, which defaults to true
    assert.match(template, /^serverTLSBootstrap: \{\{settings\.kubernetes\.server-tls-bootstrap\}\}$/m);
    assert.equal(BOTTLEROCKET_KUBELET_CONFIG.serverTLSBootstrap, true);
  });
});
