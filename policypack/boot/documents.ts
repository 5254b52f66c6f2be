/**
 * Readers for each kind of user-data document: cloud-init cloud-config,
 * nodeadm NodeConfig, Bottlerocket TOML and EKS Windows PowerShell. Shell
 * scripts go to script.ts.
 */
import { gunzipSync } from "node:zlib";
import { isPlainObject, type PlainObject } from "../kubelet/config";
import { imageConfigSource, type CommandLineSource, type ConfigSource } from "../kubelet/effective";
import type { NodeModel } from "../kubelet/node";
import type { Location } from "../kubelet/provenance";
import type { NodeBuilder } from "./node-builder";
import { decodeBase64 } from "../userdata/decode";
import { at, type TextOrigin } from "./files";
import { BOTTLEROCKET_KUBELET_CONFIG, BOTTLEROCKET_KUBERNETES_SETTINGS, type BottlerocketSettingType } from "./images";
import { runScript } from "./script";
import { parseTomlDocument, parseYamlDocuments, type StructuredDocument } from "../userdata/structured";

/** Text that concerns a kubelet: what cloud-init would skip there is worth saying. */
const MENTIONS_KUBELET = /kubelet|kubeadm|bootstrap\.sh/;

const origin0 = (source: string): TextOrigin => ({ source, firstLine: 1, exact: true });
const BOTTLEROCKET_CONFIG_SOURCE = imageConfigSource("Bottlerocket kubelet config", BOTTLEROCKET_KUBELET_CONFIG);

/** #cloud-config: bootcmd, then write_files, then runcmd, as cloud-init runs them. */
export function readCloudConfig(builder: NodeBuilder, text: string, source: string): void {
  const parsed = parseYamlDocuments(text, builder.limits, { version: "1.1" });
  if (!parsed.ok) {
    if (MENTIONS_KUBELET.test(text)) {
      builder.markKubelet();
      builder.addUnverifiable({ source }, `the cloud-config is not valid YAML (${parsed.error}), so cloud-init would skip it`);
    }
    return;
  }
  const doc = parsed.documents[0];
  if (!doc || !isPlainObject(doc.value)) return;
  const config = doc.value;
  runCommands(builder, config.bootcmd, "bootcmd", doc, source);
  if (Array.isArray(config.write_files)) {
    config.write_files.forEach((entry, index) => {
      if (isPlainObject(entry)) writeCloudInitFile(builder, entry, `write_files.${index}`, doc, source);
    });
  }
  runCommands(builder, config.runcmd, "runcmd", doc, source);
}

/**
 * bootcmd and runcmd as cloud-init's util.shellify writes them: a string is a line of shell, a list is one
 * command with each word quoted (Python's str() of each), a null (a YAML comment) is skipped, and anything
 * else fails the whole module, so none of its commands run.
 */
