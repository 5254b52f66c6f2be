/**
 * AWS: launch templates, launch configurations and instances carry user data;
 * @pulumi/eks components carry kubelet inputs when the engine sends them.
 */
import type { ArgWord } from "../kubelet/cmdline";
import { isPlainObject } from "../kubelet/config";
import { NodeBuilder, splitWhitespace } from "../boot/node-builder";
import { readBottlerocketSettings } from "../boot/documents";
import { readDocument } from "../userdata/index";
import { DEFAULT_LIMITS } from "../userdata/limits";
import { runScript } from "../boot/script";
import { splitShellWords } from "../kubelet/shell";
import type { Adapter } from "./index";
import { emptyAnalysis, type ResourceAnalysis } from "./resource-analysis";
import { isUnknown, pick } from "./props";
import { readUserDataFields, userDataAdapter } from "./userdata-fields";

const launchTemplate = userDataAdapter(
  "launch template",
  ["aws:ec2/launchTemplate:LaunchTemplate"],
  [{ path: "userData", encoding: "base64", source: "user data" }],
);

/** aws-native (CloudFormation shapes): LaunchTemplateData.UserData, and UserData on instances and launch configurations, all base64. */
const nativeLaunchTemplate = userDataAdapter(
  "launch template",
  ["aws-native:ec2:LaunchTemplate"],
  [{ path: "launchTemplateData.userData", encoding: "base64", source: "launchTemplateData.userData" }],
);
const nativeInstance = userDataAdapter(
  "launch configuration or instance",
  ["aws-native:ec2:Instance", "aws-native:autoscaling:LaunchConfiguration"],
  [{ path: "userData", encoding: "base64", source: "userData" }],
);

const launchConfigurationOrInstance = userDataAdapter(
  "launch configuration or instance",
  ["aws:ec2/launchConfiguration:LaunchConfiguration", "aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"],
  [
    { path: "userData", encoding: "plain", source: "user data" },
    { path: "userDataBase64", encoding: "base64", source: "userDataBase64" },
  ],
);

type EksOs = "AL2" | "AL2023" | "Bottlerocket";

/** @pulumi/eks: the OS follows amiType (its aliases too), then operatingSystem; AL2023 by default. */
function eksOperatingSystem(options: Record<string, unknown>): EksOs {
  const amiType = typeof options.amiType === "string" ? options.amiType.toLowerCase() : "";
  if (/bottlerocket/.test(amiType)) return "Bottlerocket";
  if (/al2023|amazon-linux-2023/.test(amiType)) return "AL2023";
  if (/^al2_|^amazon-linux-2($|-)/.test(amiType)) return "AL2";
  const os = typeof options.operatingSystem === "string" ? options.operatingSystem.toLowerCase() : "";
  if (os === "al2") return "AL2";
  if (os === "bottlerocket") return "Bottlerocket";
  return "AL2023";
}

const EKS_INPUTS = [
  "kubeletExtraArgs",
  "bootstrapExtraArgs",
  "nodeUserData",
  "nodeUserDataOverride",
  "userData",
  "nodeadmExtraOptions",
  "bottlerocketSettings",
  "operatingSystem",
  "amiType",
];

/** The kubelet inputs of one @pulumi/eks node group (or a Cluster's nodeGroupOptions). */
function eksNodeGroup(options: Record<string, unknown>, prefix: string, analysis: ResourceAnalysis): void {
  const path = (key: string): string => (prefix ? `${prefix}.${key}` : key);
  for (const key of EKS_INPUTS) if (isUnknown(options[key])) analysis.unknown.push(path(key));
  const override = typeof options.nodeUserDataOverride === "string" ? "nodeUserDataOverride" : typeof options.userData === "string" ? "userData" : undefined;
  if (override) {
    const result = readUserDataFields(options, [{ path: override, encoding: "plain", source: path(override) }]);
    analysis.nodes.push(...result.nodes);
    return;
  }
  const builder = new NodeBuilder(DEFAULT_LIMITS);
  const os = eksOperatingSystem(options);
  const extraArgs = typeof options.kubeletExtraArgs === "string" ? options.kubeletExtraArgs : undefined;
  if (os === "AL2") {
    const bootstrapArgs: ArgWord[] = [];
    if (typeof options.bootstrapExtraArgs === "string") {
      for (const w of splitShellWords(options.bootstrapExtraArgs).words)
        bootstrapArgs.push({ text: w.text, unresolved: w.unresolved.length ? w.unresolved : undefined });
    }
    if (extraArgs !== undefined) bootstrapArgs.push({ text: "--kubelet-extra-args" }, { text: extraArgs });
    if (bootstrapArgs.length)
      builder.recordBootstrap({ source: path(extraArgs !== undefined ? "kubeletExtraArgs" : "bootstrapExtraArgs") }, bootstrapArgs, undefined);
  } else if (os === "AL2023" && extraArgs !== undefined) {
    builder.nodeadmParts.push({
      doc: { spec: { kubelet: { flags: splitWhitespace(extraArgs, undefined).map((w) => w.text) } } },
      location: { source: path("kubeletExtraArgs") },
      locate: () => ({ source: path("kubeletExtraArgs") }),
    });
  }
  if (Array.isArray(options.nodeadmExtraOptions)) {
    options.nodeadmExtraOptions.forEach((option, i) => {
      if (isUnknown(option)) analysis.unknown.push(path(`nodeadmExtraOptions[${i}]`));
      if (!isPlainObject(option) || typeof option.content !== "string") return;
      const contentType = typeof option.contentType === "string" ? option.contentType.split(";")[0].trim().toLowerCase() : "application/node.eks.aws";
      readDocument(builder, { source: path(`nodeadmExtraOptions[${i}]`), contentType, text: option.content });
    });
  }
  if (os === "Bottlerocket" && isPlainObject(options.bottlerocketSettings)) {
    readBottlerocketSettings(builder, options.bottlerocketSettings, { source: path("bottlerocketSettings") }, () => undefined);
  }
  if (typeof options.nodeUserData === "string") runScript(builder, options.nodeUserData, { source: path("nodeUserData"), firstLine: 1, exact: true });
  const node = builder.finish();
  if (node) analysis.nodes.push(node);
}

const eksComponent: Adapter = {
  kind: "@pulumi/eks node group",
  matches: (t) => /^eks:index:(NodeGroup|NodeGroupV2|ManagedNodeGroup|Cluster)$/.test(t),
  properties: [...EKS_INPUTS, "nodeGroupOptions", "skipDefaultNodeGroup"],
  analyze(props) {
    const analysis = emptyAnalysis();
    if (props.skipDefaultNodeGroup === true) return analysis;
    const groupOptions = pick(props, "nodeGroupOptions");
    if (isUnknown(groupOptions)) analysis.unknown.push("nodeGroupOptions");
    else if (isPlainObject(groupOptions)) eksNodeGroup(groupOptions, "nodeGroupOptions", analysis);
    eksNodeGroup(props, "", analysis);
    return analysis;
  },
};

export const awsAdapters: readonly Adapter[] = [launchTemplate, nativeLaunchTemplate, nativeInstance, launchConfigurationOrInstance, eksComponent];
