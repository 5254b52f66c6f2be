import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

// `pulumi config set insecure true` (or the "violating" stack) turns on the settings kubelet-guard blocks.
const insecure = new pulumi.Config().getBoolean("insecure") ?? false;

const role = new aws.iam.Role("cluster-role", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }],
  }),
});
const cluster = new aws.eks.Cluster("cluster", {
  roleArn: role.arn,
  vpcConfig: { subnetIds: ["subnet-0a", "subnet-0b"] },
});

const kubeletConfig = insecure
  ? ["      readOnlyPort: 10255", "      authentication:", "        anonymous:", "          enabled: true"]
  : ["      readOnlyPort: 0", "      podPidsLimit: 4096"];
const kubeletFlags = insecure ? ["      - --streaming-connection-idle-timeout=0"] : ["      - --node-labels=workload=general"];

// nodeadm reads every application/node.eks.aws part, later parts winning.
const userData = pulumi.interpolate`MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="BOUNDARY"

--BOUNDARY
Content-Type: application/node.eks.aws

---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: ${cluster.name}
    apiServerEndpoint: ${cluster.endpoint}
    certificateAuthority: ${cluster.certificateAuthority.data}
    cidr: 10.100.0.0/16
  kubelet:
    config:
${kubeletConfig.join("\n")}
    flags:
${kubeletFlags.join("\n")}

--BOUNDARY--
`;

const launchTemplate = new aws.ec2.LaunchTemplate("al2023-workers", {
  userData: userData.apply((text) => Buffer.from(text).toString("base64")),
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
});

const nodeRole = new aws.iam.Role("node-role", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  }),
});

new aws.eks.NodeGroup("al2023-workers", {
  clusterName: cluster.name,
  nodeRoleArn: nodeRole.arn,
  subnetIds: ["subnet-0a", "subnet-0b"],
  amiType: "AL2023_x86_64_STANDARD",
  scalingConfig: { desiredSize: 2, minSize: 1, maxSize: 3 },
  launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
});
