/**
 * Azure: AKS agent pools expose a few kubelet fields; VMs and scale sets
 * carry cloud-init custom data for self-managed nodes.
 */
import type { Adapter } from "./index";
import { inlineAdapter, numberField, type InlinePlatform } from "./inline-fields";
import { userDataAdapter } from "./userdata-fields";

/** v3 tokens, v2 versioned modules, and v3 local SDKs (azure-native_containerservice_v…). */
const containerService = (resource: string): ((type: string) => boolean) => {
  const pattern = new RegExp(`^azure-native(_containerservice_v\\d{8}(preview)?)?:containerservice(\\/v\\d{8}(preview)?)?:${resource}$`);
  return (type) => pattern.test(type);
};
const compute = (resource: string): RegExp => new RegExp(`^azure-native(_compute_v\\d{8}(preview)?)?:compute(\\/v\\d{8}(preview)?)?:${resource}$`);
const isManagedCluster = containerService("ManagedCluster");
const isAgentPool = containerService("AgentPool");

const SECCOMP: Record<string, boolean> = { Unconfined: false, RuntimeDefault: true };

/** AKS KubeletConfig fields the rules read (seccompDefault exists in preview API versions). */
export const AKS: InlinePlatform = {
  platform: "AKS",
  benchmark: "aks",
  hiddenReason: "AKS manages the rest of the kubelet configuration",
  fields: {
    podMaxPids: numberField("pod-max-pids", "podPidsLimit", "set podMaxPids to a positive limit"),
    seccompDefault: {
      setting: "seccomp-default",
      configPath: "seccompDefault",
      toKubelet: (v) => (typeof v === "string" ? SECCOMP[v] : undefined),
      fromKubelet: (v) => (v === true ? "RuntimeDefault" : undefined),
      fix: 'set seccompDefault to "RuntimeDefault"',
    },
  },
};

const managedCluster = inlineAdapter("AKS managed cluster", isManagedCluster, AKS, { list: "agentPoolProfiles", path: "kubeletConfig" });
const agentPool = inlineAdapter("AKS agent pool", isAgentPool, AKS, { path: "kubeletConfig" });

const scaleSet = userDataAdapter("Azure scale set", compute("VirtualMachineScaleSet"), [
  { path: "virtualMachineProfile.osProfile.customData", encoding: "base64", source: "customData" },
  { path: "virtualMachineProfile.userData", encoding: "base64", source: "userData" },
]);

const virtualMachine = userDataAdapter("Azure virtual machine", compute("VirtualMachine"), [
  { path: "osProfile.customData", encoding: "base64", source: "customData" },
  { path: "userData", encoding: "base64", source: "userData" },
]);

/** The classic provider (@pulumi/azure): its AKS pools spell the PID limit podMaxPid. */
const AKS_CLASSIC: InlinePlatform = {
  ...AKS,
  fields: { podMaxPid: numberField("pod-max-pids", "podPidsLimit", "set podMaxPid to a positive limit") },
};

const classicCluster = inlineAdapter("AKS cluster (classic provider)", (t) => t === "azure:containerservice/kubernetesCluster:KubernetesCluster", AKS_CLASSIC, {
  path: "defaultNodePool.kubeletConfig",
});
const classicNodePool = inlineAdapter(
  "AKS node pool (classic provider)",
  (t) => t === "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool",
  AKS_CLASSIC,
  { path: "kubeletConfig" },
);

const classicVirtualMachines = userDataAdapter(
  "Azure virtual machine or scale set (classic provider)",
  /^azure:compute\/(linuxVirtualMachine|linuxVirtualMachineScaleSet|orchestratedVirtualMachineScaleSet):\w+$/,
  [
    { path: "customData", encoding: "base64", source: "customData" },
    { path: "userData", encoding: "base64", source: "userData" },
  ],
);

export const azureAdapters: readonly Adapter[] = [managedCluster, agentPool, scaleSet, virtualMachine, classicCluster, classicNodePool, classicVirtualMachines];
