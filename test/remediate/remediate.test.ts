/**
 * Remediation through the Analyzer protocol, as the engine calls it at the `remediate` level
 * (@pulumi/policy server.js makeRemediateRpcFun), on every resource kind each remediating rule applies
 * to, with exact before/after properties; then the remediated properties analysed at `mandatory`.
 */
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { PackProcess, secret, type ResourceToAnalyze } from "../../policypack/cli/analyzer-client";
import { RULES } from "../../policypack/kubelet/rules";
import { adapterFor } from "../../policypack/platforms/index";
import { planRemediation } from "../../policypack/remediate/index";
import { b64, diagnostics, PACK_DIR } from "../helpers/pack";

let pack: PackProcess;
before(async () => {
  pack = await PackProcess.start(PACK_DIR);
  await pack.configureStack();
});
after(async () => {
  await pack.close();
});

const MAXIMUM = 4096;

/**
 * Each remediating rule: an insecure flag and the flag after the fix ("" where the fix is removal).
 * The fixed values are the CIS recommendations (CIS Kubernetes Benchmark 1.12 section 4.2), the kubelet's
 * own streaming default (4h: pkg/kubelet/apis/config/v1beta1/defaults.go), and the configured maximum.
 */
const FLAG_FIXES: [policy: string, insecure: string, fixed: string][] = [
  ["kubelet-anonymous-auth", "--anonymous-auth=true", "--anonymous-auth=false"],
  ["kubelet-authorization-mode", "--authorization-mode=AlwaysAllow", "--authorization-mode=Webhook"],
  ["kubelet-read-only-port", "--read-only-port=10255", "--read-only-port=0"],
  ["kubelet-streaming-connection-idle-timeout", "--streaming-connection-idle-timeout=0", "--streaming-connection-idle-timeout=4h"],
  ["kubelet-make-iptables-util-chains", "--make-iptables-util-chains=false", "--make-iptables-util-chains=true"],
  ["kubelet-hostname-override", "--hostname-override=node-1", ""],
  ["kubelet-rotate-certificates", "--rotate-certificates=false", "--rotate-certificates=true"],
  ["kubelet-pod-pids-limit", "--pod-max-pids=-1", `--pod-max-pids=${MAXIMUM}`],
  ["kubelet-seccomp-default", "--seccomp-default=false", "--seccomp-default=true"],
];

it("the remediating policies are exactly the rules with a certain fix", () => {
  assert.deepEqual(
    RULES.filter((r) => r.remedy).map((r) => r.policy),
    FLAG_FIXES.map(([policy]) => policy),
  );
});

/** `flags` with one flag before `--v=2`, or just `--v=2` when the fix removed it. */
const withFlag = (flag: string): string => (flag ? `${flag} --v=2` : "--v=2");
const al2Script = (flag: string): string => `#!/bin/bash\nset -o xtrace\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '${withFlag(flag)}'\n`;
const kubeadmScript = (flag: string): string =>
  `#!/bin/bash\necho 'KUBELET_EXTRA_ARGS=${withFlag(flag)}' > /etc/default/kubelet\nkubeadm join 10.0.0.1:6443 --token abc --discovery-token-ca-cert-hash sha256:0\n`;
const mime = (script: string): string =>
  `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="//"\r\n\r\n--//\r\nContent-Type: text/x-shellscript; charset="us-ascii"\r\n\r\n${script.replace(/\n/g, "\r\n")}\r\n--//--\r\n`;
const nodeConfig = (flag: string): string =>
  `apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    flags:\n${flag ? `      - ${flag}\n` : ""}      - --v=2\n`;
/** Base64 wrapped at 76 columns with CRLF, as some tools write it: kept as it came. */
const wrapped = (text: string): string =>
  `${b64(text)
    .match(/.{1,76}/g)!
    .join("\r\n")}\r\n`;

