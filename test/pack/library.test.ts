/** `require("kubelet-guard/policies")`: the policies for an organization's own PolicyPack, selected and configured. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { PackProcess } from "../../policypack/cli/analyzer-client";
import { policies, policyNames, selectPolicies } from "../../policypack/library";
import { RULES } from "../../policypack/kubelet/rules";
import { b64, diagnostics, PACK_DIR } from "../helpers/pack";

const scratch: string[] = [];
after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("the library entry", () => {
  it("resolves through package.json exports and loads no pack, no gRPC, no program runner", () => {
    const script = `
      const library = require("kubelet-guard/policies");
      const loaded = Object.keys(require.cache).map((f) => f.replace(${JSON.stringify(PACK_DIR)}, ""));
      process.stdout.write(JSON.stringify({ count: library.policies.length, names: library.policyNames.length, loaded }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: PACK_DIR, encoding: "utf8" })) as {
      count: number;
      names: number;
      loaded: string[];
    };
    assert.equal(out.count, RULES.length);
    assert.equal(out.names, RULES.length);
    assert.ok(out.loaded.includes("/bin/policypack/library.js"));
    // @pulumi/policy's PolicyPack starts a gRPC server on construction: it must not even be loaded.
    for (const forbidden of [
      "/node_modules/@pulumi/policy/",
      "/node_modules/@grpc/grpc-js/",
      "/node_modules/tsx/",
      "/bin/policypack/cli/",
      "/bin/policypack/index.js",
    ]) {
      assert.deepEqual(
        out.loaded.filter((f) => f.includes(forbidden)),
        [],
        forbidden,
      );
    }
  });
  it("selects by name and sets levels, with `all` first and a policy's own entry over it", () => {
    const selected = selectPolicies({
      exclude: ["kubelet-hostname-override"],
      config: { all: "advisory", "kubelet-read-only-port": { enforcementLevel: "mandatory" } },
    });
    assert.equal(selected.length, RULES.length - 1);
    assert.ok(!selected.some((p) => p.name === "kubelet-hostname-override"));
    assert.deepEqual(
      selected.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name),
      ["kubelet-read-only-port"],
    );
    assert.deepEqual(
      selectPolicies({ include: ["kubelet-anonymous-auth", "kubelet-read-only-port"] }).map((p) => [p.name, p.enforcementLevel]),
      [
        ["kubelet-anonymous-auth", "mandatory"],
        ["kubelet-read-only-port", "mandatory"],
      ],
    );
    // the originals are untouched
    assert.equal(policies.find((p) => p.name === "kubelet-read-only-port")!.enforcementLevel, "mandatory");
    assert.equal(policyNames.length, RULES.length);
  });
  it("refuses an unknown name or a bad setting, naming the policy and the key", () => {
    assert.throws(() => selectPolicies({ include: ["kubelet-read-only-prot"] }), /kubelet-read-only-prot: no such policy in kubelet-guard/);
    assert.throws(
      () => selectPolicies({ config: { "kubelet-streaming-connection-idle-timeout": { maxIdleTimeout: 3600 } } }),
      /kubelet-streaming-connection-idle-timeout: maxIdleTimeout: Invalid type\. Expected: string, given: integer/,
    );
  });
  it("configured settings are what an organization's own pack runs with, and a policy group's config still overrides them", async () => {
    mkdirSync(path.join(PACK_DIR, ".bench"), { recursive: true });
    const dir = mkdtempSync(path.join(PACK_DIR, ".bench", "org-pack-"));
    scratch.push(dir);
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "org-policies", version: "1.0.0", main: "index.js" }));
    writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    writeFileSync(
      path.join(dir, "index.js"),
      `const { PolicyPack } = require("@pulumi/policy");
       const { selectPolicies } = require(${JSON.stringify(path.join(PACK_DIR, "bin/policypack/library.js"))});
       new PolicyPack("org-policies", { policies: selectPolicies({ include: ["kubelet-pod-pids-limit"], config: { "kubelet-pod-pids-limit": { enforcementLevel: "advisory", maximum: 1024 } } }) });`,
    );
    const pack = await PackProcess.start(dir);
    try {
      const resource = {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "workers",
        props: { userData: b64("#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--pod-max-pids=2048'\n") },
      };
      await pack.configure({});
      const found = await diagnostics(pack, resource);
      assert.deepEqual(
        found.map(([policy, level]) => [policy, level]),
        [["kubelet-pod-pids-limit", "advisory"]],
      );
      assert.match(found[0][2], /--pod-max-pids=2048/);
      await pack.configure({ "kubelet-pod-pids-limit": { maximum: 4096 } });
      assert.deepEqual(await diagnostics(pack, resource), []);
    } finally {
      await pack.close();
    }
  });
});
