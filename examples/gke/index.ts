import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

const insecure = new pulumi.Config().getBoolean("insecure") ?? false;
const readOnlyPort = insecure ? "TRUE" : "FALSE";

const cluster = new gcp.container.Cluster("gke", {
  location: "europe-west1",
  removeDefaultNodePool: true,
  initialNodeCount: 1,
  nodePoolDefaults: { nodeConfigDefaults: { insecureKubeletReadonlyPortEnabled: readOnlyPort } },
  nodePoolAutoConfig: { nodeKubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" } },
});

new gcp.container.NodePool("general", {
  cluster: cluster.name,
  location: "europe-west1",
  nodeCount: 2,
  nodeConfig: {
    machineType: "e2-standard-4",
    metadata: { "disable-legacy-endpoints": "true" },
    kubeletConfig: { cpuManagerPolicy: "static", podPidsLimit: 4096, insecureKubeletReadonlyPortEnabled: readOnlyPort },
  },
});
