/** What an adapter finds in one resource. */
import type { NodeModel, Unverifiable } from "../kubelet/node";

export interface ResourceAnalysis {
  nodes: NodeModel[];
  /** Property paths whose value is unknown during preview. */
  unknown: string[];
  /** Inputs that cannot be read at all (undecodable, over a cap), not tied to one node. */
  unverifiable: Unverifiable[];
}

export const emptyAnalysis = (): ResourceAnalysis => ({ nodes: [], unknown: [], unverifiable: [] });
