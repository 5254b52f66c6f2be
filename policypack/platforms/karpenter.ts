/**
 * Karpenter's EC2NodeClass (`@pulumi/kubernetes` custom resources, karpenter.k8s.aws v1 and v1beta1): its
 * spec.userData is plain text in the format of the node's AMI family (spec.amiFamily, or the
 * amiSelectorTerms alias `al2023@…`, `al2@…`, `bottlerocket@…`, `windows2022@…`), and Karpenter adds its
 * own part after it (aws/karpenter-provider-aws pkg/providers/amifamily/bootstrap): for AL2 a bootstrap.sh
 * call with its own --kubelet-extra-args (node labels and max pods), which replaces any exported
 * KUBELET_EXTRA_ARGS; for AL2023 a NodeConfig merged last (cluster details, spec.kubelet fields, node
 * labels); for Bottlerocket its settings over the user's TOML. None of what Karpenter sets is a CIS kubelet
 * setting, and spec.kubelet holds none either (maxPods, reservations, eviction, image GC, clusterDNS,
 * cpuCFSQuota), so the user's part decides what the rules see.
 */
import { NodeBuilder } from "../boot/node-builder";
import { isPlainObject } from "../kubelet/config";
import { DEFAULT_LIMITS } from "../userdata/limits";
import type { Adapter } from "./index";
import { isUnknown, pick } from "./props";
import { emptyAnalysis } from "./resource-analysis";
import { readUserDataFields } from "./userdata-fields";

type Family = "AL2" | "AL2023" | "Bottlerocket" | "Windows" | "Custom";

function amiFamily(spec: Record<string, unknown>): Family | undefined {
  const named = typeof spec.amiFamily === "string" ? spec.amiFamily.toLowerCase() : undefined;
  const alias = Array.isArray(spec.amiSelectorTerms)
    ? spec.amiSelectorTerms.map((t) => (isPlainObject(t) && typeof t.alias === "string" ? t.alias.split("@")[0].toLowerCase() : undefined)).find((a) => a)
    : undefined;
  const family = named ?? alias;
  if (family === undefined) return undefined;
  if (family === "al2023") return "AL2023";
  if (family === "al2") return "AL2";
  if (family === "bottlerocket") return "Bottlerocket";
  if (family.startsWith("windows")) return "Windows";
  return "Custom";
}

/** The content type Karpenter gives a user-data text that has no MIME header of its own, per family. */
const PLAIN_TYPE: Record<Family, string> = {
  AL2: "text/x-shellscript",
  AL2023: "text/x-shellscript",
  Bottlerocket: "application/toml",
  Windows: "text/x-powershell",
  Custom: "text/x-shellscript",
};

const ec2NodeClass: Adapter = {
  kind: "Karpenter EC2NodeClass",
  matches: (t) => /^kubernetes:karpenter\.k8s\.aws\/v1(beta1)?:EC2NodeClass$/.test(t),
  properties: ["spec"],
  analyze(props) {
    const analysis = emptyAnalysis();
    const spec = pick(props, "spec");
    if (isUnknown(spec)) {
      analysis.unknown.push("spec");
      return analysis;
    }
    if (!isPlainObject(spec)) return analysis;
    for (const key of ["userData", "amiFamily", "amiSelectorTerms"]) if (isUnknown(spec[key])) analysis.unknown.push(`spec.${key}`);
    if (typeof spec.userData !== "string" || spec.userData === "") return analysis;
    const family = amiFamily(spec) ?? "AL2023";
    const builder = new NodeBuilder(DEFAULT_LIMITS);
    const result = readUserDataFields(
      props,
      [{ path: "spec.userData", encoding: "plain", source: "spec.userData", plainTextType: PLAIN_TYPE[family] }],
      builder,
      () => {
        const karpenter = { source: "Karpenter's bootstrap part" };
        // Karpenter's own part, after the user's (the node labels it passes are not kubelet security settings).
        if (family === "AL2")
          builder.recordBootstrap(karpenter, [{ text: "<cluster>" }, { text: "--kubelet-extra-args" }, { text: "--node-labels=<karpenter-labels>" }]);
        if (family === "AL2023")
          builder.nodeadmParts.push({
            doc: { apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: {} },
            location: karpenter,
            locate: () => karpenter,
          });
      },
    );
    return { ...result, unknown: [...analysis.unknown, ...result.unknown] };
  },
};

export const karpenterAdapters: readonly Adapter[] = [ec2NodeClass];
