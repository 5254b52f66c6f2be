/**
 * YAML (and JSON, which YAML 1.2 reads) and TOML documents with the line of
 * every field, so that findings can point at the line a person wrote.
 * Uses `yaml` (eemeli/yaml) for its precise node ranges and alias caps, and
 * `smol-toml` for TOML 1.0.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode, type ScalarTag, type Tags } from "yaml";
import { parse as parseToml } from "smol-toml";
import type { Limits } from "./limits";
import { RecentTexts } from "./recent";

export interface StructuredDocument {
  value: unknown;
  /** 1-based line (relative to the text) of a dotted path, e.g. "spec.kubelet.config.readOnlyPort" or "runcmd.2". */
  lineOf(path: string): number | undefined;
}

export type StructuredResult = { ok: true; documents: StructuredDocument[] } | { ok: false; error: string };

/** Deepest nesting of brackets or indentation-free flow, checked before parsing so parsers never recurse too deep. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

/**
 * YAML 1.1 as Go's yaml.v2 resolves plain scalars (sigs.k8s.io/yaml, used by
 * the kubelet, nodeadm and kubeadm; PyYAML in cloud-init reads 1.1 too):
 * yes/no/on/off/y/n booleans and 0-prefixed octal, but no sexagesimal
 * numbers and no timestamps (they stay strings).
 */
const YAML_11_TAGS = (tags: Tags): Tags => [
  ...tags.filter((t) => !(typeof t === "object" && (t.format === "TIME" || t.tag === "tag:yaml.org,2002:timestamp"))),
  GO_OCTAL,
];

/** strconv.ParseInt(s, 0, 64), which yaml.v2 tries first, also reads 0o17. */
const GO_OCTAL: ScalarTag = {
  identify: (value) => typeof value === "number" && Number.isInteger(value),
  default: true,
  tag: "tag:yaml.org,2002:int",
  test: /^[-+]?0[oO][0-7_]+$/,
  resolve: (str) => (str.startsWith("-") ? -1 : 1) * parseInt(str.replace(/^[-+]?0[oO]/, "").replaceAll("_", ""), 8),
};

export interface YamlOptions {
  version?: "1.1" | "1.2";
  /** Reject duplicate keys (the kubelet's strict drop-in loader does). */
  uniqueKeys?: boolean;
}

/**
 * Parsed documents of recent texts: an image's own file (the AL2 kubelet-config.json) is the same text on
 * every node. Results are shared, so callers never change them (applyEdits works on a copy). Small texts only.
 */
const recentYaml = new RecentTexts<StructuredResult>(16, 16 * 1024);

export function parseYamlDocuments(text: string, limits: Limits, options: YamlOptions = {}): StructuredResult {
  const variant = `${options.version ?? "1.2"} ${options.uniqueKeys ?? false} ${limits.maxAliases} ${limits.maxNesting}`;
  return recentYaml.get(text, variant, (own) => parseYamlUncached(own, limits, options));
}

function parseYamlUncached(text: string, limits: Limits, { version = "1.2", uniqueKeys = false }: YamlOptions): StructuredResult {
  if (nestingDepth(text) > limits.maxNesting) return { ok: false, error: `it is nested more than ${limits.maxNesting} levels deep, over the pack's cap` };
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(
      text,
      version === "1.1"
        ? { lineCounter, uniqueKeys, prettyErrors: false, version: "1.1", customTags: YAML_11_TAGS }
        : { lineCounter, uniqueKeys, prettyErrors: false },
    );
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const documents: StructuredDocument[] = [];
  for (const doc of list) {
    if (doc.errors.length) {
      const first = doc.errors[0];
      const line = first.linePos?.[0]?.line;
      return { ok: false, error: `${first.message.split("\n")[0]}${line ? ` (line ${line})` : ""}` };
    }
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliases });
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
    const lines = new Map<string, number>();
    indexLines(doc.contents as YamlNode, "", lines, lineCounter, 0, limits.maxNesting);
    documents.push({ value, lineOf: (path) => lines.get(path) });
  }
  return { ok: true, documents };
}

function indexLines(node: YamlNode | null | undefined, path: string, lines: Map<string, number>, counter: LineCounter, depth: number, maxDepth: number): void {
  if (!node || depth > maxDepth) return;
  const record = (p: string, offset: number | undefined): void => {
    if (offset !== undefined && !lines.has(p)) lines.set(p, counter.linePos(offset).line);
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      const childPath = path ? `${path}.${key}` : key;
      record(childPath, (pair.key as YamlNode).range?.[0]);
      indexLines(pair.value as YamlNode, childPath, lines, counter, depth + 1, maxDepth);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const childPath = path ? `${path}.${index}` : String(index);
      record(childPath, (item as YamlNode).range?.[0]);
      indexLines(item as YamlNode, childPath, lines, counter, depth + 1, maxDepth);
    });
  }
}

export function parseTomlDocument(text: string, limits: Limits): StructuredResult {
  if (nestingDepth(text) > limits.maxNesting) return { ok: false, error: `it is nested more than ${limits.maxNesting} levels deep, over the pack's cap` };
  let value: unknown;
  try {
    value = parseToml(text);
  } catch (error) {
    return { ok: false, error: (error as Error).message.split("\n")[0] };
  }
  return { ok: true, documents: [{ value, lineOf: (path) => tomlLine(text, path) }] };
}

/** Line of a dotted TOML path: the key's line under its table header, or a dotted key. */
function tomlLine(text: string, path: string): number | undefined {
  const keys = path.split(".");
  const leaf = keys[keys.length - 1];
  const table = keys.slice(0, -1).join(".");
  const lines = text.split("\n");
  let currentTable = "";
  const unquote = (s: string): string => s.replace(/"([^"]*)"/g, "$1").replace(/\s+/g, "");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const header = /^\[\[?([^\]]+)\]\]?/.exec(line);
    if (header) {
      currentTable = unquote(header[1]);
      if (currentTable === path) return i + 1;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = unquote(line.slice(0, eq));
    const full = currentTable ? `${currentTable}.${key}` : key;
    if (full === path || (currentTable === table && key === leaf)) return i + 1;
  }
  return undefined;
}
