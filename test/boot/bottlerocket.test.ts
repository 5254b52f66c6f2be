/**
 * Which settings.kubernetes keys Bottlerocket accepts (policypack/boot/images.ts BOTTLEROCKET_KUBERNETES_SETTINGS):
 * bottlerocket-settings-sdk KubernetesSettingsV1, whose #[model] derive adds serde's deny_unknown_fields
 * (model-derive README: "deny unknown fields and rename fields to kebab-case"), so a key it does not know
 * makes Bottlerocket refuse the settings. Every key the kubelet config template reads
 * (bottlerocket-core-kit packages/kubernetes-1.31/kubelet-config @a10182f9) must be one of them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BOTTLEROCKET_KUBERNETES_SETTINGS } from "../../policypack/boot/images";
import { BOTTLEROCKET_CLUSTER as cluster, BOTTLEROCKET_TEMPLATE as template, nodeFindings as findings } from "../helpers/userdata";

describe("settings.kubernetes keys (bottlerocket-settings-sdk KubernetesSettingsV1)", () => {
  it("every key the kubelet config template reads is a setting", () => {
    const read = new Set([...template.matchAll(/settings\.kubernetes\.([a-z0-9-]+)/g)].map((m) => m[1]));
    assert.ok(read.size > 20, `the template reads ${read.size} keys`);
    assert.deepEqual(
      [...read].filter((k) => !BOTTLEROCKET_KUBERNETES_SETTINGS.has(k)),
      [],
    );
  });
  it("settings the kubelet does not read (node-labels, max-pods, cluster-dns-ip) are accepted without a word", () => {
    assert.deepEqual(findings(`${cluster}max-pods = 110\ncluster-dns-ip = "10.100.0.10"\n[settings.kubernetes.node-labels]\nteam = "a"\n`), []);
  });
  it("a key Bottlerocket does not know is reported at its line: the node does not get the settings", () => {
    assert.deepEqual(findings(`${cluster}read-only-port = 10255\nanonymous-auth = true\n`), [
      "kubelet-node-config-verifiable: user data line 5: settings.kubernetes.read-only-port is not a Bottlerocket setting, and Bottlerocket refuses settings it does not know (its settings model denies unknown fields), so the node does not get this user data's settings",
      "kubelet-node-config-verifiable: user data line 6: settings.kubernetes.anonymous-auth is not a Bottlerocket setting, and Bottlerocket refuses settings it does not know (its settings model denies unknown fields), so the node does not get this user data's settings",
    ]);
  });
});

describe("the kubelet config template's conditions (bottlerocket-core-kit packages/kubernetes-1.31/kubelet-config @a10182f9)", () => {
  const SELF_SIGNED =
    "kubelet-tls-cert-files: user data line 5: server-tls-bootstrap = false with no serving certificate and key files leaves the kubelet serving a self-signed certificate; set settings.kubernetes.server-tls-bootstrap = true";
  it("tlsCertFile only when server-certificate and server-key are both non-empty (Handlebars: an empty string is false)", () => {
    const given = (extra: string) => findings(`${cluster}server-tls-bootstrap = false\n${extra}`);
    assert.deepEqual(given('server-certificate = "Y2U="\nserver-key = "a2V5"\n'), []);
    assert.deepEqual(given('server-certificate = ""\nserver-key = ""\n'), [SELF_SIGNED]);
    assert.deepEqual(given('server-certificate = "Y2U="\nserver-key = ""\n'), [SELF_SIGNED]);
    assert.deepEqual(given('server-certificate = "Y2U="\n'), [SELF_SIGNED]);
  });
});