/** Resource kinds whose user data (or kubeletExtraArgs) carries the flag as text, with the properties for a flag. */
const TEXT_KINDS: [kind: string, type: string, props: (flag: string) => Record<string, unknown>][] = [
  ["launch template, base64 script", "aws:ec2/launchTemplate:LaunchTemplate", (f) => ({ userData: b64(al2Script(f)) })],
  ["launch template, base64 MIME with CRLF", "aws:ec2/launchTemplate:LaunchTemplate", (f) => ({ userData: b64(mime(al2Script(f))) })],
  ["launch template, base64 wrapped at 76 columns", "aws:ec2/launchTemplate:LaunchTemplate", (f) => ({ userData: wrapped(al2Script(f)) })],
  ["aws-native launch template", "aws-native:ec2:LaunchTemplate", (f) => ({ launchTemplateData: { userData: b64(al2Script(f)) } })],
  ["EC2 instance, plain user data", "aws:ec2/instance:Instance", (f) => ({ userData: al2Script(f) })],
  ["@pulumi/eks managed node group", "eks:index:ManagedNodeGroup", (f) => ({ operatingSystem: "AL2", kubeletExtraArgs: withFlag(f) })],
  [
    "Karpenter EC2NodeClass (AL2023 NodeConfig)",
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    (f) => ({ spec: { amiFamily: "AL2023", userData: nodeConfig(f) } }),
  ],
  [
    "Azure scale set custom data",
    "azure-native:compute:VirtualMachineScaleSet",
    (f) => ({ virtualMachineProfile: { osProfile: { customData: b64(kubeadmScript(f)) } } }),
  ],
  ["GCE instance startup script", "gcp:compute/instance:Instance", (f) => ({ metadataStartupScript: kubeadmScript(f) })],
];

/** Cluster API: kubeletExtraArgs is a map from flag name to value. */
function kubeadmConfigTemplate(flag: string): Record<string, unknown> {
  const args: Record<string, string> = { v: "2" };
  if (flag) {
    const [name, value] = flag.slice(2).split("=");
    args[name] = value;
  }
  return { spec: { template: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: args } } } } } };
}

async function configureOnly(policy: string, level: "remediate" | "mandatory"): Promise<void> {
  const config: Record<string, unknown> = { all: "disabled" };
  config[policy] = policy === "kubelet-pod-pids-limit" ? { enforcementLevel: level, maximum: MAXIMUM } : level;
  await pack.configure(config as never);
}

/** Remediate at `remediate`, then Analyze the result at `mandatory`: the properties returned and what remains. */
async function remediateAndCheck(policy: string, resource: ResourceToAnalyze): Promise<{ properties?: Record<string, unknown>; remaining: string[] }> {
  await configureOnly(policy, "remediate");
  const remediations = await pack.remediate(resource);
  assert.ok(remediations.length <= 1);
  assert.equal(remediations[0]?.diagnostic, undefined);
  const properties = remediations[0]?.properties;
  await configureOnly(policy, "mandatory");
  const remaining = (await diagnostics(pack, { ...resource, props: properties ?? resource.props })).map(([p, level]) => `${p} ${level}`);
  return { properties, remaining };
}

