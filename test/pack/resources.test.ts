/**
 * Every policy on every resource kind, through the built pack over the
 * Analyzer protocol: violating, compliant and unknown-during-preview inputs.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { after, before, describe, it } from "node:test";
import { secret, UNKNOWN_VALUE, type PackProcess } from "../../policypack/cli/analyzer-client";
import { RULES } from "../../policypack/kubelet/rules";
import { b64, diagnostics, policyNames, startPack } from "../helpers/pack";

const ALL_POLICIES = RULES.map((r) => r.policy).sort();
/** A negative --event-qps stops the kubelet (validation.go), so with the default range no running kubelet breaks 4.2.8. */
const BREAKABLE = ALL_POLICIES.filter((p) => p !== "kubelet-event-qps");

/** A self-managed node whose kubelet unit breaks every recommendation at once. */
const EVERYTHING_WRONG = [
  "#!/bin/bash",
  "cat > /etc/systemd/system/kubelet.service <<'UNIT'",
  "[Service]",
  "ExecStart=/usr/bin/kubelet --anonymous-auth=true --authorization-mode=AlwaysAllow --client-ca-file= --read-only-port=10255 \\",
  "  --streaming-connection-idle-timeout=0 --make-iptables-util-chains=false --protect-kernel-defaults=false --hostname-override=node-a \\",
  "  --event-qps=0 --tls-cert-file=/c.crt --rotate-certificates=false --feature-gates=RotateKubeletServerCertificate=false \\",
  "  --tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA --pod-max-pids=-1 --seccomp-default=false",
  "UNIT",
  "chmod 666 /etc/systemd/system/kubelet.service",
  "curl -s https://example.com/x | sh",
  "",
].join("\n");

/** A self-managed node that follows every recommendation. */
const COMPLIANT = [
  "#!/bin/bash",
  "cat > /var/lib/kubelet/config.yaml <<'EOF'",
  "apiVersion: kubelet.config.k8s.io/v1beta1",
  "kind: KubeletConfiguration",
  "authentication:",
  "  x509:",
  "    clientCAFile: /etc/kubernetes/pki/ca.crt",
  "serverTLSBootstrap: true",
  "podPidsLimit: 4096",
  "seccompDefault: true",
  "EOF",
  "chmod 600 /var/lib/kubelet/config.yaml",
  "kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=/var/lib/kubelet/kubeconfig",
  "",
].join("\n");

const USER_DATA_RESOURCES: { type: string; props: (userData: string) => Record<string, unknown>; unknownPath: string }[] = [
  { type: "aws:ec2/launchTemplate:LaunchTemplate", props: (u) => ({ userData: b64(u) }), unknownPath: "userData" },
  { type: "aws:ec2/launchConfiguration:LaunchConfiguration", props: (u) => ({ userData: u, imageId: "ami-1" }), unknownPath: "userData" },
  { type: "aws:ec2/launchConfiguration:LaunchConfiguration", props: (u) => ({ userDataBase64: b64(u) }), unknownPath: "userDataBase64" },
  { type: "aws:ec2/instance:Instance", props: (u) => ({ userData: u }), unknownPath: "userData" },
  { type: "gcp:compute/instanceTemplate:InstanceTemplate", props: (u) => ({ metadata: { "startup-script": u } }), unknownPath: "metadata.startup-script" },
  { type: "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate", props: (u) => ({ metadataStartupScript: u }), unknownPath: "metadataStartupScript" },
  {
    type: "gcp:compute/instance:Instance",
    props: (u) => ({ metadata: { "user-data": `#cloud-config\nruncmd:\n  - |\n${u.replace(/^/gm, "    ")}` } }),
    unknownPath: "metadata.user-data",
  },
  {
    type: "azure-native:compute:VirtualMachineScaleSet",
    props: (u) => ({ virtualMachineProfile: { osProfile: { customData: b64(u) } } }),
    unknownPath: "virtualMachineProfile.osProfile.customData",
  },
  { type: "azure-native:compute/v20230301:VirtualMachine", props: (u) => ({ osProfile: { customData: b64(u) } }), unknownPath: "osProfile.customData" },
  { type: "azure-native:compute:VirtualMachine", props: (u) => ({ userData: b64(u) }), unknownPath: "userData" },
  { type: "aws:ec2/spotInstanceRequest:SpotInstanceRequest", props: (u) => ({ userData: u }), unknownPath: "userData" },
  { type: "gcp:compute/instanceFromTemplate:InstanceFromTemplate", props: (u) => ({ metadataStartupScript: u }), unknownPath: "metadataStartupScript" },
  { type: "azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet", props: (u) => ({ customData: b64(u) }), unknownPath: "customData" },
  { type: "azure:compute/linuxVirtualMachine:LinuxVirtualMachine", props: (u) => ({ userData: b64(u) }), unknownPath: "userData" },
];

