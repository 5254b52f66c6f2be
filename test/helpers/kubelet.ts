/** A kubelet started with an argv over an in-memory file system: the kubelet layer alone, as the oracle sees it. */
import { computeEffectiveView, type EffectiveView, type KubeletSources } from "../../policypack/kubelet/effective";
import { absolutePath, startKubelet, type KubeletFileSystem } from "../../policypack/kubelet/startup";
import { DEFAULT_LIMITS } from "../../policypack/userdata/limits";

/** Files keyed by path (relative paths resolve against /, the kubelet's working directory under systemd). */
export function memoryFileSystem(files: Record<string, string>): KubeletFileSystem {
  const byPath = new Map(Object.entries(files).map(([path, text]) => [absolutePath(path), text]));
  return {
    file(path) {
      const text = byPath.get(path);
      if (text === undefined) return undefined;
      return { kind: "text", text, origin: "user", location: { source: path }, locateLine: (line) => ({ source: path, line }) };
    },
    filesUnder: (dir) => [...byPath.keys()].filter((p) => p.startsWith(`${dir}/`)),
  };
}

export function startup(argv: readonly string[], files: Record<string, string> = {}): KubeletSources {
  const commandLines = [{ location: { source: "command line", line: 1 }, origin: "user" as const, words: argv.map((text) => ({ text, line: 1 })) }];
  return startKubelet(commandLines, memoryFileSystem(files), DEFAULT_LIMITS, { source: "command line", line: 1 });
}

export function effective(argv: readonly string[], files: Record<string, string> = {}): EffectiveView {
  return computeEffectiveView(startup(argv, files));
}

/** A KubeletConfiguration document with the given YAML body. */
export const kubeletConfig = (body = ""): string => `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n${body}`;
