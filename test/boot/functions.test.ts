/**
 * Shell functions as bash runs them (policypack/boot/script.ts runCommands), checked live against bash:
 * a function exists from where its definition is read, so calling it earlier runs nothing of it; a later
 * definition replaces an earlier one; a body runs where it is called, as often as it is called.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";
import { bashChildSees } from "../helpers/oracles";

const FLAG = "--read-only-port=10255";
const findings = (script: string): string[] => {
  const { node } = analyzeUserData({ value: `#!/bin/bash\n${script}\n/etc/eks/bootstrap.sh my-cluster\n`, encoding: "plain" });
  return (node ? evaluateNode(node) : []).map((f) => f.policy);
};

describe("shell functions (bash(1), checked live against bash)", () => {
  const scripts = [
    `f() { export KUBELET_EXTRA_ARGS=${FLAG}; }\nf`,
    `f 2>/dev/null\nf() { export KUBELET_EXTRA_ARGS=${FLAG}; }`,
    `f() { export KUBELET_EXTRA_ARGS=${FLAG}; }\nf() { true; }\nf`,
    `f() { true; }\nf() { export KUBELET_EXTRA_ARGS=${FLAG}; }\nf`,
    `g() { f; }\nf() { export KUBELET_EXTRA_ARGS=${FLAG}; }\ng`,
    `g() { f; }\ng 2>/dev/null\nf() { export KUBELET_EXTRA_ARGS=${FLAG}; }`,
    `function f {\n  export KUBELET_EXTRA_ARGS=${FLAG}\n}\nf`,
  ];
  const seen = bashChildSees(scripts, "KUBELET_EXTRA_ARGS");
  it("the oracle sees both outcomes", () => assert.ok(seen.includes(FLAG) && seen.includes(undefined)));
  scripts.forEach((script, k) => {
    it(script.replace(/\n/g, "; "), () => {
      assert.deepEqual(findings(script), seen[k] === FLAG ? ["kubelet-read-only-port"] : []);
    });
  });
});
