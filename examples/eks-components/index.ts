import * as pulumi from "@pulumi/pulumi";
import * as eks from "@pulumi/eks";

const insecure = new pulumi.Config().getBoolean("insecure") ?? false;

const cluster = new eks.Cluster("cluster", { skipDefaultNodeGroup: true });

// kubelet-guard reads the component inputs when the engine sends them, and the launch templates the
// components create in any case.
new eks.ManagedNodeGroup("al2-managed", {
  cluster,
  operatingSystem: eks.OperatingSystem.AL2,
  kubeletExtraArgs: insecure ? "--max-pods=58 --read-only-port=10255" : "--max-pods=58",
});

new eks.NodeGroupV2("bottlerocket", {
  cluster,
  operatingSystem: eks.OperatingSystem.Bottlerocket,
  bottlerocketSettings: { settings: { kubernetes: insecure ? { "standalone-mode": true } : { "seccomp-default": true } } },
});
