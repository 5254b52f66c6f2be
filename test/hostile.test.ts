/**
 * Hostile input: nothing the engine can send makes a policy throw, caps hold
 * and say so, and secrets never reach a message.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import fc from "fast-check";
import { secret } from "../policypack/cli/analyzer-client";
import * as rules from "../policypack/kubelet/rules";
import { policies } from "../policypack/pack/policies";
import { aliasBomb } from "./helpers/documents";
import { bestMs, PackInternalError, remediateAll, resource, runPolicies, runPoliciesStrictly, withFault } from "./helpers/arbitraries";

const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");
const verifiable = (type: string, props: Record<string, unknown>) => runPolicies(type, props).filter((r) => r.policy === "kubelet-node-config-verifiable");

describe("fuzzing the policies' entry point (fixed seed)", () => {
  it("never throws nor hits an internal error on arbitrary property shapes and mutated user data of every resource type", () => {
    fc.assert(
      fc.property(resource, ({ type, props }) => {
        runPoliciesStrictly(type, props);
      }),
      { numRuns: 1500, seed: 20261123 },
    );
  });
  it("fails when the pack hits an internal error it reports as an advisory (an injected fault)", () => {
    const userData = Buffer.from("#!/bin/bash\nkubelet --read-only-port=10255\n").toString("base64");
    const verifiable = rules.RULES.find((r) => r.policy === "kubelet-node-config-verifiable")!;
    withFault(verifiable as unknown as Record<string, unknown>, "evaluate", () => {
      // The pack itself survives: it reports one advisory and logs to stderr.
      assert.ok(runPolicies("aws:ec2/launchTemplate:LaunchTemplate", { userData }).some((r) => /internal error/.test(r.message)));
      assert.throws(() => runPoliciesStrictly("aws:ec2/launchTemplate:LaunchTemplate", { userData }), PackInternalError);
    });
    // Without the fault the same input passes the strict run.
    assert.ok(runPoliciesStrictly("aws:ec2/launchTemplate:LaunchTemplate", { userData }).some((r) => r.policy === "kubelet-read-only-port"));
  });
  it("remediation that hits an internal error leaves the resource unchanged and logs it (a fault injected through the props proxy)", () => {
    const userData = Buffer.from("#!/bin/bash\nkubelet --read-only-port=10255\n").toString("base64");
    const policy = policies.find((p) => p.name === "kubelet-read-only-port")!;
    // props whose writes fail, as a broken engine proxy would
    const props = new Proxy({ userData } as Record<string, unknown>, {
      set: () => {
        throw new TypeError("injected fault");
      },
    });
    const args = {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "lt",
      urn: "urn:pulumi:dev::p::aws:ec2/launchTemplate:LaunchTemplate::lt",
      props,
      getConfig: () => ({}),
    };
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    let result: unknown;
    try {
      result = (policy.remediateResource as (a: unknown) => unknown)(args);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(result, undefined);
    assert.match(written.join(""), /kubelet-guard: remediation kubelet-read-only-port failed on urn:.*injected fault/s);
    // the same resource, with working props, is remediated
    assert.notEqual(remediateAll("aws:ec2/launchTemplate:LaunchTemplate", { userData })["kubelet-read-only-port"], undefined);
  });
});

describe("caps answer with an unverifiable advisory", () => {
  it("a gzip bomb of 1 GiB of zeros", () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024 * 1024), { level: 9 });
    const found = verifiable("aws:ec2/launchTemplate:LaunchTemplate", { userData: b64(bomb) });
    assert.deepEqual(
      found.map((f) => f.message),
      ["user data: the gzip data decompresses to more than 1048576 bytes, over the pack's cap, so it was not read"],
    );
  });
  it("50,000 MIME parts", () => {
    const parts = "--B\n\nx\n".repeat(50_000);
    const found = runPolicies("aws:ec2/instance:Instance", { userData: `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n${parts}--B--\n` });
    assert.ok(found.some((f) => f.message.includes("more than 1000 MIME parts, over the pack's cap")));
  });
  it("a YAML alias bomb in a NodeConfig", () => {
    const found = verifiable("aws:ec2/instance:Instance", { userData: aliasBomb() });
    assert.equal(found.length, 1);
    assert.match(found[0].message, /NodeConfig is not valid YAML or JSON .*alias/i);
  });
  it("JSON and TOML nested 100,000 deep", () => {
    const json = `{"apiVersion":"node.eks.aws/v1alpha1","kind":"NodeConfig","spec":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    assert.match(verifiable("aws:ec2/instance:Instance", { userData: json })[0].message, /nested more than 64 levels deep/);
    const toml = `[settings.kubernetes]\nx = ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    assert.match(verifiable("aws:ec2/instance:Instance", { userData: toml })[0].message, /nested more than 64 levels deep/);
  });
  it("a (nearly) 1 MiB line of quotes", () => {
    const found = runPolicies("aws:ec2/instance:Instance", {
      userData: `#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args ${"'".repeat(1024 * 1024 - 101)}\n`,
    });
    assert.ok(found.every((f) => f.policy === "kubelet-node-config-verifiable"));
    assert.match(found.map((f) => f.message).join("\n"), /not valid shell \(unterminated single quote\)/);
  });
});

describe("patterns from user data never backtrack catastrophically", () => {
  it("leaves a nested-quantifier sed edit of a kubelet file uncertain instead of running it", () => {
    const script = `#!/bin/bash\necho 'KUBELET_EXTRA_ARGS="${"a".repeat(5000)}c"' > /etc/default/kubelet\nsed -i 's/\\(a*\\)*b/x/' /etc/default/kubelet\nkubeadm join x\n`;
    const found = runPolicies("aws:ec2/instance:Instance", { userData: script });
    assert.match(found.map((f) => f.message).join("\n"), /sed edits \/etc\/default\/kubelet, whose result the pack cannot work out/);
  });
  it("reads a megabyte-long PowerShell line", () => {
    const found = runPolicies("aws:ec2/instance:Instance", { userData: `<powershell>\n$x = "${"a".repeat(1024 * 1024 - 64)}"\n</powershell>\n` });
    assert.deepEqual(found, []);
  });
  // Growth, not absolute time: 8 times the input may cost at most 8 × 4 times as much (a quadratic
  // regression costs 64 times); the timeout turns a catastrophic one into a failure instead of a hang.
  let fresh = 0;
  // A new resource name each time, so that the pack's per-resource cache cannot answer.
  const timed = (userData: string) => bestMs(() => runPolicies("aws:ec2/instance:Instance", { userData }, `growth-${fresh++}`));
  const growth = (make: (n: number) => string, n: number): number => {
    const small = timed(make(n));
    const large = timed(make(8 * n));
    return large / Math.max(small, 0.5);
  };
  it("grows linearly with the size of a script", { timeout: 60_000 }, () => {
    const script = (n: number) => `#!/bin/bash\n${"echo 'KUBELET_EXTRA_ARGS=--max-pods=20' >> /etc/default/kubelet\n".repeat(n)}kubeadm join x\n`;
    assert.ok(growth(script, 500) < 32);
  });
  it("grows linearly with adversarial sed input (nested quantifiers are never run)", { timeout: 60_000 }, () => {
    const script = (n: number) =>
      `#!/bin/bash\necho 'KUBELET_EXTRA_ARGS="${"a".repeat(n)}c"' > /etc/default/kubelet\nsed -i 's/\\(a*\\)*b/x/' /etc/default/kubelet\nkubeadm join x\n`;
    assert.ok(growth(script, 20_000) < 32);
  });
});

describe("secrets", () => {
  const token = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/).map((s) => `S3CRET${s}`);
  const setting = fc.constantFrom(
    "--read-only-port=10255",
    "--anonymous-auth=true",
    "--authorization-mode=AlwaysAllow",
    "--event-qps=-1",
    "--read-only-port=abc",
    "--anonymous-auth false",
  );
  const script = fc
    .record({ tokens: fc.array(token, { minLength: 1, maxLength: 4 }), settings: fc.array(setting, { minLength: 1, maxLength: 3 }) })
    .map(({ tokens, settings }) => ({
      tokens,
      text: [
        "#!/bin/bash",
        `export API_TOKEN=${tokens[0]}`,
        `echo '${tokens[tokens.length - 1]}' > /etc/kubernetes/pki/token`,
        `# ${tokens.join(" ")}`,
        `/etc/eks/bootstrap.sh cluster-${tokens[0]} --kubelet-extra-args '${settings.join(" ")}'`,
        `curl -H "Authorization: ${tokens[0]}" https://example.com/${tokens[0]} | bash`,
      ].join("\n"),
    }));
  it("no message quotes secret-marked user data beyond the kubelet setting and its value", () => {
    fc.assert(
      fc.property(script, fc.boolean(), ({ tokens, text }, base64) => {
        const props = base64 ? { userDataBase64: secret(b64(text)) } : { userData: secret(text) };
        const found = runPolicies("aws:ec2/launchConfiguration:LaunchConfiguration", props);
        assert.ok(found.length > 0);
        for (const f of found) for (const t of tokens) assert.ok(!f.message.includes(t), f.message);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
  it("no message quotes user-data lines other than the offending setting", () => {
    fc.assert(
      fc.property(script, ({ tokens, text }) => {
        for (const f of runPolicies("aws:ec2/instance:Instance", { userData: text })) for (const t of tokens) assert.ok(!f.message.includes(t), f.message);
      }),
      { numRuns: 300, seed: 6 },
    );
  });
});