describe("Remediate on every resource kind each remediating rule applies to", () => {
  for (const [policy, insecure, fixed] of FLAG_FIXES) {
    for (const [kind, type, props] of TEXT_KINDS) {
      it(`${policy}: ${kind}`, async () => {
        const { properties, remaining } = await remediateAndCheck(policy, { type, name: "workers", props: props(insecure) });
        assert.deepEqual(properties, props(fixed));
        assert.deepEqual(remaining, []);
      });
    }
    it(`${policy}: Cluster API KubeadmConfigTemplate kubeletExtraArgs`, async () => {
      const type = "kubernetes:bootstrap.cluster.x-k8s.io/v1beta1:KubeadmConfigTemplate";
      const { properties, remaining } = await remediateAndCheck(policy, { type, name: "workers", props: kubeadmConfigTemplate(insecure) });
      assert.deepEqual(properties, kubeadmConfigTemplate(fixed));
      assert.deepEqual(remaining, []);
    });
  }

  it("gzip inside base64: the edited script, compressed again", async () => {
    const gzipped = (flag: string) => ({ userData: gzipSync(Buffer.from(al2Script(flag))).toString("base64") });
    const { properties, remaining } = await remediateAndCheck("kubelet-read-only-port", {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "lt",
      props: gzipped("--read-only-port=10255"),
    });
    assert.equal(gunzipSync(Buffer.from(properties!.userData as string, "base64")).toString(), al2Script("--read-only-port=0"));
    assert.deepEqual(remaining, []);
  });

  it("a config-file value in a nodeadm NodeConfig (YAML) and in a JSON kubelet config a script writes", async () => {
    const yaml = (port: number) =>
      b64(
        mime(`#!/bin/bash\necho hi\n`).replace(
          "--//--",
          `--//\r\nContent-Type: application/node.eks.aws\r\n\r\napiVersion: node.eks.aws/v1alpha1\r\nkind: NodeConfig\r\nspec:\r\n  kubelet:\r\n    config:\r\n      readOnlyPort: ${port}\r\n\r\n--//--`,
        ),
      );
    const yamlResult = await remediateAndCheck("kubelet-read-only-port", {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "lt",
      props: { userData: yaml(10255) },
    });
    assert.deepEqual(yamlResult.properties, { userData: yaml(0) });
    const json = (enabled: boolean) =>
      b64(
        `#!/bin/bash\ncat > /etc/kubernetes/kubelet/kubelet-config.json <<'EOF'\n{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","authentication":{"anonymous":{"enabled":${enabled}}}}\nEOF\n/etc/eks/bootstrap.sh my-cluster\n`,
      );
    const jsonResult = await remediateAndCheck("kubelet-anonymous-auth", {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "lt",
      props: { userData: json(true) },
    });
    assert.deepEqual(jsonResult.properties, { userData: json(false) });
    assert.deepEqual(jsonResult.remaining, []);
  });
});

