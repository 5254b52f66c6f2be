/**
 * The pack's start: the CLI waits for GetAnalyzerInfo, which needs only the rule catalog, so the analysis
 * (user-data formats, the YAML and TOML parsers, the node's boot) loads with the first resource.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { RULES } from "../../policypack/kubelet/rules";
import { b64, PACK_DIR } from "../helpers/pack";

/** In a fresh process: the modules loaded by the policies alone, then by one policy run on `userData`, and what it reported. */
function loadedAround(userData: string, policy: string): { atStart: string[]; afterOne: string[]; count: number; reported: string[] } {
  const script = `
    const loaded = () => Object.keys(require.cache).map((f) => f.replace(${JSON.stringify(PACK_DIR)}, ""));
    const { policies } = require("./bin/policypack/pack/policies.js");
    const atStart = loaded();
    const reported = [];
    const policy = policies.find((p) => p.name === ${JSON.stringify(policy)});
    const args = {
      type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", urn: "urn:pulumi:dev::p::aws:ec2/launchTemplate:LaunchTemplate::lt",
      props: { userData: ${JSON.stringify(userData)} }, opts: {}, stackTags: new Map(), isType: () => false, asType: () => undefined,
      getConfig: () => ({}), notApplicable: (reason) => { throw new Error("not applicable: " + reason); },
    };
    policy.validateResource(args, (message) => reported.push(String(message)));
    process.stdout.write(JSON.stringify({ atStart, afterOne: loaded(), count: policies.length, reported }));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: PACK_DIR, encoding: "utf8" }));
}

/** Loaded by a NodeConfig's analysis; TOML (Bottlerocket) is never needed at start either. */
const NODECONFIG_ANALYSIS = ["/node_modules/yaml/", "/bin/policypack/userdata/", "/bin/policypack/boot/", "/bin/policypack/platforms/"];
const ANALYSIS = [...NODECONFIG_ANALYSIS, "/node_modules/smol-toml/"];

describe("the pack's start", () => {
  it("loads the rule catalog and no analysis; the first resource loads the analysis and is checked", () => {
    const nodeConfig = `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: application/node.eks.aws\n\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster: {name: c, apiServerEndpoint: "https://x", certificateAuthority: Y2E=, cidr: 10.100.0.0/16}\n  kubelet:\n    config:\n      readOnlyPort: 10255\n--B--\n`;
    const { atStart, afterOne, count, reported } = loadedAround(b64(nodeConfig), "kubelet-read-only-port");
    assert.equal(count, RULES.length);
    assert.ok(atStart.includes("/bin/policypack/kubelet/rules.js"));
    for (const part of ANALYSIS)
      assert.deepEqual(
        atStart.filter((f) => f.includes(part)),
        [],
        `${part} loaded at start`,
      );
    for (const part of NODECONFIG_ANALYSIS)
      assert.ok(
        afterOne.some((f) => f.includes(part)),
        `${part} not loaded by the first resource`,
      );
    // The NodeConfig's readOnlyPort reaches the kubelet (nodeadm merges it into its config): the lazily loaded analysis did run.
    assert.equal(reported.length, 1);
    assert.match(reported[0], /10255/);
  });
});
