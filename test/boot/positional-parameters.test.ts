/**
 * Positional and special parameters (`$1`, `$@`, `$#`…, bash(1) "Special Parameters") are the shell's; the pack
 * does not know them. Passed through --kubelet-extra-args, bootstrap.sh writes the expanded value into the
 * kubelet's drop-in (amazon-eks-ami templates/al2/runtime/bootstrap.sh, KUBELET_EXTRA_ARGS), so a flag that
 * holds one is not visible: it must read as such, never as the literal `$1` the kubelet would refuse.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyze, lines } from "../helpers/userdata";

describe("positional and special parameters in flags bootstrap.sh writes", () => {
  for (const parameter of ["$1", "$9", "$#", "$?", "$$", "$!", "$-", "$*", "$@"]) {
    it(`${parameter} leaves the flag not visible`, () => {
      const { findings } = analyze(lines("#!/bin/bash", `/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=${parameter}"`));
      assert.deepEqual(findings, [
        `kubelet-node-config-verifiable: user data line 2: --read-only-port=${parameter} depends on ${parameter} that is not visible, so read-only-port cannot be checked`,
      ]);
    });
  }
  it("a known variable beside one still decides its own flag", () => {
    const { findings } = analyze(
      lines("#!/bin/bash", "PORT=10255", '/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=$PORT --node-labels=from=$1"'),
    );
    assert.deepEqual(findings, [
      "kubelet-read-only-port: user data line 3: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
});
