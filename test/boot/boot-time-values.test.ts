/**
 * Kubelet config files whose values the boot computes (bash(1): command substitution and variables set from a
 * command's output are known only when the script runs). The kubelet decodes whatever the file holds then, so a
 * setting written from such a value can be anything its decoder accepts (cmd/kubelet/app/options: the config file
 * is decoded by kubelet.config.k8s.io's codec): it cannot be checked, and it is not a decoding error either.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findings, lines, READ_ONLY } from "../helpers/userdata";

const CONFIG = "/etc/kubernetes/kubelet/kubelet-config.json";
const HEAD =
  '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","authentication":{"x509":{"clientCAFile":"/etc/kubernetes/pki/ca.crt"}}';
const node = (...script: string[]) => findings(lines("#!/bin/bash", ...script, "/etc/eks/bootstrap.sh c"));

describe("config values known only at boot", () => {
  it("a variable set from a command's output, or a substitution written into the file, leaves the setting unchecked", () => {
    const unchecked = `kubelet-node-config-verifiable: user data line 4 (${CONFIG}): readOnlyPort is written from a value known only at boot, so read-only-port cannot be checked`;
    assert.deepEqual(node("PORT=$(cat /run/port)", `cat > ${CONFIG} <<EOF`, `${HEAD},"readOnlyPort":$PORT}`, "EOF"), [unchecked]);
    assert.deepEqual(node("", `cat > ${CONFIG} <<EOF`, `${HEAD},"readOnlyPort":$(cat /run/port)}`, "EOF"), [unchecked]);
  });
  it("inside a list, too; a value the script sets itself is still checked", () => {
    assert.deepEqual(node("SUITE=$(cat /run/suite)", `cat > ${CONFIG} <<EOF`, `${HEAD},"tlsCipherSuites":["$SUITE"]}`, "EOF"), [
      `kubelet-node-config-verifiable: user data line 4 (${CONFIG}): tlsCipherSuites is written from a value known only at boot, so tls-cipher-suites cannot be checked`,
    ]);
    assert.deepEqual(node("PORT=10255", `cat > ${CONFIG} <<EOF`, `${HEAD},"readOnlyPort":$PORT}`, "EOF"), [
      READ_ONLY(`user data line 4 (${CONFIG})`)
        .replace("--read-only-port=10255", "readOnlyPort: 10255")
        .replace("set --read-only-port=0", "set readOnlyPort: 0"),
    ]);
  });
});