function runCommands(builder: NodeBuilder, list: unknown, key: string, doc: StructuredDocument, source: string): void {
  if (!Array.isArray(list)) return;
  const lineOf = (index: number): number => doc.lineOf(`${key}.${index}`) ?? doc.lineOf(key) ?? 1;
  const bad = list.findIndex((entry) => entry !== null && typeof entry !== "string" && !Array.isArray(entry));
  if (bad !== -1) {
    if (MENTIONS_KUBELET.test(JSON.stringify(list))) {
      builder.markKubelet();
      builder.addUnverifiable(
        { source, line: lineOf(bad) },
        `${key} item ${bad + 1} is neither a string nor a list, so cloud-init cannot make it a command (util.shellify) and none of ${key} runs`,
      );
    }
    return;
  }
  list.forEach((entry, index) => {
    const line = lineOf(index);
    if (typeof entry === "string") {
      // A block scalar starts on the line after its indicator; a plain one on its own line.
      runScript(builder, entry, { source, firstLine: entry.includes("\n") ? line + 1 : line, exact: true });
    } else if (Array.isArray(entry)) {
      // An argv list runs as one command: each word quoted, so the script reader sees the same words.
      runScript(builder, entry.map((w) => `'${pythonStr(w).replace(/'/g, `'\\''`)}'`).join(" "), { source, firstLine: line, exact: false });
    }
  });
}

/** Python's str() of a YAML scalar, as shellify quotes list words. */
function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

/**
 * cloud-init decode_perms: a number is the mode itself (YAML 1.1 reads 0644 as 420; a float is truncated, a
 * boolean is 0 or 1); anything else is read as Python's int(text, 8), and what that refuses gets the
 * default 0644, with a warning.
 */
function cloudInitPermissions(value: unknown): { value: number; text: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" || typeof value === "boolean") {
    const mode = Math.trunc(Number(value));
    return Number.isFinite(mode) && mode >= 0 ? { value: mode & 0o7777, text: `permissions: 0${(mode & 0o7777).toString(8)}` } : undefined;
  }
  const text = pythonStr(value);
  const octal = /^\s*\+?(?:0o_?)?([0-7](?:_?[0-7])*)\s*$/i.exec(text);
  if (octal) return { value: parseInt(octal[1].replace(/_/g, ""), 8) & 0o7777, text: `permissions: '${text}'` };
  return { value: 0o644, text: `permissions: '${text}' (not an octal number, so cloud-init's default 0644)` };
}

export function writeCloudInitFile(builder: NodeBuilder, entry: PlainObject, key: string, doc: StructuredDocument, source: string): void {
  if (typeof entry.path !== "string") return;
  const path = entry.path;
  const location: Location = { source, line: doc.lineOf(`${key}.path`) ?? doc.lineOf(key) };
  // cloud-init cc_write_files canonicalize_extraction: b64/base64, gz/gzip and their + pairs; any other
  // encoding is taken as text/plain (with a warning), so the content is written as it is.
  const given = typeof entry.encoding === "string" ? entry.encoding.toLowerCase() : "";
  const encoding = /^(b64|base64|gz|gzip|(gz|gzip)\+(b64|base64))$/.test(given) ? given : "";
  const raw = entry.content === undefined || entry.content === null ? "" : String(entry.content);
  let text: string | undefined = raw;
  if (encoding) {
    const bytes = /b64|base64/.test(encoding) ? decodeBase64(raw) : Buffer.from(raw, "latin1");
    try {
      text = bytes ? (/gz/.test(encoding) ? gunzipSync(bytes, { maxOutputLength: builder.limits.maxBytes }) : bytes).toString("utf8") : undefined;
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) {
    builder.hideFile(path, location, `is written with ${encoding} content that does not decode`);
  } else {
    const contentLine = doc.lineOf(`${key}.content`);
    const blockScalar = contentLine !== undefined && !encoding && raw.includes("\n");
    const textOrigin: TextOrigin = { source, firstLine: blockScalar ? contentLine + 1 : (contentLine ?? location.line ?? 1), exact: blockScalar };
    builder.writeFile(path, text, textOrigin, location, entry.append === true);
  }
  const permissions = cloudInitPermissions(entry.permissions);
  if (permissions) {
    builder.setMode(path, { ...permissions, location: { source, line: doc.lineOf(`${key}.permissions`) ?? location.line } });
  }
  if (typeof entry.owner === "string") {
    // extract_usergroup: "user" alone leaves the group as it is, root's (cloud-init runs as root)
    const [user, group] = entry.owner.split(":");
    builder.setOwner(path, {
      value: `${user}:${group ?? "root"}`,
      location: { source, line: doc.lineOf(`${key}.owner`) ?? location.line },
      text: `owner: ${entry.owner}`,
    });
  }
}

/** application/node.eks.aws: one or more NodeConfig documents, merged later-wins by nodeadm. */
export function readNodeConfig(builder: NodeBuilder, text: string, source: string): void {
  const parsed = parseYamlDocuments(text, builder.limits, { version: "1.1" });
  if (!parsed.ok) {
    builder.markKubelet();
    builder.addUnverifiable({ source }, `the NodeConfig is not valid YAML or JSON (${parsed.error}), so nodeadm would reject it`);
    return;
  }
  for (const document of parsed.documents) {
    const doc = document.value;
    if (!isPlainObject(doc)) continue;
    builder.markKubelet();
    if (doc.kind !== "NodeConfig" || typeof doc.apiVersion !== "string" || !doc.apiVersion.startsWith("node.eks.aws/")) {
      builder.addUnverifiable(
        { source, line: document.lineOf("kind") },
        "a document in the nodeadm part is not a node.eks.aws NodeConfig, so nodeadm rejects it",
      );
      continue;
    }
    builder.nodeadmParts.push({ doc, location: { source }, locate: (path) => ({ source, line: document.lineOf(path) }) });
  }
}

/** Bottlerocket settings: TOML, or (for @pulumi/eks bottlerocketSettings) an object already parsed. */
export function readBottlerocket(builder: NodeBuilder, text: string, source: string): void {
  const parsed = parseTomlDocument(text, builder.limits);
  if (!parsed.ok) {
    builder.markKubelet();
    builder.addUnverifiable({ source }, `the Bottlerocket settings are not valid TOML (${parsed.error}), so the node would not apply them`);
    return;
  }
  const doc = parsed.documents[0];
  readBottlerocketSettings(builder, doc.value, { source }, (path) => doc.lineOf(path));
}

const BR_FIELDS: Record<string, { setting: string; configPath: string; key: string; fix: string }> = {
  "event-qps": {
    setting: "event-qps",
    configPath: "eventRecordQPS",
    key: "settings.kubernetes.event-qps",
    fix: "set settings.kubernetes.event-qps within the allowed range",
  },
  "pod-pids-limit": {
    setting: "pod-max-pids",
    configPath: "podPidsLimit",
    key: "settings.kubernetes.pod-pids-limit",
    fix: "set settings.kubernetes.pod-pids-limit to a positive limit",
  },
  "seccomp-default": {
    setting: "seccomp-default",
    configPath: "seccompDefault",
    key: "settings.kubernetes.seccomp-default",
    fix: "set settings.kubernetes.seccomp-default = true",
  },
  "server-tls-bootstrap": {
    setting: "rotate-server-certificates",
    configPath: "serverTLSBootstrap",
    key: "settings.kubernetes.server-tls-bootstrap",
    fix: "set settings.kubernetes.server-tls-bootstrap = true",
  },
};

export function readBottlerocketSettings(builder: NodeBuilder, value: unknown, location: Location, lineOf: (path: string) => number | undefined): void {
  const settings = isPlainObject(value) && isPlainObject(value.settings) ? value.settings : undefined;
  if (!settings) return;
  builder.markKubelet();
  const kubernetes = isPlainObject(settings.kubernetes) ? settings.kubernetes : {};
  const at = (key: string): Location => ({ ...location, line: lineOf(key) });
  // The settings model denies unknown fields, and serde refuses a value its field's type cannot be read from:
  // either way Bottlerocket refuses all of the user data's settings.
  const refused = new Set<string>();
  for (const [key, value] of Object.entries(kubernetes)) {
    const type = BOTTLEROCKET_KUBERNETES_SETTINGS.get(key);
    if (type === undefined) {
      builder.addUnverifiable(
        at(`settings.kubernetes.${key}`),
        key === "kubelet-extra-config"
          ? "settings.kubernetes.kubelet-extra-config is not a Bottlerocket setting (its kubelet config template has no such input), so it does not configure the kubelet"
          : `settings.kubernetes.${key} is not a Bottlerocket setting, and Bottlerocket refuses settings it does not know (its settings model denies unknown fields), so the node does not get this user data's settings`,
      );
    } else if (type !== "modeled" && !fitsSettingType(type, value)) {
      refused.add(key);
      builder.addUnverifiable(
        at(`settings.kubernetes.${key}`),
        `settings.kubernetes.${key} = ${tomlValueText(value)} is not ${SETTING_TYPE_TEXT[type]}, as Bottlerocket's settings model requires, and Bottlerocket refuses settings that do not fit its model, so the node does not get this user data's settings`,
      );
    }
  }
  const userDoc: PlainObject = {};
  const fields: ConfigSource["fields"] = {};
  for (const [key, field] of Object.entries(BR_FIELDS)) {
    if (kubernetes[key] === undefined || refused.has(key)) continue;
    userDoc[field.configPath] = kubernetes[key];
    fields[field.setting] = { fix: field.fix, text: `${key} = ${JSON.stringify(kubernetes[key])}` };
  }
  const configs: ConfigSource[] = [BOTTLEROCKET_CONFIG_SOURCE];
  if (kubernetes["standalone-mode"] === true) {
    // Bottlerocket's template: standalone mode turns off authentication and authorization.
    configs.push({
      location: at("settings.kubernetes.standalone-mode"),
      origin: "user",
      doc: { authentication: { anonymous: { enabled: true }, webhook: { enabled: false } }, authorization: { mode: "AlwaysAllow" } },
      fields: {
        "anonymous-auth": { text: "standalone-mode = true", fix: "remove settings.kubernetes.standalone-mode = true (it turns on anonymous auth)" },
        "authorization-mode": { text: "standalone-mode = true", fix: "remove settings.kubernetes.standalone-mode = true (it sets AlwaysAllow)" },
      },
    });
  }
  if (Object.keys(userDoc).length) {
    configs.push({
      location: at("settings.kubernetes"),
      origin: "user",
      doc: userDoc,
      fields,
      locate: (path) => at(`settings.kubernetes.${Object.keys(BR_FIELDS).find((k) => BR_FIELDS[k].configPath === path) ?? path}`),
    });
  }
  // The template's `(and (default "" server-certificate) (default "" server-key))`: an empty string is false in Handlebars.
  if (nonEmptyString(kubernetes["server-certificate"]) && nonEmptyString(kubernetes["server-key"])) {
    configs.push({
      location: at("settings.kubernetes.server-certificate"),
      origin: "user",
      doc: {
        tlsCertFile: "/etc/kubernetes/pki/kubelet-server.crt",
        tlsPrivateKeyFile: "/etc/kubernetes/pki/private/kubelet-server.key",
        serverTLSBootstrap: null,
      },
    });
  }
  const commandLines: CommandLineSource[] = [];
  if (typeof kubernetes["hostname-override"] === "string") {
    const location = at("settings.kubernetes.hostname-override");
    commandLines.push({
      location,
      origin: "user",
      words: [
        { text: "--hostname-override", line: location.line },
        { text: kubernetes["hostname-override"], line: location.line },
      ],
    });
  }
  for (const key of Object.keys(isPlainObject(settings["bootstrap-containers"]) ? settings["bootstrap-containers"] : {})) {
    builder.addUnverifiable(at(`settings.bootstrap-containers.${key}`), `bootstrap container ${key} runs code on the host that the pack cannot see`);
  }
  const hostContainers = isPlainObject(settings["host-containers"]) ? settings["host-containers"] : {};
  for (const [key, container] of Object.entries(hostContainers)) {
    if (isPlainObject(container) && container.superpowered === true && container.enabled === true) {
      builder.addUnverifiable(at(`settings.host-containers.${key}`), `host container ${key} runs superpowered with code the pack cannot see`);
    }
  }
  builder.bottlerocket = {
    node: (b): NodeModel => ({
      platform: "Bottlerocket",
      benchmark: "eks",
      sources: { commandLines, base: "config-file", config: configs, launch: { source: "Bottlerocket kubelet" } },
      files: [],
      unverifiable: b.unverifiable,
      problems: b.problems,
    }),
  };
}

const nonEmptyString = (value: unknown): boolean => typeof value === "string" && value !== "";

/** The types serde reads by themselves; bottlerocket-modeled-types validate their own, which the pack does not repeat. */
type PrimitiveSettingType = Exclude<BottlerocketSettingType, "modeled">;

const isIntegerIn = (value: unknown, min: number, max: number): boolean => typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

/** Whether serde reads a TOML value as the field's type (a TOML float with no fraction reads as an integer here). */
function fitsSettingType(type: PrimitiveSettingType, value: unknown): boolean {
  switch (type) {
    case "bool":
      return typeof value === "boolean";
    case "i32":
      return isIntegerIn(value, -(2 ** 31), 2 ** 31 - 1);
    case "i64":
      return isIntegerIn(value, -Infinity, Infinity);
    case "u8":
      return isIntegerIn(value, 0, 255);
    case "u32":
      return isIntegerIn(value, 0, 2 ** 32 - 1);
    case "map":
      // smol-toml reads a TOML date as a Date, which is an object but no table
      return isPlainObject(value) && !(value instanceof Date);
    case "list":
      return Array.isArray(value);
  }
}

const SETTING_TYPE_TEXT: Record<PrimitiveSettingType, string> = {
  bool: "true or false",
  i32: "an integer from -2147483648 to 2147483647",
  i64: "an integer",
  u8: "an integer from 0 to 255",
  u32: "an integer from 0 to 4294967295",
  map: "a table",
  list: "an array",
};

/** A TOML value as a message shows it: short scalars as written, the rest by kind. */
function tomlValueText(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return Array.isArray(value) ? "an array" : value instanceof Date ? "a date" : "a table";
}

/** `<powershell>` user data: Start-EKSBootstrap.ps1, called directly or through a variable holding its path, and its -KubeletExtraArgs. */
export function readPowerShell(builder: NodeBuilder, text: string, source: string): void {
  const lines = text.split("\n");
  const scriptVariables = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const startLine = i + 1;
    while (/`\s*$/.test(line) && i + 1 < lines.length) line = `${line.replace(/`\s*$/, " ")}${lines[++i]}`;
    // A variable holding the script's path, directly or through another such variable (as the EKS docs write it).
    const assignment = /^\s*(?:\[[^\]]*\])?\s*\$(\w+)\s*=(.*)$/.exec(line);
    if (assignment) {
      const value = assignment[2];
      const refersToScript = /Start-EKSBootstrap\.ps1/i.test(value) || [...value.matchAll(/\$(\w+)/g)].some((m) => scriptVariables.has(m[1].toLowerCase()));
      if (refersToScript) scriptVariables.add(assignment[1].toLowerCase());
      continue;
    }
    // The call: the script's path, or `& $var` for a variable holding it; its arguments follow.
    const direct = /Start-EKSBootstrap\.ps1["']?/i.exec(line);
    const viaVariable = direct ? undefined : /&\s*"?\$(\w+)"?/.exec(line);
    if (!direct && !(viaVariable && scriptVariables.has(viaVariable[1].toLowerCase()))) continue;
    const match = (direct ?? viaVariable)!;
    builder.recordWindowsBootstrap(at(origin0(source), startLine), ["Start-EKSBootstrap.ps1", ...powerShellWords(line.slice(match.index + match[0].length))]);
  }
}

/** PowerShell argument words: '…' literal ('' escapes a quote), "…" with `-escapes. Variables are left as written. */
function powerShellWords(text: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'')*)'|"((?:[^"`]|`.)*)"|([^\s'"]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) words.push(m[1].replace(/''/g, "'"));
    else if (m[2] !== undefined) words.push(m[2].replace(/`(.)/g, "$1"));
    else words.push(m[3].replace(/^&$/, ""));
  }
  return words.filter((w) => w !== "");
}

export { origin0 };
