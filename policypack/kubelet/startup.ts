/**
 * The kubelet's start-up up to its configuration: given the argv a node
 * runs it with and the node's files, which config file and drop-ins it reads
 * and how it decodes them (cmd/kubelet/app/server.go NewKubeletCommand,
 * loadConfigFile, mergeKubeletConfigurations;
 * pkg/kubelet/kubeletconfig/configfiles; sigs.k8s.io/yaml, which reads
 * YAML 1.1). The result feeds computeEffectiveView.
 */
import type { Limits } from "../userdata/limits";
import { parseYamlDocuments } from "../userdata/structured";
import { holdsUnresolved, isPlainObject } from "./config";
import { parseCommandLines, type CommandLineSource, type ConfigSource, type KubeletSources, type LocatedProblem } from "./effective";
import type { Location, Origin } from "./provenance";

/** What a file holds as the kubelet would read it. */
export type KubeletFileContent =
  | { kind: "text"; text: string; location: Location; origin: Origin; locateLine: (line: number) => Location | undefined }
  /** Already structured: the image's own document and edits made to it, merged in order. */
  | { kind: "layers"; layers: ConfigSource[] }
  | { kind: "hidden"; reason: string; location?: Location };

export interface KubeletFileSystem {
  /** The file at an absolute path; undefined when nothing visible puts a file there. */
  file(path: string): KubeletFileContent | undefined;
  /** Absolute paths of the visible files under a directory, at any depth. */
  filesUnder(dir: string): string[];
}

export const KUBELET_CONFIG_API = { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration" };

/** Already clean: absolute, no empty, `.` or `..` segment, no trailing slash. Most paths are, so it is checked first. */
function isCleanAbsolute(path: string): boolean {
  if (path.length < 2 || path.charCodeAt(0) !== 0x2f) return false;
  let segment = 1;
  for (let i = 1; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 0x2f) continue;
    const length = i - segment;
    if (length === 0) return false;
    if (path.charCodeAt(segment) === 0x2e && (length === 1 || (length === 2 && path.charCodeAt(segment + 1) === 0x2e))) return false;
    segment = i + 1;
  }
  return true;
}

