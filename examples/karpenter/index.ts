import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const insecure = new pulumi.Config().getBoolean("insecure") ?? false;

// Karpenter reads spec.userData as plain text in the AMI family's format: a NodeConfig for AL2023.
const userData = `apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    config:
      readOnlyPort: ${insecure ? 10255 : 0}
      maxPods: 110
`;

new k8s.apiextensions.CustomResource("default", {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "default" },
  spec: {
    role: "KarpenterNodeRole-demo",
    amiSelectorTerms: [{ alias: "al2023@latest" }],
    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
    securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
    userData,
  },
});

new k8s.apiextensions.CustomResource("general", {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "general" },
  spec: {
    template: {
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] }],
      },
    },
  },
});
