/**
 * One analysis per resource, shared by all policies: the SDK calls each
 * policy with freshly deserialized props, so the analysis is cached by type,
 * URN and the exact properties the adapter reads.
 */
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

/**
 * The SDK runs a resource's policies one after another, so a few entries suffice. Each entry keeps the
 * inputs it was computed from: a hit must have equal inputs (a preview's unknowns are not the update's
 * values), and comparing plain data costs less than serializing or hashing it once per policy.
 */
const CACHE_SIZE = 8;
const cache = new Map<string, { inputs: Record<string, unknown>; report: ResourceReport }>();

/** The entry last used: the SDK asks for the same resource once per policy, so most lookups are this one. */
let latest: { type: string; urn: string; inputs: Record<string, unknown>; report: ResourceReport } | undefined;

export function analyzeResource(type: string, urn: string, props: unknown): ResourceReport | undefined {
  const adapter = adapterFor(type);
  if (!adapter) return undefined;
  const extracted = extract(props, adapter.properties);
  if (latest && latest.type === type && latest.urn === urn && samePlainData(latest.inputs, extracted)) return latest.report;
  const key = `${type}\u0000${urn}`;
  const hit = cache.get(key);
  if (hit && samePlainData(hit.inputs, extracted)) {
    // refresh its place in the LRU order
    cache.delete(key);
    cache.set(key, hit);
    latest = { type, urn, ...hit };
    return hit.report;
  }
  let report: ResourceReport;
  try {
    const analysis = adapter.analyze(extracted);
    report = { adapter, nodes: analysis.nodes.map((node) => ({ node, view: viewOf(node) })), unknown: analysis.unknown, unverifiable: analysis.unverifiable };
  } catch (error) {
    process.stderr.write(`kubelet-guard: internal error analysing ${urn}: ${(error as Error)?.stack ?? String(error)}\n`);
    report = { adapter, nodes: [], unknown: [], unverifiable: [], internalError: (error as Error)?.name ?? "Error" };
  }
  cache.delete(key);
  cache.set(key, { inputs: extracted, report });
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  latest = { type, urn, inputs: extracted, report };
  return report;
}

/** Deep equality of materialized property data (plain objects, arrays, primitives, the UNKNOWN marker). */
function samePlainData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!samePlainData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
