/**
 * Platform adapters: resource type token and properties to the node models
 * they configure. Matching is by type token only, so no provider SDK is
 * loaded at start-up.
 */
import type { ResourceAnalysis } from "./resource-analysis";
import { awsAdapters } from "./aws";
import { azureAdapters } from "./azure";
import { gcpAdapters } from "./gcp";
import { clusterApiAdapters } from "./cluster-api";
import { karpenterAdapters } from "./karpenter";

export type { ResourceAnalysis };

export interface Adapter {
  /** What the resource is, for messages: "launch template". */
  kind: string;
  matches(type: string): boolean;
  /** Top-level properties the adapter reads; nothing else is copied. */
  properties: readonly string[];
  analyze(props: Record<string, unknown>): ResourceAnalysis;
}

const ADAPTERS: readonly Adapter[] = [...awsAdapters, ...gcpAdapters, ...azureAdapters, ...karpenterAdapters, ...clusterApiAdapters];

const byType = new Map<string, Adapter | undefined>();

export function adapterFor(type: string): Adapter | undefined {
  if (!byType.has(type)) {
    // a stack has few distinct types; keep the lookup table from growing on hostile ones
    if (byType.size > 1000) byType.clear();
    byType.set(
      type,
      ADAPTERS.find((a) => a.matches(type)),
    );
  }
  return byType.get(type);
}
