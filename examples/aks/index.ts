import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as containerservice from "@pulumi/azure-native/containerservice";

const insecure = new pulumi.Config().getBoolean("insecure") ?? false;

const group = new resources.ResourceGroup("aks");

const cluster = new containerservice.ManagedCluster("aks", {
  resourceGroupName: group.name,
  dnsPrefix: "kubelet-guard",
  identity: { type: "SystemAssigned" },
  agentPoolProfiles: [
    { name: "system", mode: "System", count: 2, vmSize: "Standard_D4s_v5", osType: "Linux" },
    {
      name: "batch",
      mode: "User",
      count: 2,
      vmSize: "Standard_D4s_v5",
      osType: "Linux",
      kubeletConfig: { podMaxPids: insecure ? -1 : 4096, cpuManagerPolicy: "static" },
    },
  ],
});

new containerservice.AgentPool("gpu", {
  resourceGroupName: group.name,
  resourceName: cluster.name,
  agentPoolName: "gpu",
  count: 1,
  vmSize: "Standard_NC6s_v3",
  kubeletConfig: { podMaxPids: 8192, imageGcHighThreshold: 85, imageGcLowThreshold: 80, allowedUnsafeSysctls: insecure ? ["net.*"] : [] },
});
