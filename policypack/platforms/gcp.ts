/**
 * GCP: GKE node pools and clusters expose a few kubelet fields; GCE instances
 * and templates carry startup scripts and cloud-init for self-managed nodes.
 */
import { isPlainObject } from "../kubelet/config";
import type { NodeModel } from "../kubelet/node";
import type { Adapter } from "./index";
import { emptyAnalysis, type ResourceAnalysis } from "./resource-analysis";
import { inlineNode, numberField, type InlinePlatform } from "./inline-fields";
import { isUnknown, pick } from "./props";
import { userDataAdapter } from "./userdata-fields";

/** GKE's kubeletConfig (and nodeConfigDefaults / nodeKubeletConfig) fields the rules read. */
export const GKE: InlinePlatform = {
  platform: "GKE",
  benchmark: "gke",
  hiddenReason: "GKE manages the rest of the kubelet configuration",
  fields: {
    insecureKubeletReadonlyPortEnabled: {
      setting: "read-only-port",
      configPath: "readOnlyPort",
      toKubelet: (v) => (typeof v === "string" && v !== "" ? (v.toUpperCase() === "TRUE" ? 10255 : 0) : undefined),
      fromKubelet: (v) => (v === 0 ? "FALSE" : undefined),
      fix: 'set insecureKubeletReadonlyPortEnabled to "FALSE"',
    },
    podPidsLimit: numberField("pod-max-pids", "podPidsLimit", "set podPidsLimit within the allowed range"),
  },
};

const gkeNode = (config: unknown, path: string, analysis: ResourceAnalysis): NodeModel | undefined => inlineNode(GKE, config, path, analysis);

/**
 * An unset insecureKubeletReadonlyPortEnabled means "the default for the GKE
 * version" (Container API NodeKubeletConfig), which leaves port 10255 open on
 * older versions: say so rather than stay silent.
 */
function readOnlyPortLeftToGke(kubeletConfig: unknown, path: string, analysis: ResourceAnalysis): void {
  if (isUnknown(kubeletConfig)) return;
  const value = isPlainObject(kubeletConfig) ? kubeletConfig.insecureKubeletReadonlyPortEnabled : undefined;
  if (value !== undefined && value !== null && value !== "") return;
  analysis.unverifiable.push({
    location: { source: `${path}.insecureKubeletReadonlyPortEnabled` },
    reason:
      'insecureKubeletReadonlyPortEnabled is not set, so the GKE version\'s default applies, which leaves the kubelet read-only port 10255 open on older GKE versions; set it to "FALSE"',
  });
}

/** A nodeConfig: its kubeletConfig, and a custom node init script the pack cannot read. */
function nodeConfigNodes(nodeConfig: unknown, path: string, analysis: ResourceAnalysis): void {
  if (isUnknown(nodeConfig)) {
    analysis.unknown.push(path);
    return;
  }
  readOnlyPortLeftToGke(isPlainObject(nodeConfig) ? nodeConfig.kubeletConfig : undefined, `${path}.kubeletConfig`, analysis);
  if (!isPlainObject(nodeConfig)) return;
  const node = gkeNode(nodeConfig.kubeletConfig, `${path}.kubeletConfig`, analysis);
  if (node) analysis.nodes.push(node);
  const init = pick(nodeConfig, "linuxNodeConfig.customNodeInit");
  if (init !== undefined && init !== null) {
    analysis.unverifiable.push({
      location: { source: `${path}.linuxNodeConfig.customNodeInit` },
      reason: "a custom node init script runs on every node at boot from outside the configuration, so what it does to the kubelet is not visible",
    });
  }
}

const nodePool: Adapter = {
  kind: "GKE node pool",
  matches: (t) => t === "gcp:container/nodePool:NodePool",
  properties: ["nodeConfig"],
  analyze(props) {
    const analysis = emptyAnalysis();
    nodeConfigNodes(props.nodeConfig, "nodeConfig", analysis);
    return analysis;
  },
};

const cluster: Adapter = {
  kind: "GKE cluster",
  matches: (t) => t === "gcp:container/cluster:Cluster",
  properties: ["nodeConfig", "nodePools", "nodePoolDefaults", "nodePoolAutoConfig", "removeDefaultNodePool"],
  analyze(props) {
    const analysis = emptyAnalysis();
    // The default pool's nodeConfig matters only when the cluster has that pool: no nodePools list and not removed.
    const defaultPool = props.removeDefaultNodePool !== true && (props.nodePools === undefined || props.nodePools === null);
    if (defaultPool) nodeConfigNodes(props.nodeConfig, "nodeConfig", analysis);
    if (isUnknown(props.nodePools)) analysis.unknown.push("nodePools");
    else if (Array.isArray(props.nodePools))
      props.nodePools.forEach((pool, i) => nodeConfigNodes(pick(pool, "nodeConfig"), `nodePools[${i}].nodeConfig`, analysis));
    for (const [path, value] of [
      ["nodePoolDefaults.nodeConfigDefaults", pick(props, "nodePoolDefaults.nodeConfigDefaults")],
      ["nodePoolAutoConfig.nodeKubeletConfig", pick(props, "nodePoolAutoConfig.nodeKubeletConfig")],
    ] as const) {
      const node = gkeNode(value, path, analysis);
      if (node) analysis.nodes.push(node);
    }
    return analysis;
  },
};

const GCE_TYPES = [
  "gcp:compute/instanceFromTemplate:InstanceFromTemplate",
  "gcp:compute/instanceTemplate:InstanceTemplate",
  "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
  "gcp:compute/instance:Instance",
];

const gceInstance = userDataAdapter("GCE instance or template", GCE_TYPES, [
  { path: "metadata.user-data", encoding: "plain", source: 'metadata["user-data"]' },
  { path: "metadata.startup-script", encoding: "plain", source: 'metadata["startup-script"]', plainTextType: "text/x-shellscript" },
  { path: "metadataStartupScript", encoding: "plain", source: "metadataStartupScript", plainTextType: "text/x-shellscript" },
]);

export const gcpAdapters: readonly Adapter[] = [nodePool, cluster, gceInstance];
