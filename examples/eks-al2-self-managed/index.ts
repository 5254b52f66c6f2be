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

const extraArgs = insecure ? "--max-pods=58 --read-only-port=10255 --anonymous-auth=true" : "--max-pods=58 --node-labels=pool=self-managed";

// The shape EKS documents for AL2: MIME multipart with a shell script calling bootstrap.sh.
const userData = pulumi.interpolate`MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==MYBOUNDARY=="

--==MYBOUNDARY==
Content-Type: text/x-shellscript; charset="us-ascii"

#!/bin/bash
set -ex
${insecure ? "chmod 666 /etc/kubernetes/kubelet/kubelet-config.json" : "chmod 600 /etc/kubernetes/kubelet/kubelet-config.json"}
/etc/eks/bootstrap.sh ${cluster.name} \\
  --b64-cluster-ca ${cluster.certificateAuthority.data} \\
  --apiserver-endpoint ${cluster.endpoint} \\
  --kubelet-extra-args '${extraArgs}'

--==MYBOUNDARY==--
`;

const launchTemplate = new aws.ec2.LaunchTemplate("al2-workers", {
  imageId: "ami-0al2eksoptimized",
  instanceType: "m6i.large",
  userData: userData.apply((text) => Buffer.from(text).toString("base64")),
});

new aws.autoscaling.Group("al2-workers", {
  minSize: 1,
  maxSize: 3,
  desiredCapacity: 2,
  vpcZoneIdentifiers: ["subnet-0a", "subnet-0b"],
  launchTemplate: { id: launchTemplate.id, version: "$Latest" },
  tags: [{ key: pulumi.interpolate`kubernetes.io/cluster/${cluster.name}`, value: "owned", propagateAtLaunch: true }],
});