let pack: PackProcess;
before(async () => {
  pack = await startPack();
});
after(async () => {
  await pack.close();
});

describe("resources that carry user data", () => {
  for (const resource of USER_DATA_RESOURCES) {
    const name = `${resource.type} ${Object.keys(resource.props("x")).join(",")}`;
    it(`${name}: every policy reports a node that breaks every recommendation`, async () => {
      const found = await diagnostics(pack, { type: resource.type, name: "node", props: resource.props(EVERYTHING_WRONG) });
      assert.deepEqual(policyNames(found), BREAKABLE);
      for (const [policy, level] of found) assert.equal(level, RULES.find((r) => r.policy === policy)!.level, policy);
    });
    it(`${name}: nothing on a compliant node`, async () => {
      assert.deepEqual(await diagnostics(pack, { type: resource.type, name: "node", props: resource.props(COMPLIANT) }), []);
    });
    it(`${name}: one advisory while the user data is unknown during preview`, async () => {
      const props = resource.props("x");
      const path = resource.unknownPath.split(".");
      let node: Record<string, unknown> = props;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
      node[path[path.length - 1]] = UNKNOWN_VALUE;
      assert.deepEqual(await diagnostics(pack, { type: resource.type, name: "node", props }), [
        [
          "kubelet-node-config-verifiable",
          "advisory",
          `${resource.unknownPath} is computed from other resources and not known in this run, so it cannot be checked here; if it configures a kubelet, kubelet-guard checks it in a run where the value is known`,
        ],
      ]);
    });
  }
  it("names the setting, its value, where it came from and the fix", async () => {
    const found = await diagnostics(pack, { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", props: { userData: b64(EVERYTHING_WRONG) } });
    assert.ok(
      found.some(
        ([p, , m]) =>
          p === "kubelet-read-only-port" &&
          m ===
            "user data line 4 (/etc/systemd/system/kubelet.service): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ),
    );
  });
  it("checks the resolved value at update after an unknown one at preview, for the same resource", async () => {
    const type = "aws:ec2/launchTemplate:LaunchTemplate";
    assert.deepEqual(policyNames(await diagnostics(pack, { type, name: "same", props: { userData: UNKNOWN_VALUE } })), ["kubelet-node-config-verifiable"]);
    assert.deepEqual(policyNames(await diagnostics(pack, { type, name: "same", props: { userData: b64(EVERYTHING_WRONG) } })), BREAKABLE);
    const large = `${EVERYTHING_WRONG}${"# padding\n".repeat(1000)}`;
    assert.deepEqual(policyNames(await diagnostics(pack, { type, name: "same", props: { userData: b64(large) } })), BREAKABLE);
    assert.deepEqual(await diagnostics(pack, { type, name: "same", props: { userData: b64(`${COMPLIANT}${"# padding\n".repeat(1000)}`) } }), []);
  });
  it("is not applicable to user data with no kubelet", async () => {
    const { diagnostics: found, notApplicable } = await pack.analyze({
      type: "aws:ec2/instance:Instance",
      name: "web",
      props: { userData: "#!/bin/bash\nyum install -y httpd\n" },
    });
    assert.deepEqual(found, []);
    assert.equal(notApplicable.length, 17);
  });
});

describe("@pulumi/eks components", () => {
  it("reads kubeletExtraArgs on AL2 node groups", async () => {
    const found = await diagnostics(pack, {
      type: "eks:index:NodeGroupV2",
      name: "ng",
      props: { operatingSystem: "AL2", kubeletExtraArgs: "--read-only-port=10255 --max-pods=20" },
    });
    assert.deepEqual(found, [
      [
        "kubelet-read-only-port",
        "mandatory",
        "kubeletExtraArgs: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    ]);
  });
  it("reads kubeletExtraArgs as nodeadm flags on AL2023, the default", async () => {
    assert.deepEqual(
      policyNames(await diagnostics(pack, { type: "eks:index:ManagedNodeGroup", name: "ng", props: { kubeletExtraArgs: "--anonymous-auth=true" } })),
      ["kubelet-anonymous-auth"],
    );
  });
  it("reads nodeadmExtraOptions and Bottlerocket settings", async () => {
    const nodeadm = {
      contentType: "application/node.eks.aws",
      content: "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n      makeIPTablesUtilChains: false\n",
    };
    assert.deepEqual(policyNames(await diagnostics(pack, { type: "eks:index:ManagedNodeGroup", name: "ng", props: { nodeadmExtraOptions: [nodeadm] } })), [
      "kubelet-make-iptables-util-chains",
    ]);
    const bottlerocket = { amiType: "BOTTLEROCKET_x86_64", bottlerocketSettings: { settings: { kubernetes: { "standalone-mode": true } } } };
    assert.deepEqual(policyNames(await diagnostics(pack, { type: "eks:index:ManagedNodeGroup", name: "ng", props: bottlerocket })), [
      "kubelet-anonymous-auth",
      "kubelet-authorization-mode",
    ]);
  });
  it("reads nodeGroupOptions of eks.Cluster and is silent on defaults", async () => {
    assert.deepEqual(
      policyNames(
        await diagnostics(pack, {
          type: "eks:index:Cluster",
          name: "c",
          props: { nodeGroupOptions: { operatingSystem: "AL2", kubeletExtraArgs: "--event-qps=-1" } },
        }),
      ),
      ["kubelet-event-qps"],
    );
    assert.deepEqual(await diagnostics(pack, { type: "eks:index:Cluster", name: "c", props: { instanceType: "t3.medium" } }), []);
  });
});

describe("GKE", () => {
  it("reports insecureKubeletReadonlyPortEnabled TRUE with the property path, on pools, defaults and auto-provisioning", async () => {
    const props = {
      nodePools: [
        { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" } } },
        { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "TRUE" } } },
      ],
      nodePoolDefaults: { nodeConfigDefaults: { insecureKubeletReadonlyPortEnabled: "TRUE" } },
      nodePoolAutoConfig: { nodeKubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" } },
    };
    assert.deepEqual(await diagnostics(pack, { type: "gcp:container/cluster:Cluster", name: "c", props }), [
      [
        "kubelet-read-only-port",
        "mandatory",
        'nodePoolDefaults.nodeConfigDefaults.insecureKubeletReadonlyPortEnabled: "TRUE" serves the kubelet API without authentication on port 10255; set insecureKubeletReadonlyPortEnabled to "FALSE"',
      ],
      [
        "kubelet-read-only-port",
        "mandatory",
        'nodePools[1].nodeConfig.kubeletConfig.insecureKubeletReadonlyPortEnabled: "TRUE" serves the kubelet API without authentication on port 10255; set insecureKubeletReadonlyPortEnabled to "FALSE"',
      ],
    ]);
  });
  it("is silent on a compliant node pool, and says that an unset read-only port field leaves it to the GKE version", async () => {
    const compliant = { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE", podPidsLimit: 4096, cpuManagerPolicy: "static" } } };
    assert.deepEqual(await diagnostics(pack, { type: "gcp:container/nodePool:NodePool", name: "np", props: compliant }), []);
    // Container API NodeKubeletConfig: "If un-set, the default for the GKE version is used."
    assert.deepEqual(
      await diagnostics(pack, { type: "gcp:container/nodePool:NodePool", name: "np", props: { nodeConfig: { machineType: "e2-standard-4" } } }),
      [
        [
          "kubelet-node-config-verifiable",
          "advisory",
          'nodeConfig.kubeletConfig.insecureKubeletReadonlyPortEnabled: insecureKubeletReadonlyPortEnabled is not set, so the GKE version\'s default applies, which leaves the kubelet read-only port 10255 open on older GKE versions; set it to "FALSE"',
        ],
      ],
    );
  });
  it("reports a node pool whose kubelet field is unknown, and a custom node init script", async () => {
    const unknown = { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: UNKNOWN_VALUE } } };
    assert.deepEqual(policyNames(await diagnostics(pack, { type: "gcp:container/nodePool:NodePool", name: "np", props: unknown })), [
      "kubelet-node-config-verifiable",
    ]);
    const init = { nodeConfig: { linuxNodeConfig: { customNodeInit: { initScript: { gcsUri: "gs://b/init.sh" } } } } };
    assert.deepEqual(await diagnostics(pack, { type: "gcp:container/nodePool:NodePool", name: "np", props: init }), [
      [
        "kubelet-node-config-verifiable",
        "advisory",
        'nodeConfig.kubeletConfig.insecureKubeletReadonlyPortEnabled: insecureKubeletReadonlyPortEnabled is not set, so the GKE version\'s default applies, which leaves the kubelet read-only port 10255 open on older GKE versions; set it to "FALSE"',
      ],
      [
        "kubelet-node-config-verifiable",
        "advisory",
        "nodeConfig.linuxNodeConfig.customNodeInit: a custom node init script runs on every node at boot from outside the configuration, so what it does to the kubelet is not visible",
      ],
    ]);
  });
});

describe("Karpenter EC2NodeClass (aws/karpenter-provider-aws amifamily bootstrap) and aws-native", () => {
  const nodeClass = (family: Record<string, unknown>, userData: string, version = "v1") => ({
    type: `kubernetes:karpenter.k8s.aws/${version}:EC2NodeClass`,
    name: "default",
    props: { apiVersion: `karpenter.k8s.aws/${version}`, kind: "EC2NodeClass", spec: { role: "KarpenterNodeRole", ...family, userData } },
  });
  const nodeConfig = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n      readOnlyPort: 10255\n";
  it("reads AL2023 user data as nodeadm does (the family from the amiSelectorTerms alias), as plain text", async () => {
    assert.deepEqual(await diagnostics(pack, nodeClass({ amiSelectorTerms: [{ alias: "al2023@latest" }] }, nodeConfig)), [
      [
        "kubelet-read-only-port",
        "mandatory",
        "spec.userData line 6: readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
      ],
    ]);
    assert.equal((await diagnostics(pack, nodeClass({ amiFamily: "AL2023" }, nodeConfig, "v1beta1"))).length, 1);
  });
  it("reads AL2 user data as a script that runs before Karpenter's own bootstrap.sh call, whose --kubelet-extra-args replace an exported KUBELET_EXTRA_ARGS", async () => {
    const exported = "#!/bin/bash\nexport KUBELET_EXTRA_ARGS=--read-only-port=10255\n";
    assert.deepEqual(await diagnostics(pack, nodeClass({ amiFamily: "AL2" }, exported)), []);
    const dropIn =
      "#!/bin/bash\ncat > /etc/systemd/system/kubelet.service.d/90-mine.conf <<'EOF'\n[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--read-only-port=10255'\nEOF\n";
    assert.deepEqual(policyNames(await diagnostics(pack, nodeClass({ amiSelectorTerms: [{ alias: "al2@latest" }] }, dropIn))), ["kubelet-read-only-port"]);
  });
  it("reads Bottlerocket user data as its settings TOML", async () => {
    const toml = "[settings.kubernetes]\nstandalone-mode = true\n";
    assert.deepEqual(policyNames(await diagnostics(pack, nodeClass({ amiSelectorTerms: [{ alias: "bottlerocket@latest" }] }, toml))), [
      "kubelet-anonymous-auth",
      "kubelet-authorization-mode",
    ]);
  });
  it("is silent on a node class without user data, and reads aws-native launch templates", async () => {
    assert.deepEqual(await diagnostics(pack, nodeClass({ amiFamily: "AL2023" }, "")), []);
    const userData = b64("#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n");
    const native = { type: "aws-native:ec2:LaunchTemplate", name: "lt", props: { launchTemplateData: { userData } } };
    assert.deepEqual(policyNames(await diagnostics(pack, native)), ["kubelet-read-only-port"]);
  });
});

describe("Cluster API kubeadm bootstrap (cluster-api bootstrap/kubeadm cloud-init)", () => {
  it("reads kubeletExtraArgs as a map (v1beta1) and as a list (v1beta2), files, and commands around kubeadm", async () => {
    const v1beta1 = {
      type: "kubernetes:bootstrap.cluster.x-k8s.io/v1beta1:KubeadmConfigTemplate",
      name: "workers",
      props: {
        spec: { template: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { "read-only-port": "10255", "node-labels": "pool=a" } } } } } },
      },
    };
    assert.deepEqual(await diagnostics(pack, v1beta1), [
      [
        "kubelet-read-only-port",
        "mandatory",
        "spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    ]);
    const v1beta2 = {
      type: "kubernetes:controlplane.cluster.x-k8s.io/v1beta2:KubeadmControlPlane",
      name: "cp",
      props: {
        spec: {
          kubeadmConfigSpec: {
            initConfiguration: { nodeRegistration: { kubeletExtraArgs: [{ name: "anonymous-auth", value: "true" }] } },
            files: [{ path: "/etc/default/kubelet", content: "KUBELET_EXTRA_ARGS=--protect-kernel-defaults=false\n", permissions: "0644" }],
            postKubeadmCommands: ["chmod 0666 /var/lib/kubelet/config.yaml"],
          },
        },
      },
    };
    assert.deepEqual(policyNames(await diagnostics(pack, v1beta2)), [
      "kubelet-anonymous-auth",
      "kubelet-config-file-permissions",
      "kubelet-protect-kernel-defaults",
    ]);
  });
  it("is quiet on a compliant template and says when a file's content comes from a Secret", async () => {
    const compliant = {
      type: "kubernetes:bootstrap.cluster.x-k8s.io/v1beta1:KubeadmConfig",
      name: "w",
      props: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { "read-only-port": "0" } } } } },
    };
    assert.deepEqual(await diagnostics(pack, compliant), []);
    const secret = {
      ...compliant,
      props: { spec: { ...compliant.props.spec, files: [{ path: "/var/lib/kubelet/config.yaml", contentFrom: { secret: { name: "s", key: "k" } } }] } },
    };
    assert.deepEqual(policyNames(await diagnostics(pack, secret)), []);
  });
});

