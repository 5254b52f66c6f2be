/**
 * Bottlerocket settings as the kubelet gets them (policypack/boot/documents.ts): each setting through
 * bottlerocket-core-kit's kubelet config template (packages/kubernetes-1.31/kubelet-config @a10182f9,
 * kept in test/fixtures/sources/bottlerocket-core-kit), and the settings that run code the pack cannot see.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";

const template = readFileSync(path.join(__dirname, "../fixtures/sources/bottlerocket-core-kit/kubernetes-1.31-kubelet-config"), "utf8");
const findings = (toml: string): string[] => {
  const { node } = analyzeUserData({ value: toml, encoding: "plain" });
  assert.ok(node, "a Bottlerocket node");
  return evaluateNode(node).map((f) => `${f.policy}: ${f.message}`);
};
const cluster = '[settings.kubernetes]\napi-server = "https://example.eks.amazonaws.com"\ncluster-name = "c"\ncluster-certificate = "Y2E="\n';

describe("Bottlerocket settings through the kubelet config template", () => {
  it("a plain cluster join: the template's secure defaults, nothing to report", () => {
    assert.deepEqual(findings(cluster), []);
  });
  it("standalone-mode = true: the template's anonymous auth and AlwaysAllow", () => {
    assert.match(
      template,
      /\{\{#if settings\.kubernetes\.standalone-mode\}\}\naddress: 127\.0\.0\.1\nauthentication:\n {2}anonymous:\n {4}enabled: true\n[\s\S]*?authorization:\n {2}mode: AlwaysAllow\n\{\{else\}\}/,
    );
    assert.deepEqual(findings(`${cluster}standalone-mode = true\n`), [
      "kubelet-anonymous-auth: user data line 5: standalone-mode = true lets unauthenticated requests reach the kubelet API; remove settings.kubernetes.standalone-mode = true (it turns on anonymous auth)",
      "kubelet-authorization-mode: user data line 5: standalone-mode = true authorizes every request to the kubelet API; remove settings.kubernetes.standalone-mode = true (it sets AlwaysAllow)",
    ]);
    assert.deepEqual(findings(`${cluster}standalone-mode = false\n`), []);
  });
  it("pod-pids-limit is podPidsLimit (default 1048576); seccomp-default is seccompDefault; event-qps is eventRecordQPS", () => {
    assert.match(template, /^podPidsLimit: \{\{default 1048576 settings\.kubernetes\.pod-pids-limit\}\}$/m);
    assert.deepEqual(findings(`${cluster}pod-pids-limit = -1\n`), [
      "kubelet-pod-pids-limit: user data line 5: pod-pids-limit = -1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set settings.kubernetes.pod-pids-limit to a positive limit",
    ]);
    assert.deepEqual(findings(`${cluster}pod-pids-limit = 4096\n`), []);
    assert.match(template, /^seccompDefault: \{\{default false settings\.kubernetes\.seccomp-default\}\}$/m);
    assert.deepEqual(findings(`${cluster}seccomp-default = true\n`), []);
    assert.match(template, /^eventRecordQPS: \{\{settings\.kubernetes\.event-qps\}\}$/m);
    assert.deepEqual(findings(`${cluster}event-qps = 5\n`), []);
  });
  it("server-tls-bootstrap = false serves a self-signed certificate, unless server-certificate and server-key are given", () => {
    assert.match(
      template,
      /server-certificate\) \(default "" settings\.kubernetes\.server-key\)\)\}\}\ntlsCertFile: "\/etc\/kubernetes\/pki\/kubelet-server\.crt"\ntlsPrivateKeyFile: "\/etc\/kubernetes\/pki\/private\/kubelet-server\.key"\n\{\{else\}\}\nserverTLSBootstrap:/,
    );
    assert.deepEqual(findings(`${cluster}server-tls-bootstrap = false\n`), [
      "kubelet-tls-cert-files: user data line 5: server-tls-bootstrap = false with no serving certificate and key files leaves the kubelet serving a self-signed certificate; set settings.kubernetes.server-tls-bootstrap = true",
    ]);
    assert.deepEqual(findings(`${cluster}server-tls-bootstrap = false\nserver-certificate = "Y2VydA=="\nserver-key = "a2V5"\n`), []);
  });
  it("says what it cannot see: bootstrap containers, enabled superpowered host containers, and a setting Bottlerocket does not have", () => {
    assert.deepEqual(findings(`${cluster}[settings.bootstrap-containers.setup]\nsource = "registry/setup:1"\nmode = "once"\n`), [
      "kubelet-node-config-verifiable: user data line 5: bootstrap container setup runs code on the host that the pack cannot see",
    ]);
    assert.deepEqual(findings(`${cluster}[settings.host-containers.admin]\nenabled = true\nsuperpowered = true\n`), [
      "kubelet-node-config-verifiable: user data line 5: host container admin runs superpowered with code the pack cannot see",
    ]);
    assert.deepEqual(findings(`${cluster}[settings.host-containers.admin]\nenabled = false\nsuperpowered = true\n`), []);
    assert.doesNotMatch(template, /kubelet-extra-config/);
    assert.deepEqual(findings(`${cluster}kubelet-extra-config = "x"\n`), [
      "kubelet-node-config-verifiable: user data line 5: settings.kubernetes.kubelet-extra-config is not a Bottlerocket setting (its kubelet config template has no such input), so it does not configure the kubelet",
    ]);
  });
});