/** filepath.Abs against the kubelet's working directory, which systemd sets to / (and path.Clean). */
export function absolutePath(path: string): string {
  if (isCleanAbsolute(path)) return path;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** filepath.WalkDir visits a directory's entries in lexical order, each directory's content where its name sorts. */
export function walkOrder(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** filepath.Ext(name) == ".conf". */
const isDropInName = (path: string): boolean => {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name.slice(name.lastIndexOf(".")) === ".conf";
};

interface Resolved {
  value?: string;
  /** The value depends on something not visible. */
  unresolved?: string;
  location?: Location;
}

/** The last value of each of the string flags that say which files the kubelet reads: pflag keeps the last. */
function fileFlags(lines: readonly CommandLineSource[]): { config: Resolved; "config-dir": Resolved; kubeconfig: Resolved } {
  const found = { config: {} as Resolved, "config-dir": {} as Resolved, kubeconfig: {} as Resolved };
  for (const a of parseCommandLines(lines).assignments) {
    const location = lines[a.source!].location;
    if (a.name === "*") found.config = found["config-dir"] = found.kubeconfig = { unresolved: a.text, location };
    else if (a.name === "config" || a.name === "config-dir" || a.name === "kubeconfig")
      found[a.name] = a.value === undefined ? { unresolved: a.text, location } : { value: String(a.value), location };
  }
  return found;
}

/** Reads one KubeletConfiguration document: YAML 1.1, exactly one object, with the v1beta1 apiVersion and kind. */
function readConfigFile(
  path: string,
  content: KubeletFileContent | undefined,
  role: string,
  limits: Limits,
  problems: LocatedProblem[],
  launch: Location | undefined,
): ConfigSource[] | undefined {
  const refuse = (location: Location, origin: Origin, message: string): undefined => {
    problems.push({ text: path, kind: "refuse", message: `the kubelet would refuse to start: ${message}`, location: { ...location, file: path }, origin });
    return undefined;
  };
  if (!content)
    return [
      {
        location: launch ?? { source: "kubelet" },
        origin: "platform",
        hidden: `the kubelet reads ${role} ${path}, which the node's image and user data do not show`,
      },
    ];
  if (content.kind === "hidden") return [{ location: content.location ?? { source: path }, origin: "user", hidden: `${path} ${content.reason}` }];
  let layers: ConfigSource[];
  if (content.kind === "layers") {
    layers = content.layers;
  } else {
    // The drop-in loader decodes strictly (duplicate keys stop the kubelet); the config file's codec falls back to lenient decoding.
    const parsed = parseYamlDocuments(content.text, limits, { version: "1.1", uniqueKeys: role === "the drop-in" });
    const document = parsed.ok ? parsed.documents[0] : undefined;
    // A text the boot computes (`echo "$(…)" > f`) may hold any configuration: not visible, rather than refused.
    if ((!document || !isPlainObject(document.value)) && holdsUnresolved(content.text)) {
      const location = { ...content.location, file: path };
      const hidden = `${role} ${path} is written from a value known only at boot`;
      problems.push({
        text: path,
        kind: "unresolved",
        message: `${hidden}, so none of the kubelet settings in it can be checked`,
        location,
        origin: content.origin,
      });
      return [{ location, origin: content.origin, hidden }];
    }
    if (!parsed.ok) return refuse(content.location, content.origin, `${role} ${path} is not valid YAML or JSON (${parsed.error})`);
    if (!document || !isPlainObject(document.value)) return refuse(content.location, content.origin, `${role} ${path} is not a KubeletConfiguration object`);
    layers = [
      {
        location: { ...content.location, file: path },
        origin: content.origin,
        doc: document.value,
        locate: (key) => {
          const line = document.lineOf(key);
          return line !== undefined ? content.locateLine(line) : undefined;
        },
      },
    ];
  }
  // The codec needs the type: "Object 'Kind' is missing", or no kind registered for another apiVersion.
  let apiVersion: unknown;
  let kind: unknown;
  for (const l of layers) {
    if (l.doc && Object.prototype.hasOwnProperty.call(l.doc, "apiVersion")) apiVersion = l.doc.apiVersion;
    if (l.doc && Object.prototype.hasOwnProperty.call(l.doc, "kind")) kind = l.doc.kind;
  }
  const at = layers[layers.length - 1];
  if (layers.some((l) => l.hidden !== undefined)) return layers;
  if (typeof kind !== "string" || kind === "" || typeof apiVersion !== "string" || apiVersion === "")
    return refuse(
      at.location,
      at.origin,
      `${role} ${path} has no apiVersion/kind; write apiVersion: ${KUBELET_CONFIG_API.apiVersion} and kind: ${KUBELET_CONFIG_API.kind}`,
    );
  if (apiVersion !== KUBELET_CONFIG_API.apiVersion || kind !== KUBELET_CONFIG_API.kind)
    return refuse(at.location, at.origin, `${role} ${path} is ${apiVersion}/${kind}, not ${KUBELET_CONFIG_API.apiVersion}/${KUBELET_CONFIG_API.kind}`);
  return layers;
}

/**
 * Which files the kubelet reads for this command line, in its order: the
 * last --config (decoded and defaulted), then every `*.conf` under the last
 * --config-dir in WalkDir order. With --config-dir and no --config the base
 * is the legacy flag defaults.
 */
export function startKubelet(commandLines: CommandLineSource[], fs: KubeletFileSystem, limits: Limits, launch?: Location): KubeletSources {
  const problems: LocatedProblem[] = [];
  const { config, "config-dir": configDir, kubeconfig } = fileFlags(commandLines);
  const sources: KubeletSources = {
    commandLines,
    base: "legacy",
    config: [],
    problems,
    launch,
    configPath: config.value ? absolutePath(config.value) : undefined,
    configDir: configDir.value ? absolutePath(configDir.value) : undefined,
    kubeconfigPath: kubeconfig.value ? absolutePath(kubeconfig.value) : undefined,
  };
  if (config.unresolved) {
    sources.base = "config-file";
    sources.config = [{ location: config.location!, origin: "user", hidden: `the config file path (${config.unresolved}) is not visible` }];
  } else if (config.value) {
    sources.base = "config-file";
    const path = absolutePath(config.value);
    sources.config = readConfigFile(path, fs.file(path), "the config file", limits, problems, launch) ?? [];
  }
  if (configDir.unresolved) {
    sources.dropIns = [{ location: configDir.location!, origin: "user", hidden: `the drop-in directory (${configDir.unresolved}) is not visible` }];
  } else if (configDir.value) {
    const dir = absolutePath(configDir.value);
    const dropIns: ConfigSource[] = [];
    for (const path of fs.filesUnder(dir).filter(isDropInName).sort(walkOrder)) {
      const read = readConfigFile(path, fs.file(path), "the drop-in", limits, problems, launch);
      if (!read) break;
      dropIns.push(...read);
    }
    sources.dropIns = dropIns;
  }
  return sources;
}
