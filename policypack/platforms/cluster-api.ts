/**
 * Cluster API's kubeadm bootstrap (`@pulumi/kubernetes` custom resources): KubeadmConfig,
 * KubeadmConfigTemplate, KubeadmControlPlane and its template, v1beta1 and v1beta2. Their spec turns into
 * cloud-init the way the kubeadm bootstrap provider writes it (cluster-api
 * bootstrap/kubeadm/internal/cloudinit): `files` written first, then `preKubeadmCommands`, then `kubeadm
 * init|join` with the init or join configuration, then `postKubeadmCommands`. The kubelet's own config file
 * is what kubeadm writes from the cluster, so settings it leaves unset stay unknown, as for any kubeadm node.
 */
import { writeCloudInitFile } from "../boot/documents";
import { NodeBuilder } from "../boot/node-builder";
import { runScript } from "../boot/script";
import { isPlainObject, type PlainObject } from "../kubelet/config";
import { DEFAULT_LIMITS } from "../userdata/limits";
import type { Adapter } from "./index";
import { isUnknown, pick } from "./props";
import { emptyAnalysis, type ResourceAnalysis } from "./resource-analysis";

const TYPES =
  /^kubernetes:(bootstrap\.cluster\.x-k8s\.io\/v1beta[12]:KubeadmConfig(Template)?|controlplane\.cluster\.x-k8s\.io\/v1beta[12]:KubeadmControlPlane(Template)?)$/;

/** Where each kind keeps its KubeadmConfigSpec, the most specific first (only one exists on a resource). */
const SPEC_PATHS = ["spec.template.spec.kubeadmConfigSpec", "spec.kubeadmConfigSpec", "spec.template.spec", "spec"];

const NO_LINES = { value: undefined, lineOf: () => undefined };

function runCommands(builder: NodeBuilder, list: unknown, path: string): void {
  if (!Array.isArray(list)) return;
  list.forEach((command, i) => {
    if (typeof command === "string") runScript(builder, command, { source: `${path}[${i}]`, firstLine: 0, exact: false });
  });
}

function readKubeadmConfigSpec(spec: PlainObject, prefix: string, analysis: ResourceAnalysis): void {
  const builder = new NodeBuilder(DEFAULT_LIMITS);
  if (Array.isArray(spec.files)) {
    spec.files.forEach((entry, i) => {
      if (!isPlainObject(entry) || typeof entry.path !== "string") return;
      const source = `${prefix}.files[${i}]`;
      if (entry.contentFrom !== undefined && entry.content === undefined) {
        builder.hideFile(entry.path, { source }, "takes its content from a Secret the resource does not show");
        return;
      }
      writeCloudInitFile(builder, entry, `files.${i}`, NO_LINES, source);
    });
  }
  runCommands(builder, spec.preKubeadmCommands, `${prefix}.preKubeadmCommands`);
  // Workers join; a control plane's first node inits, the others join with the join configuration.
  const which = isPlainObject(spec.joinConfiguration) ? "joinConfiguration" : isPlainObject(spec.initConfiguration) ? "initConfiguration" : undefined;
  const at = { source: which ? `${prefix}.${which}` : prefix };
  if (which) {
    const config = spec[which] as PlainObject;
    builder.kubeadmConfigs.push({
      location: { source: `${prefix}.${which}.nodeRegistration.kubeletExtraArgs` },
      doc: { ...config, kind: which === "joinConfiguration" ? "JoinConfiguration" : "InitConfiguration" },
      locate: () => undefined,
    });
  }
  builder.recordKubeadm(at, [which === "initConfiguration" ? "init" : "join"]);
  runCommands(builder, spec.postKubeadmCommands, `${prefix}.postKubeadmCommands`);
  const node = builder.finish();
  if (node) analysis.nodes.push(node);
  analysis.unverifiable.push(...builder.unverifiable.filter((u) => !node?.unverifiable.includes(u)));
}

const kubeadmBootstrap: Adapter = {
  kind: "Cluster API kubeadm bootstrap",
  matches: (t) => TYPES.test(t),
  properties: ["spec"],
  analyze(props) {
    const analysis = emptyAnalysis();
    for (const path of SPEC_PATHS) {
      const spec = pick(props, path);
      if (isUnknown(spec)) {
        analysis.unknown.push(path);
        break;
      }
      if (isPlainObject(spec)) {
        readKubeadmConfigSpec(spec, path, analysis);
        break;
      }
    }
    return analysis;
  },
};

export const clusterApiAdapters: readonly Adapter[] = [kubeadmBootstrap];