describe("public-style files of each newer source, through the protocol", () => {
  const fixture = (name: string) => readFileSync(path.join(__dirname, "..", "fixtures", "sources", name), "utf8");
  const customResource = (name: string) => {
    const doc = YAML.parse(fixture(name)) as { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown };
    return { type: `kubernetes:${doc.apiVersion}:${doc.kind}`, name: doc.metadata.name, props: { spec: doc.spec } };
  };
  it("Karpenter AL2 MIME user data (the shape of Karpenter's docs) whose shell part adds a kubelet drop-in", async () => {
    const resource = {
      type: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
      name: "al2",
      props: { spec: { amiFamily: "AL2", role: "r", userData: fixture("karpenter-al2-mime.txt") } },
    };
    assert.deepEqual(await diagnostics(pack, resource), [
      [
        "kubelet-read-only-port",
        "mandatory",
        "spec.userData part 1 (text/x-shellscript) line 6 (/etc/systemd/system/kubelet.service.d/50-metrics.conf): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    ]);
  });
  it("a CIS-hardened Cluster API template is quiet; a v1beta2 one with anonymous auth is not", async () => {
    assert.deepEqual(await diagnostics(pack, customResource("capi-kubeadmconfigtemplate-cis.yaml")), []);
    assert.deepEqual(await diagnostics(pack, customResource("capi-kubeadmconfigtemplate-v1beta2.yaml")), [
      [
        "kubelet-anonymous-auth",
        "mandatory",
        "spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs: --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false",
      ],
    ]);
  });
  it("k3s: kubelet-arg in /etc/rancher/k3s/config.yaml with the get.k3s.io installer", async () => {
    const resource = { type: "aws:ec2/instance:Instance", name: "k3s", props: { userData: fixture("k3s-config.sh") } };
    assert.deepEqual(await diagnostics(pack, resource), [
      [
        "kubelet-authorization-mode",
        "mandatory",
        "user data line 9 (/etc/rancher/k3s/config.yaml): --authorization-mode=AlwaysAllow authorizes every request to the kubelet API; set --authorization-mode=Webhook",
      ],
    ]);
  });
});

describe("AKS", () => {
  for (const type of [
    "azure-native:containerservice:AgentPool",
    "azure-native:containerservice/v20240102preview:AgentPool",
    "azure-native_containerservice_v20240102preview:containerservice:AgentPool",
  ]) {
    it(`${type}: reports explicit unlimited PIDs and an unconfined seccomp default`, async () => {
      assert.deepEqual(await diagnostics(pack, { type, name: "ap", props: { kubeletConfig: { podMaxPids: -1, seccompDefault: "Unconfined" } } }), [
        [
          "kubelet-pod-pids-limit",
          "advisory",
          "kubeletConfig.podMaxPids: -1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set podMaxPids to a positive limit",
        ],
        [
          "kubelet-seccomp-default",
          "advisory",
          'kubeletConfig.seccompDefault: "Unconfined" runs containers without a seccomp profile unless they set one; set seccompDefault to "RuntimeDefault"',
        ],
      ]);
    });
  }
  it("reads the classic provider's AKS clusters and node pools", async () => {
    const cluster = { defaultNodePool: { name: "default", kubeletConfig: { podMaxPid: -1 } } };
    assert.deepEqual(await diagnostics(pack, { type: "azure:containerservice/kubernetesCluster:KubernetesCluster", name: "aks", props: cluster }), [
      [
        "kubelet-pod-pids-limit",
        "advisory",
        "defaultNodePool.kubeletConfig.podMaxPid: -1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set podMaxPid to a positive limit",
      ],
    ]);
    const pool = { kubeletConfig: { podMaxPid: 4096 } };
    assert.deepEqual(
      await diagnostics(pack, { type: "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool", name: "np", props: pool }),
      [],
    );
  });
  it("reads agent pool profiles of a ManagedCluster and is silent on AKS defaults", async () => {
    const props = { agentPoolProfiles: [{ name: "system" }, { name: "user", kubeletConfig: { podMaxPids: -1, cpuManagerPolicy: "static" } }] };
    assert.deepEqual(policyNames(await diagnostics(pack, { type: "azure-native:containerservice:ManagedCluster", name: "aks", props })), [
      "kubelet-pod-pids-limit",
    ]);
    const compliant = { agentPoolProfiles: [{ name: "system", kubeletConfig: { podMaxPids: 4096, seccompDefault: "RuntimeDefault" } }] };
    assert.deepEqual(await diagnostics(pack, { type: "azure-native:containerservice:ManagedCluster", name: "aks", props: compliant }), []);
    assert.deepEqual(
      policyNames(await diagnostics(pack, { type: "azure-native:containerservice:ManagedCluster", name: "aks", props: { agentPoolProfiles: UNKNOWN_VALUE } })),
      ["kubelet-node-config-verifiable"],
    );
  });
});

describe("secrets and other resources", () => {
  it("reads secret-marked user data and quotes only the setting", async () => {
    const userData = "#!/bin/bash\nTOKEN=hunter2-super-secret\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n";
    const found = await diagnostics(pack, { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", props: { userData: secret(b64(userData)) } });
    assert.deepEqual(policyNames(found), ["kubelet-read-only-port"]);
    assert.ok(found.every(([, , m]) => !m.includes("hunter2")));
  });
  it("is not applicable to every other resource", async () => {
    const { diagnostics: found, notApplicable } = await pack.analyze({
      type: "aws:s3/bucket:Bucket",
      name: "b",
      props: { userData: "kubelet --anonymous-auth" },
    });
    assert.deepEqual(found, []);
    assert.deepEqual(notApplicable.sort(), ALL_POLICIES);
  });
  it("has no stack policies: AnalyzeStack over a stack with findings reports nothing more", async () => {
    const found = await pack.analyzeStack([
      { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", props: { userData: b64(EVERYTHING_WRONG) } },
      { type: "aws:s3/bucket:Bucket", name: "b", props: {} },
    ]);
    assert.deepEqual(found, []);
  });
  it("remediates nothing at the default levels (no policy is at remediate)", async () =>
    assert.deepEqual(await pack.remediate({ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", props: { userData: b64(EVERYTHING_WRONG) } }), []));
});