describe("Remediate on API fields (GKE Container API NodeKubeletConfig, AKS KubeletConfig)", () => {
  const cases: [policy: string, type: string, before: Record<string, unknown>, after: Record<string, unknown>][] = [
    [
      "kubelet-read-only-port",
      "gcp:container/nodePool:NodePool",
      { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "TRUE" } } },
      { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" } } },
    ],
    [
      "kubelet-read-only-port",
      "gcp:container/cluster:Cluster",
      {
        nodePoolDefaults: { nodeConfigDefaults: { insecureKubeletReadonlyPortEnabled: "TRUE" } },
        nodePools: [{ nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "TRUE" } } }],
      },
      {
        nodePoolDefaults: { nodeConfigDefaults: { insecureKubeletReadonlyPortEnabled: "FALSE" } },
        nodePools: [{ nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" } } }],
      },
    ],
    [
      "kubelet-pod-pids-limit",
      "gcp:container/nodePool:NodePool",
      { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE", podPidsLimit: 100000 } } },
      { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE", podPidsLimit: MAXIMUM } } },
    ],
    ["kubelet-pod-pids-limit", "azure-native:containerservice:AgentPool", { kubeletConfig: { podMaxPids: -1 } }, { kubeletConfig: { podMaxPids: MAXIMUM } }],
    [
      "kubelet-pod-pids-limit",
      "azure-native:containerservice:ManagedCluster",
      { agentPoolProfiles: [{ name: "system", kubeletConfig: { podMaxPids: 100000 } }] },
      { agentPoolProfiles: [{ name: "system", kubeletConfig: { podMaxPids: MAXIMUM } }] },
    ],
    [
      "kubelet-seccomp-default",
      "azure-native:containerservice:AgentPool",
      { kubeletConfig: { seccompDefault: "Unconfined" } },
      { kubeletConfig: { seccompDefault: "RuntimeDefault" } },
    ],
  ];
  for (const [policy, type, beforeProps, afterProps] of cases) {
    it(`${policy}: ${type}`, async () => {
      const { properties, remaining } = await remediateAndCheck(policy, { type, name: "pool", props: beforeProps });
      assert.deepEqual(properties, afterProps);
      assert.deepEqual(remaining, []);
    });
  }
});

describe("what remediation does not do", () => {
  it("changes nothing on a resource with no finding, or one that is exempt", async () => {
    const compliant = { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", props: { userData: b64(al2Script("--read-only-port=0")) } };
    await configureOnly("kubelet-read-only-port", "remediate");
    assert.deepEqual(await pack.remediate(compliant), []);
    await pack.configure({ all: "disabled", "kubelet-read-only-port": { enforcementLevel: "remediate", exemptions: [{ resource: "lt", reason: "OPS-1" }] } });
    assert.deepEqual(await pack.remediate({ ...compliant, props: { userData: b64(al2Script("--read-only-port=10255")) } }), []);
  });
  it("guesses nothing: a value computed at boot stays, is reported as mandatory, and the certain fix beside it is made", async () => {
    const script = (anonymous: string) =>
      `#!/bin/bash\nPORT=10255\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args "--read-only-port=$PORT --anonymous-auth=${anonymous}"\n`;
    const resource = { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", props: { userData: b64(script("true")) } };
    await pack.configure({ all: "disabled", "kubelet-read-only-port": "remediate", "kubelet-anonymous-auth": "remediate" });
    const remediations = await pack.remediate(resource);
    assert.deepEqual(
      remediations.map((r) => [r.policyName, r.properties]),
      [["kubelet-anonymous-auth", { userData: b64(script("false")) }]],
    );
    // the engine analyses the remediated inputs; a policy at remediate reports what it could not fix as mandatory
    const left = await diagnostics(pack, { ...resource, props: remediations[0].properties! });
    assert.deepEqual(
      left.map(([p, level]) => [p, level]),
      [["kubelet-read-only-port", "mandatory"]],
    );
  });
  it("keeps a secret user data secret, and says nothing of it", async () => {
    await configureOnly("kubelet-read-only-port", "remediate");
    const remediations = await pack.remediate({
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "lt",
      props: { userData: secret(b64(al2Script("--read-only-port=10255"))) },
    });
    assert.deepEqual(remediations, [
      { policyName: "kubelet-read-only-port", properties: { userData: secret(b64(al2Script("--read-only-port=0"))) }, diagnostic: undefined },
    ]);
  });
});

describe("remediation, as properties (fast-check)", () => {
  const launchTemplate = adapterFor("aws:ec2/launchTemplate:LaunchTemplate")!;
  const rule = (policy: string) => RULES.find((r) => r.policy === policy)!;
  /** Lines that configure no kubelet: comments, echoes, exports of unrelated variables. */
  const unrelated = fc.array(
    fc.oneof(
      fc.stringMatching(/^# [a-z ]{0,20}$/),
      fc.stringMatching(/^echo [a-z]{1,10}$/),
      fc.stringMatching(/^export [A-Z]{1,6}=[a-z0-9]{0,6}$/),
      fc.constant(""),
    ),
    { maxLength: 6 },
  );
  const cases = fc.record({
    fix: fc.constantFrom(...FLAG_FIXES),
    head: unrelated,
    tail: unrelated,
    crlf: fc.boolean(),
  });
  const script = (flag: string, head: string[], tail: string[], crlf: boolean): string => {
    const text = ["#!/bin/bash", ...head, `/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '${withFlag(flag)}'`, ...tail, ""].join("\n");
    return crlf ? text.replace(/\n/g, "\r\n") : text;
  };
  const params = (policy: string) => (policy === "kubelet-pod-pids-limit" ? { maximum: MAXIMUM } : {});

  it("changes only the setting's own text, and a second run changes nothing (idempotent)", () => {
    fc.assert(
      fc.property(cases, ({ fix: [policy, insecure, fixed], head, tail, crlf }) => {
        const original = script(insecure, head, tail, crlf);
        const plan = planRemediation(launchTemplate, { userData: b64(original) }, rule(policy), params(policy));
        assert.equal(plan.changes.length, 1);
        const edited = Buffer.from(plan.changes[0].value as string, "base64").toString();
        assert.equal(edited, script(fixed, head, tail, crlf));
        const again = planRemediation(launchTemplate, { userData: plan.changes[0].value }, rule(policy), params(policy));
        assert.deepEqual(again, { changes: [], unfixed: [] });
      }),
      { numRuns: 150, seed: 1617 },
    );
  });
});
