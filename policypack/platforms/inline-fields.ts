/**
 * Managed platforms (GKE, AKS) that expose a few kubelet settings as API
 * fields: a declarative map from field to kubelet setting, turned into a node
 * whose other settings stay unknown (the platform keeps them to itself).
 */
import { isPlainObject } from "../kubelet/config";
import type { Benchmark, NodeModel } from "../kubelet/node";
import type { Adapter } from "./index";
import { emptyAnalysis, type ResourceAnalysis } from "./resource-analysis";
import { isUnknown, pick } from "./props";

export interface InlineField {
  /** Kubelet setting name (flag name) and its KubeletConfiguration path. */
  setting: string;
  configPath: string;
  /** The field's value as the kubelet's, or undefined when the value does not set it. */
  toKubelet(value: unknown): unknown;
  /** The field's value for a kubelet value, where the field can express it (for remediation). */
  fromKubelet(value: unknown): unknown;
  fix: string;
}

export interface InlinePlatform {
  platform: string;
  benchmark: Benchmark;
  fields: Record<string, InlineField>;
  hiddenReason: string;
}

/** The node a kubeletConfig-like object describes, or undefined when it sets nothing the rules read. */
export function inlineNode(spec: InlinePlatform, config: unknown, path: string, analysis: ResourceAnalysis): NodeModel | undefined {
  if (isUnknown(config)) {
    analysis.unknown.push(path);
    return undefined;
  }
  if (!isPlainObject(config)) return undefined;
  const doc: Record<string, unknown> = {};
  const fields: Record<string, { source: string; text: string; fix: string }> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    const value = config[name];
    if (isUnknown(value)) {
      analysis.unknown.push(`${path}.${name}`);
      continue;
    }
    const kubeletValue = field.toKubelet(value);
    if (kubeletValue === undefined) continue;
    doc[field.configPath] = kubeletValue;
    fields[field.setting] = { source: `${path}.${name}`, text: JSON.stringify(value), fix: field.fix };
  }
  if (!Object.keys(doc).length) return undefined;
  return {
    platform: spec.platform,
    benchmark: spec.benchmark,
    sources: {
      commandLines: [],
      base: "config-file",
      config: [
        { location: { source: path }, origin: "platform", hidden: spec.hiddenReason },
        { location: { source: path }, origin: "user", doc, fields },
      ],
    },
    files: [],
    unverifiable: [],
    problems: [],
  };
}

export const numberField = (setting: string, configPath: string, fix: string): InlineField => ({
  setting,
  configPath,
  toKubelet: (v) => (typeof v === "number" ? v : undefined),
  fromKubelet: (v) => (typeof v === "number" ? v : undefined),
  fix,
});

/**
 * An adapter for resources whose kubelet fields sit at one path (`kubeletConfig`), or at that path in each
 * element of a list (`agentPoolProfiles[].kubeletConfig`).
 */
export function inlineAdapter(kind: string, matches: (type: string) => boolean, spec: InlinePlatform, at: { path: string; list?: string }): Adapter {
  return {
    kind,
    matches,
    properties: [(at.list ?? at.path).split(".")[0]],
    analyze(props) {
      const analysis = emptyAnalysis();
      const add = (config: unknown, where: string): void => {
        const node = inlineNode(spec, config, where, analysis);
        if (node) analysis.nodes.push(node);
      };
      if (!at.list) {
        add(pick(props, at.path), at.path);
        return analysis;
      }
      const items = pick(props, at.list);
      if (isUnknown(items)) analysis.unknown.push(at.list);
      else if (Array.isArray(items)) items.forEach((item, i) => add(pick(item, at.path), `${at.list}[${i}].${at.path}`));
      return analysis;
    },
  };
}
