import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const insecure = new pulumi.Config().getBoolean("insecure") ?? false;

const role = new aws.iam.Role("cluster-role", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }],
  }),
});
const cluster = new aws.eks.Cluster("cluster", { roleArn: role.arn, vpcConfig: { subnetIds: ["subnet-0a", "subnet-0b"] } });

// EKS merges this TOML with its own settings for managed node groups.
const settings = insecure
  ? ["[settings.kubernetes]", "standalone-mode = true", "max-pods = 1_500"]
  : ["[settings.kubernetes]", "max-pods = 1_500", "pod-pids-limit = 4096", "seccomp-default = true"];

const launchTemplate = new aws.ec2.LaunchTemplate("bottlerocket-workers", {
  userData: pulumi.interpolate`${settings.join("\n")}
cluster-name = "${cluster.name}"
api-server = "${cluster.endpoint}"
`.apply((text) => Buffer.from(text).toString("base64")),
});

const nodeRole = new aws.iam.Role("node-role", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  }),
});

new aws.eks.NodeGroup("bottlerocket-workers", {
  clusterName: cluster.name,
  nodeRoleArn: nodeRole.arn,
  subnetIds: ["subnet-0a", "subnet-0b"],
  amiType: "BOTTLEROCKET_x86_64",
  scalingConfig: { desiredSize: 2, minSize: 1, maxSize: 3 },
  launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
});
