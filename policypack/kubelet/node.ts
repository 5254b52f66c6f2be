/**
 * What the pack knows about one worker node's kubelet, whatever platform it
 * came from: the kubelet's sources, the kubelet files the node writes, and
 * what could not be read.
 */
import type { KubeletSources, LocatedProblem } from "./effective";
import type { Location } from "./provenance";

/** Which CIS benchmark speaks for the node. */
export type Benchmark = "generic" | "eks" | "aks" | "gke";

export type FileRole = "kubelet-config" | "kubeconfig" | "service" | "client-ca";

export interface FileAttribute<T> {
  value: T;
  location: Location;
  /** The exact text that set it: `chmod 666 /etc/…`, `permissions: '0666'`. */
  text: string;
}

export interface NodeFile {
  path: string;
  role: FileRole;
  /** Where the file is written. */
  location: Location;
  /** Permission bits as the file will have them; undefined when not visible. */
  mode?: FileAttribute<number>;
  /** `user:group` as the file will have it; undefined when not visible. */
  owner?: FileAttribute<string>;
}

export interface Unverifiable {
  location: Location;
  /** One sentence: what cannot be read and why. */
  reason: string;
}

export interface NodeModel {
  /** Human name of how the node is configured: "EKS AL2 bootstrap.sh", "GKE node pool". */
  platform: string;
  benchmark: Benchmark;
  /** Absent when nothing about this node's kubelet is visible beyond files and notes. */
  sources?: KubeletSources;
  files: NodeFile[];
  unverifiable: Unverifiable[];
  /** Problems found while reading (a kubelet that would not start, something that has no effect). */
  problems: LocatedProblem[];
}
