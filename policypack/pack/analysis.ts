/**
 * One analysis per resource, shared by all policies: the SDK calls each
 * policy with freshly deserialized props, so the analysis is cached by type,
 * URN and the exact properties the adapter reads.
 */
import { createHash } from "node:crypto";
import type { EffectiveView } from "../kubelet/effective";
import type { NodeModel } from "../kubelet/node";
import { viewOf } from "../kubelet/rules";
import { adapterFor, type Adapter, type ResourceAnalysis } from "../platforms/index";
import { extract } from "../platforms/props";

export interface AnalyzedNode {
  node: NodeModel;
  view: EffectiveView;
}

export interface ResourceReport {
  adapter: Adapter;
  nodes: AnalyzedNode[];
  unknown: string[];
  unverifiable: ResourceAnalysis["unverifiable"];
  /** Set when the pack itself failed on this resource: reported, never thrown. */
  internalError?: string;
}

const CACHE_SIZE = 64;
const cache = new Map<string, ResourceReport>();

export function analyzeResource(type: string, urn: string, props: unknown): ResourceReport | undefined {
  const adapter = adapterFor(type);
  if (!adapter) return undefined;
  const extracted = extract(props, adapter.properties);
  const inputs = JSON.stringify(extracted);
  // Large inputs (user data can be a megabyte) are keyed by digest, so the cache stays small.
  const key = `${type}\u0000${urn}\u0000${inputs.length > 4096 ? createHash("sha256").update(inputs).digest("base64") : inputs}`;
  const hit = cache.get(key);
  if (hit) {
    // refresh its place in the LRU order
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let report: ResourceReport;
  try {
    const analysis = adapter.analyze(extracted);
    report = { adapter, nodes: analysis.nodes.map((node) => ({ node, view: viewOf(node) })), unknown: analysis.unknown, unverifiable: analysis.unverifiable };
  } catch (error) {
    process.stderr.write(`kubelet-guard: internal error analysing ${urn}: ${(error as Error)?.stack ?? String(error)}\n`);
    report = { adapter, nodes: [], unknown: [], unverifiable: [], internalError: (error as Error)?.name ?? "Error" };
  }
  cache.set(key, report);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return report;
}
