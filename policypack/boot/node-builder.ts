/**
 * Collects what the user data does to a node's kubelet and turns it into a
 * NodeModel: which platform launches the kubelet (EKS AL2 bootstrap.sh,
 * AL2023 nodeadm, Bottlerocket, EKS Windows, kubeadm, a self-managed unit or
 * command), its config files and drop-ins, its command line, and the files
 * whose permissions matter.
 */
import type { ArgWord } from "../kubelet/cmdline";
import { isPlainObject, markUnresolved, type PlainObject } from "../kubelet/config";
import { imageConfigSource, type CommandLineSource, type ConfigSource, type KubeletSources, type LocatedProblem } from "../kubelet/effective";
import { KUBELET_CONFIG_API, startKubelet, type KubeletFileContent, type KubeletFileSystem } from "../kubelet/startup";
import type { FileAttribute, FileRole, NodeFile, NodeModel, Unverifiable } from "../kubelet/node";
import { describeLocation, type Location, type Origin } from "../kubelet/provenance";
import { parseGoBool, type Parsed } from "../kubelet/values";
import { expandWord, tokenize, type Environment } from "../kubelet/shell";
import { applyEdits, fileText, hiddenFileMessage, locateLine, type FileState, type TextOrigin, type VirtualFile } from "./files";
import type { Limits } from "../userdata/limits";
import {
  AL2_BOOTSTRAP,
  IMAGE_DIRECTORIES,
  AL2_KUBELET_CONFIG_PATH,
  AL2_KUBELET_CONFIG_TEXT,
  KUBEADM,
  NODEADM_DROP_IN_DIR,
  NODEADM_FLAGS,
  NODEADM_KUBELET_CONFIG,
  NODEADM_KUBELET_CONFIG_PATH,
} from "./images";
import { parseYamlDocuments } from "../userdata/structured";
import { ignoredAssignment, readKubeletUnit, type KubeletUnit } from "./systemd";
import { parseEnvironmentFile, systemdWords } from "./systemd-words";

const isTrue = (parsed: Parsed<boolean>): boolean => parsed.ok && parsed.value;

/** A kubelet argument and the file or command that passes it. */
interface LocatedWord {
  word: ArgWord;
  location: Location;
}

const KUBELET_CONFIG_PATHS = new Set([
  AL2_KUBELET_CONFIG_PATH,
  AL2_KUBELET_CONFIG_TEXT,
  NODEADM_KUBELET_CONFIG_PATH,
  KUBEADM.configPath,
  "/var/lib/kubelet/config.yml",
  "/etc/kubernetes/kubelet-config.yaml",
  "/etc/kubernetes/kubelet/config.yaml",
  "/etc/kubernetes/kubelet/kubelet-config.yaml",
  "/home/kubernetes/kubelet-config.yaml",
  "/etc/default/kubeletconfig.json",
]);
const KUBECONFIG_PATHS = new Set([
  "/var/lib/kubelet/kubeconfig",
  "/etc/kubernetes/kubelet.conf",
  "/etc/kubernetes/kubelet/kubeconfig",
  "/etc/kubernetes/bootstrap-kubelet.conf",
]);
const ENV_FILES = ["/etc/default/kubelet", "/etc/sysconfig/kubelet", "/var/lib/kubelet/kubeadm-flags.env"];
const KUBELET_ARGS_VARIABLE = /^KUBELET_(EXTRA_|KUBEADM_)?ARGS$/;
const UNIT_FILE = /^\/(etc|lib|usr\/lib)\/systemd\/system\/kubelet\.service(\.d\/[^/]+\.conf)?$/;
const DROP_IN_DIR = /^\/etc\/kubernetes\/kubelet\/config\.json\.d\/.+\.conf$/;

/** A kubeadm configuration document, where it sits, and where each of its fields was written. */
export interface KubeadmDocument {
  location: Location;
  doc: PlainObject;
  locate: (path: string) => Location | undefined;
}

export interface NodeadmPart {
  doc: PlainObject;
  locate: (path: string) => Location | undefined;
  location: Location;
}

export interface BottlerocketPart {
  /** Builds the node model for Bottlerocket; set by the TOML reader. */
  node: (builder: NodeBuilder) => NodeModel;
}

/** nodeadm's config.json, and the type it writes at the top of 40-nodeadm.conf. */
const NODEADM_CONFIG_SOURCE = imageConfigSource(`nodeadm ${NODEADM_KUBELET_CONFIG_PATH}`, NODEADM_KUBELET_CONFIG);
const NODEADM_DROP_IN_TYPE_SOURCE = imageConfigSource("nodeadm 40-nodeadm.conf", KUBELET_CONFIG_API);

export class NodeBuilder {
  readonly files = new Map<string, VirtualFile>();
  /** Shell variables set so far, with the line that set each. */
  readonly vars = new Map<string, string>();
  readonly varLines = new Map<string, number | undefined>();
  /** Directories the user data creates (mkdir), beside those the files it writes imply. */
  readonly directories = new Set<string>();
  /** kubeadm configurations given as objects rather than files (Cluster API's joinConfiguration). */
  readonly kubeadmConfigs: KubeadmDocument[] = [];
  /** Lines user data adds to bootstrap.sh after its KUBELET_EXTRA_ARGS= line, in order. */
  readonly bootstrapEdits: { line: string; location: Location }[] = [];
  /** Variables a child process sees: exported, or all of them after `set -a`. */
  readonly exported = new Set<string>();
  exportAll = false;
  /** Variables whose value depends on which branch ran. */
  readonly ambiguousVars = new Set<string>();
  /**
   * The positional parameters ($1, $2…), undefined where they are not known. User data's own scripts have none:
   * cloud-init runs each part, runcmd and boothook by its path alone (cloudinit/subp.py runparts, `subp(prefix +
   * [exe_path])`; cloudinit/handlers/boot_hook.py, `subp([filepath])`). A function's body gets its call's words
   * (bash(1), FUNCTIONS), a script run by path or `sh -c` its arguments, `set --` sets them.
   */
  positional: readonly string[] | undefined = [];
  /** The shell's variables as expansion reads them: one that depends on the branch taken is not known. */
  readonly shellEnv: Environment = (name) => {
    const c = name.charCodeAt(0);
    if ((c >= 0x30 && c <= 0x39) || name === "#" || name === "*") return this.positionalParameter(name);
    return this.ambiguousVars.has(name) ? undefined : this.vars.get(name);
  };

  /** `$N` (unset past the last), `$#` their count, `$*` joined by the first character of IFS (a blank). */
  private positionalParameter(name: string): string | null | undefined {
    const list = this.positional;
    // $0 is the script's name, never a positional parameter.
    if (list === undefined || name === "0") return undefined;
    if (name === "#") return String(list.length);
    if (name === "*") return list.join(" ");
    return list[Number(name) - 1] ?? null;
  }
  readonly unverifiable: Unverifiable[] = [];
  readonly problems: LocatedProblem[] = [];
  private readonly bootstrapCalls: { location: Location }[] = [];
  private readonly k3sCalls: { location: Location; distro: string; words: ArgWord[] }[] = [];
  private readonly kubeletCommands: { location: Location; words: ArgWord[] }[] = [];
  private readonly windowsCalls: { location: Location; words: ArgWord[] }[] = [];
  private readonly kubeadmCalls: { location: Location; args: string[] }[] = [];
  readonly nodeadmParts: NodeadmPart[] = [];
  bottlerocket?: BottlerocketPart;
  /** Set when something in the user data touches the kubelet. */
  private kubeletSign = false;

  constructor(readonly limits: Limits) {}

  addUnverifiable(location: Location, reason: string): void {
    if (!this.unverifiable.some((u) => u.reason === reason && describeLocation(u.location) === describeLocation(location)))
      this.unverifiable.push({ location, reason });
  }

  markKubelet(): void {
    this.kubeletSign = true;
  }

  isKubeletFile(path: string): boolean {
    return this.roleOf(path) !== undefined || ENV_FILES.includes(path);
  }

  /** The file fileFor last gave: scripts write one file line after line, and comparing a path costs less than hashing it. */
  private lastFile?: VirtualFile;

  private fileFor(path: string, location: Location): VirtualFile {
    if (this.lastFile?.path === path) return this.lastFile;
    let file = this.files.get(path);
    if (!file) {
      // A file the user data only chmods or edits keeps the image's content, where the pack knows it.
      file = { path, state: this.knownBaseState(path) ?? { edits: [] }, location };
      this.files.set(path, file);
      // A path's role does not change, so the sign is taken when the file first appears.
      if (this.isKubeletFile(path)) this.kubeletSign = true;
    }
    this.lastFile = file;
    return file;
  }

  writeFile(path: string, text: string, origin: TextOrigin, location: Location, append = false, writer: Origin = "user"): void {
    if (path === AL2_BOOTSTRAP.path && append && !this.files.has(path)) {
      // The AMI's script stays the AMI's program; it reaches appended lines only after it has started the kubelet.
      if (/KUBELET|kubelet/.test(text))
        this.problems.push({
          kind: "note",
          text: path,
          location,
          origin: "user",
          message: `appends to ${path}, which runs the appended lines only after it has started the kubelet, so they do not change it`,
        });
      return;
    }
    const file = this.fileFor(path, location);
    file.writer = writer;
    const appending = append && file.state.chunks !== undefined && !file.state.hidden;
    const size = (appending ? (file.state.size ?? 0) : 0) + text.length;
    if (size > this.limits.maxBytes) {
      this.hideFile(path, location, `grows past ${this.limits.maxBytes} bytes, over the pack's cap`);
      return;
    }
    const chunk = { text, origin };
    // Appends push in place: every state that shares chunks with another was copied by cloneState.
    if (appending) file.state.chunks!.push(chunk);
    else file.state = { chunks: [chunk], edits: [] };
    file.state.size = size;
    file.location = location;
  }

  setFileState(path: string, state: FileState, location: Location): void {
    const file = this.fileFor(path, location);
    file.state = state;
    file.location = location;
  }

  hideFile(path: string, location: Location, reason: string): void {
    const file = this.fileFor(path, location);
    file.state = { hidden: { reason, location }, edits: [] };
    file.location = location;
  }

  copyFile(from: string, to: string, location: Location, move: boolean): void {
    // coreutils cp and mv refuse a file onto itself ("are the same file") and leave it as it is.
    if (from === to) return;
    const source = this.files.get(from);
    if (!source) {
      if (this.isKubeletFile(to)) this.hideFile(to, location, `is replaced by ${from}, whose content is not visible`);
      return;
    }
    this.setFileState(to, { ...source.state, chunks: source.state.chunks?.slice(), edits: source.state.edits.slice() }, location);
    // The last file written is now `to`'s, so the one moved away is not kept anywhere.
    if (move) this.files.delete(from);
  }

  /** Whether a path names a directory on the node: written with a trailing slash, made by mkdir, or holding files. */
  isDirectory(path: string): boolean {
    if (path.endsWith("/")) return true;
    if (this.directories.has(path) || IMAGE_DIRECTORIES.has(path)) return true;
    const prefix = `${path}/`;
    for (const p of this.files.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  /** A file as the user data left it, or the image's own file the pack knows, ready to be edited in place. */
  editableFile(path: string, location: Location): VirtualFile | undefined {
    return this.files.get(path) ?? (this.knownBaseState(path) ? this.fileFor(path, location) : undefined);
  }

  /** The image's own content for files the pack knows (the AL2 kubelet-config.json), as the image's text. */
  knownBaseState(path: string): FileState | undefined {
    if (path !== AL2_KUBELET_CONFIG_PATH) return undefined;
    this.kubeletSign = true;
    const text = AL2_KUBELET_CONFIG_TEXT;
    return {
      chunks: [{ text, origin: { source: `EKS AL2 AMI ${AL2_KUBELET_CONFIG_PATH}`, firstLine: 1, exact: true, writer: "platform" } }],
      size: text.length,
      edits: [],
    };
  }

  setMode(path: string, mode: FileAttribute<number>): void {
    this.fileFor(path, mode.location).mode = mode;
  }

  setOwner(path: string, owner: FileAttribute<string>): void {
    this.fileFor(path, owner.location).owner = owner;
  }

  /**
   * The AL2 bootstrap.sh as a program: it reads KUBELET_EXTRA_ARGS from its
   * environment (exported variables only), lets --kubelet-extra-args replace
   * it, installs the AMI's kubelet unit and writes the unit's drop-ins, the
   * extra-args one only for a non-empty value (images.ts AL2_BOOTSTRAP).
   */
  recordBootstrap(location: Location, args: ArgWord[], envExtraArgs?: { value: string; line?: number }): void {
    this.kubeletSign = true;
    let extra: { text: string; line?: number } | undefined = envExtraArgs ? { text: envExtraArgs.value, line: envExtraArgs.line ?? location.line } : undefined;
    let positionals = 0;
    for (let k = 0; k < args.length; k++) {
      const option = args[k].text;
      if (option === "-h" || option === "--help") return; // prints its usage and exits 1
      if (args[k].unresolved?.length && !AL2_BOOTSTRAP.options.has(option)) {
        // A word computed at boot may be any options, --kubelet-extra-args among them; a cluster-name variable is not.
        const clusterName = positionals === 0 && /^\$\{?\w*cluster\w*\}?$/i.test(option);
        positionals++;
        if (!clusterName)
          this.addUnverifiable(location, `bootstrap.sh is given ${option}, which is not visible, so the kubelet flags it may pass cannot be checked`);
        continue;
      }
      if (!AL2_BOOTSTRAP.options.has(option)) {
        positionals++;
        // Anything else is positional: the first is the cluster name.
        if (option.startsWith("--kubelet-extra-args=")) {
          this.problems.push({
            kind: "note",
            text: option.split("=")[0],
            location,
            origin: "user",
            message:
              "bootstrap.sh does not read --kubelet-extra-args=…, so these flags never reach the kubelet (the word is taken as a positional argument, the cluster name if it comes first); pass them as the next argument: --kubelet-extra-args '…'",
          });
        }
        continue;
      }
      // Every option takes the next word as its value, whatever it looks like (shift 2).
      const value = args[k + 1];
      k++;
      // bootstrap.sh writes the value into a drop-in that systemd splits at blanks: an expansion whose source has
      // blanks (`$(cat f)`) stays one word there, as its output does in the shell; `$NAME` keeps its name.
      if (option === "--kubelet-extra-args" && value)
        extra = { text: markUnresolved(value.text, value.unresolved?.filter((raw) => /\s/.test(raw)) ?? []), line: value.line ?? location.line };
    }
    for (const edit of this.bootstrapEdits) {
      const word = tokenize(edit.line).tokens.find((t) => t.kind === "word");
      const text = word ? expandWord(word, (n) => (n === "KUBELET_EXTRA_ARGS" ? (extra?.text ?? "") : undefined))[0]?.text : undefined;
      const m = text === undefined ? null : /^KUBELET_EXTRA_ARGS(\+?)=(.*)$/s.exec(text);
      if (m) extra = { text: m[1] ? `${extra?.text ?? ""}${m[2]}` : m[2], line: edit.location.line };
    }
    const origin = (line: number | undefined): TextOrigin => ({ source: location.source, firstLine: line ?? location.line ?? 0, exact: false, onBehalf: true });
    this.writeFile(AL2_BOOTSTRAP.unitPath, AL2_BOOTSTRAP.unit, { source: AL2_BOOTSTRAP.source, firstLine: 1, exact: true }, location, false, "platform");
    this.writeFile(
      AL2_BOOTSTRAP.argsDropIn,
      AL2_BOOTSTRAP.argsDropInText,
      { source: AL2_BOOTSTRAP.source, firstLine: 1, exact: false },
      location,
      false,
      "platform",
    );
    if (extra && extra.text !== "")
      this.writeFile(AL2_BOOTSTRAP.extraArgsDropIn, AL2_BOOTSTRAP.extraArgsDropInText(extra.text), origin(extra.line), location, false, "user");
    this.bootstrapCalls.push({ location });
  }

  /** `k3s|rke2 server|agent …`, or their install script: the kubelet it starts gets --kubelet-arg values as flags. */
  recordK3s(location: Location, distro: string, words: ArgWord[]): void {
    this.kubeletSign = true;
    this.k3sCalls.push({ location, distro, words });
  }

  recordKubelet(location: Location, words: ArgWord[]): void {
    this.kubeletSign = true;
    this.kubeletCommands.push({ location, words });
  }

  recordKubeadm(location: Location, args: string[]): void {
    if (args[0] !== "join" && args[0] !== "init") return;
    this.kubeletSign = true;
    this.kubeadmCalls.push({ location, args });
  }

  recordWindowsBootstrap(location: Location, args: string[]): void {
    this.kubeletSign = true;
    const k = args.findIndex((a) => /^-KubeletExtraArgs$/i.test(a));
    this.windowsCalls.push({ location, words: k !== -1 && args[k + 1] !== undefined ? splitWhitespace(args[k + 1], location.line) : [] });
  }

  /** The node model, or undefined when nothing in the user data concerns a kubelet. */
  finish(): NodeModel | undefined {
    // A unit that runs a kubelet, whatever it is called, is a sign too.
    if (!this.kubeletSign && !this.nodeadmParts.length && !this.bottlerocket && !readKubeletUnit(this.files, () => "user")) return undefined;
    if (this.bottlerocket) return this.bottlerocket.node(this);
    const model = this.platformModel();
    return { ...model, files: this.nodeFiles(model.sources), unverifiable: this.unverifiable, problems: this.problems };
  }

  private platformModel(): Pick<NodeModel, "platform" | "benchmark" | "sources"> {
    if (this.nodeadmParts.length) {
      for (const call of this.bootstrapCalls) {
        // The AL2023 bootstrap.sh only prints an error and exits 1; nodeadm still starts the kubelet from the NodeConfig.
        this.problems.push({
          kind: "note",
          text: "/etc/eks/bootstrap.sh",
          location: call.location,
          origin: "user",
          message:
            "calls /etc/eks/bootstrap.sh, which on AL2023 (nodeadm) nodes only prints an error and exits 1, so its arguments never reach the kubelet; configure the kubelet through the NodeConfig instead",
        });
      }
      return { platform: "EKS AL2023 (nodeadm)", benchmark: "eks", sources: this.nodeadmSources() };
    }
    if (this.bootstrapCalls.length) return { platform: "EKS AL2 (bootstrap.sh)", benchmark: "eks", sources: this.al2Sources() };
    if (this.k3sCalls.length) {
      const call = this.k3sCalls[this.k3sCalls.length - 1];
      return { platform: call.distro === "rke2" ? "RKE2" : "k3s", benchmark: "generic", sources: this.k3sSources(call) };
    }
    if (this.windowsCalls.length) {
      const call = this.windowsCalls[this.windowsCalls.length - 1];
      return {
        platform: "EKS Windows",
        benchmark: "eks",
        sources: {
          commandLines: [{ location: call.location, origin: "user", words: call.words }],
          base: "config-file",
          config: [{ location: call.location, origin: "platform", hidden: "the EKS Windows AMI writes its own kubelet config file" }],
          launch: call.location,
        },
      };
    }
    return { platform: "self-managed kubelet", benchmark: "generic", sources: this.selfManagedSources() };
  }

  /**
   * The node's files as the kubelet sees them: what the user data left, over
   * the image's own files (given per platform).
   */
  private fileSystem(image: ReadonlyMap<string, KubeletFileContent> = new Map(), platformWrites: ReadonlySet<string> = new Set()): KubeletFileSystem {
    return {
      file: (path) => {
        const file = platformWrites.has(path) ? undefined : this.files.get(path);
        if (!file) return image.get(path);
        // A file the kubelet reads that the boot writes from somewhere unseen (downloaded, copied from a hidden file),
        // said once, unless the command that hid it was already reported.
        const hidden = file.state.hidden;
        if (hidden && !this.unverifiable.some((u) => u.location.source === hidden.location.source && u.location.line === hidden.location.line))
          this.addUnverifiable(hidden.location, hiddenFileMessage(path, file.state, "none of the kubelet settings in it can be checked"));
        return this.contentOf(file);
      },
      filesUnder: (dir) => {
        const prefix = dir.endsWith("/") ? dir : `${dir}/`;
        const under: string[] = [];
        for (const p of this.files.keys()) if (p.startsWith(prefix)) under.push(p);
        for (const p of image.keys()) if (p.startsWith(prefix) && !this.files.has(p)) under.push(p);
        return under;
      },
    };
  }

  private contentOf(file: VirtualFile): KubeletFileContent | undefined {
    const { state, path } = file;
    if (state.hidden) return { kind: "hidden", reason: state.hidden.reason, location: state.hidden.location };
    if (state.chunks && state.edits.length) return { kind: "layers", layers: this.configSources(file) };
    const text = fileText(state);
    if (text === undefined) return undefined;
    return {
      kind: "text",
      text,
      origin: file.writer ?? "user",
      location: { ...file.location, file: path },
      locateLine: (line) => locateLine(state, line, path),
    };
  }

  /** AL2: the kubelet unit bootstrap.sh installed, with every drop-in the node has, over the AMI's kubelet-config.json. */
  private al2Sources(): KubeletSources {
    const call = this.bootstrapCalls[this.bootstrapCalls.length - 1];
    const image = new Map<string, KubeletFileContent>();
    const amiConfig = this.contentOf({
      path: AL2_KUBELET_CONFIG_PATH,
      state: this.knownBaseState(AL2_KUBELET_CONFIG_PATH)!,
      location: call.location,
      writer: "platform",
    });
    if (amiConfig) image.set(AL2_KUBELET_CONFIG_PATH, amiConfig);
    return startKubelet(this.unitCommandLines()?.execStart ?? [], this.fileSystem(image), this.limits, call.location);
  }

  /**
   * k3s and RKE2 run the kubelet themselves (k3s pkg/daemons/agent agent_linux.go kubeletArgsAndConfig):
   * `--config-dir` with the configuration they write, `--read-only-port=0`, then the user's `kubelet-arg`
   * values as flags. What their own config sets is not visible, so only what the user passes is judged.
   */
  private k3sSources(call: { location: Location; distro: string; words: ArgWord[] }): KubeletSources {
    const dir = `/var/lib/rancher/${call.distro}/agent/etc/kubelet.conf.d`;
    const own = `${call.distro} kubelet flags`;
    const commandLines: CommandLineSource[] = [
      { location: { source: own }, origin: "platform", words: [{ text: `--config-dir=${dir}` }, { text: "--read-only-port=0" }] },
    ];
    const { kubeletArgs, kernelDefaults } = this.k3sConfigFiles(call.distro);
    const cli: LocatedWord[] = [];
    for (let k = 0; k < call.words.length; k++) {
      const w = call.words[k];
      if (w.text === "--kubelet-arg" && call.words[k + 1]) cli.push({ word: { ...call.words[++k], text: `--${call.words[k].text}` }, location: call.location });
      else if (w.text.startsWith("--kubelet-arg=")) cli.push({ word: { ...w, text: `--${w.text.slice("--kubelet-arg=".length)}` }, location: call.location });
      else if (w.text === "--protect-kernel-defaults") kernelDefaults.push({ word: { ...w, text: "--protect-kernel-defaults=true" }, location: call.location });
    }
    // k3s pkg/util/args.go GetArgs: a kubelet-arg replaces k3s's own argument of that name, whatever the order,
    // so --protect-kernel-defaults (one of k3s's own) goes before every kubelet-arg; repeated kubelet-args keep their order.
    for (const { word, location } of [...kernelDefaults, ...kubeletArgs, ...cli]) {
      const last = commandLines[commandLines.length - 1];
      if (last.origin === "user" && last.location === location) last.words.push(word);
      else commandLines.push({ location, origin: "user", words: [word] });
    }
    const image = new Map<string, KubeletFileContent>([
      [
        `${dir}/00-${call.distro}-defaults.conf`,
        { kind: "hidden", reason: `is written by ${call.distro} itself, so its settings are not visible`, location: { source: own } },
      ],
    ]);
    return startKubelet(commandLines, this.fileSystem(image), this.limits, call.location);
  }

  /**
   * /etc/rancher/<distro>/config.yaml, then config.yaml.d/*.yaml|*.yml by name (k3s pkg/configfilearg parser.go
   * readConfigFile, dotDFiles): a key ending in `+` appends to the value so far, any other key replaces it; each
   * value becomes text (wrangler convert.ToString). A file k3s cannot read stops it.
   */
  private k3sConfigFiles(distro: string): { kubeletArgs: LocatedWord[]; kernelDefaults: LocatedWord[] } {
    const base = `/etc/rancher/${distro}/config.yaml`;
    const dropIns = `${base}.d/`;
    const paths = [base, ...[...this.files.keys()].filter((p) => p.startsWith(dropIns) && /^[^/]+\.ya?ml$/i.test(p.slice(dropIns.length))).sort()];
    let kubeletArgs: LocatedWord[] = [];
    let kernelDefaults: LocatedWord[] = [];
    for (const path of paths) {
      const file = this.files.get(path);
      if (!file) continue;
      const text = fileText(file.state);
      const location: Location = { ...file.location, line: undefined, file: path };
      if (text === undefined) {
        this.addUnverifiable(file.location, hiddenFileMessage(path, file.state, "none of the kubelet arguments in it can be checked"));
        continue;
      }
      const parsed = parseYamlDocuments(text, this.limits, { version: "1.1" });
      const doc = parsed.ok ? parsed.documents[0] : undefined;
      if (!parsed.ok || (doc && doc.value !== null && !isPlainObject(doc.value))) {
        this.problems.push({
          kind: "refuse",
          text: path,
          location: { ...file.location, file: path },
          origin: "user",
          message: `${distro} would not start: ${path} ${parsed.ok ? "is not a YAML mapping" : `cannot be parsed (${parsed.error})`}`,
        });
        continue;
      }
      if (!doc || !isPlainObject(doc.value)) continue;
      for (const [key, value] of Object.entries(doc.value)) {
        const name = key.endsWith("+") ? key.slice(0, -1) : key;
        if (name !== "kubelet-arg" && name !== "protect-kernel-defaults") continue;
        const items = Array.isArray(value) ? value : value === null ? [] : [value];
        const words: LocatedWord[] = [];
        items.forEach((item, i) => {
          const line = locateLine(file.state, doc.lineOf(Array.isArray(value) ? `${key}.${i}` : key) ?? 1, path)?.line;
          if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
            this.addUnverifiable({ ...location, line }, `${key} in ${path} has a value that is not text, so what ${distro} passes the kubelet is not visible`);
          } else if (name === "kubelet-arg") words.push({ word: { text: `--${String(item)}`, line }, location });
          // urfave/cli reads the bool flag with strconv.ParseBool
          else if (isTrue(parseGoBool(String(item)))) words.push({ word: { text: "--protect-kernel-defaults=true", line }, location });
        });
        if (name === "kubelet-arg") kubeletArgs = key.endsWith("+") ? [...kubeletArgs, ...words] : words;
        else kernelDefaults = key.endsWith("+") ? [...kernelDefaults, ...words] : words;
      }
    }
    return { kubeletArgs, kernelDefaults };
  }

  /** The exec line of the unit that runs the kubelet, as systemd builds it from the node's files (over the image's own). */
  private unitCommandLines(image?: { under: ReadonlyMap<string, VirtualFile>; over: ReadonlyMap<string, VirtualFile> }): KubeletUnit | undefined {
    // The image's files lie under what the user data writes; what a program writes at boot (kubeadm join) lies over it.
    const files = image ? new Map([...image.under, ...this.files, ...image.over]) : this.files;
    const unit = readKubeletUnit(files, (file) => file.writer ?? "user");
    for (const u of unit?.unverifiable ?? []) this.addUnverifiable(u.location, u.reason);
    for (const d of unit?.dropped ?? []) this.problems.push({ kind: "note", text: d.text, location: d.location, origin: "user", message: d.reason });
    // Kubelet flags in an environment file the unit never reads are written for nothing: say so.
    for (const path of unit ? ENV_FILES.filter((p) => !unit.environmentFiles.includes(p)) : []) {
      const file = this.files.get(path);
      if (!file || fileText(file.state) === undefined) continue;
      for (const v of readEnvironmentFile(file.state, path)) {
        if (!v.valid || !KUBELET_ARGS_VARIABLE.test(v.name)) continue;
        this.problems.push({
          kind: "note",
          text: v.name,
          location: v.location,
          origin: "user",
          message: `${v.name} is set in ${path}, which the kubelet's unit does not read, so these flags never reach the kubelet`,
        });
      }
    }
    return unit;
  }

  /**
   * AL2023: nodeadm writes config.json, and 40-nodeadm.conf in config.json.d
   * with --config-dir only when spec.kubelet.config is non-empty; its own
   * flags come first, spec.kubelet.flags after them.
   */
  private nodeadmSources(): KubeletSources {
    const commandLines: CommandLineSource[] = [];
    const dropIn: ConfigSource[] = [];
    const userFlags: CommandLineSource[] = [];
    for (const part of this.nodeadmParts) {
      const kubelet = part.doc.spec && isPlainObject(part.doc.spec) ? part.doc.spec.kubelet : undefined;
      if (!isPlainObject(kubelet)) continue;
      if (isPlainObject(kubelet.config) && Object.keys(kubelet.config).length) {
        dropIn.push({ location: part.location, origin: "user", doc: kubelet.config, locate: (path) => part.locate(`spec.kubelet.config.${path}`) });
      }
      if (Array.isArray(kubelet.flags)) {
        const flags: { text: string; line: number | undefined }[] = [];
        kubelet.flags.forEach((flag, index) => {
          const line = part.locate(`spec.kubelet.flags.${index}`)?.line;
          if (typeof flag !== "string")
            this.addUnverifiable({ ...part.location, line }, `spec.kubelet.flags[${index}] is not a string, so nodeadm rejects the NodeConfig`);
          else if (/[\n\r]/.test(flag))
            this.addUnverifiable(
              { ...part.location, line },
              `spec.kubelet.flags[${index}] has a line break, which ends nodeadm's NODEADM_KUBELET_ARGS line in /etc/eks/kubelet/environment; what the kubelet gets then is not modelled`,
            );
          else flags.push({ text: flag, line });
        });
        userFlags.push({ location: part.location, origin: "user", words: nodeadmFlagWords(flags) });
      }
    }
    const flags = [...NODEADM_FLAGS];
    const image = new Map<string, KubeletFileContent>([[NODEADM_KUBELET_CONFIG_PATH, { kind: "layers", layers: [NODEADM_CONFIG_SOURCE] }]]);
    if (dropIn.length) {
      flags.push(`--config-dir=${NODEADM_DROP_IN_DIR}`);
      // nodeadm merges the user's config over apiVersion/kind, so the drop-in always has its type.
      image.set(`${NODEADM_DROP_IN_DIR}/40-nodeadm.conf`, {
        kind: "layers",
        layers: [NODEADM_DROP_IN_TYPE_SOURCE, ...dropIn],
      });
    }
    commandLines.push({ location: { source: "nodeadm kubelet flags" }, origin: "platform", words: flags.map((text) => ({ text })) }, ...userFlags);
    return startKubelet(commandLines, this.fileSystem(image), this.limits, this.nodeadmParts[0].location);
  }

  /** A kubelet started by a unit, a command or kubeadm; defaults apply only where its whole configuration is visible. */
  private selfManagedSources(): KubeletSources {
    const image = new Map<string, KubeletFileContent>();
    const kubeadm = this.kubeadmCalls.length > 0;
    const unit = this.unitCommandLines(kubeadm ? this.kubeadmUnitFiles() : undefined);
    if (kubeadm) {
      const hidden: ConfigSource = {
        location: this.kubeadmCalls[0].location,
        origin: "platform",
        hidden: `kubeadm writes ${KUBEADM.configPath} from the cluster's kubelet configuration, which the user data does not show`,
      };
      const given = this.kubeadmKubeletConfiguration();
      image.set(KUBEADM.configPath, { kind: "layers", layers: given ? [hidden, given] : [hidden] });
    }
    let commandLines: CommandLineSource[];
    let launch: Location | undefined;
    if (unit) {
      commandLines = unit.execStart;
      launch = unit.execStart[0]?.location;
    } else if (this.kubeletCommands.length) {
      const command = this.kubeletCommands[this.kubeletCommands.length - 1];
      commandLines = [{ location: command.location, origin: "user", words: command.words }];
      launch = command.location;
    } else {
      // Kubelet files written with no visible launcher: only explicit values count.
      const written = [...this.files.values()].filter((f) => this.roleOf(f.path) === "kubelet-config" && hasContent(f.state));
      return {
        commandLines: this.envCommandLines(),
        base: "config-file",
        config: [
          { location: { source: "kubelet" }, origin: "platform", hidden: "how the kubelet is started is not visible" },
          ...written.flatMap((f) => this.configSources(f)),
        ],
      };
    }
    // `kubeadm init|join` writes its config file over whatever the user data put there before it ran.
    return startKubelet(commandLines, this.fileSystem(image, kubeadm ? new Set([KUBEADM.configPath]) : undefined), this.limits, launch);
  }

  /** A kubelet config file with structured (jq) edits as one config source; each field says who wrote it and where. */
  private configSources(file: VirtualFile): ConfigSource[] {
    const { state, path } = file;
    if (!hasContent(state)) return [];
    const text = fileText(state) ?? "";
    const parsed = parseYamlDocuments(text, this.limits, { version: "1.1" });
    if (!parsed.ok || parsed.documents.length !== 1 || !isPlainObject(parsed.documents[0].value)) {
      this.addUnverifiable(
        { ...file.location, file: path },
        `the kubelet config file ${path} cannot be parsed${parsed.ok ? " as one YAML or JSON object" : ` (${parsed.error})`}`,
      );
      return [];
    }
    const document = parsed.documents[0];
    const doc = applyEdits(document.value as PlainObject, state.edits);
    return [
      {
        location: { ...file.location, file: path },
        origin: file.writer ?? "user",
        doc,
        locate: (key) => {
          for (let k = state.edits.length - 1; k >= 0; k--) {
            const edited = state.edits[k].path.join(".");
            if (edited === key || key.startsWith(`${edited}.`)) return { ...state.edits[k].location, file: path, origin: "user" };
          }
          const line = document.lineOf(key);
          return line !== undefined ? locateLine(state, line, path) : undefined;
        },
      },
    ];
  }

  /** KUBELET_EXTRA_ARGS / KUBELET_ARGS from environment files the user data writes. */
  private envCommandLines(): CommandLineSource[] {
    const lines: CommandLineSource[] = [];
    for (const path of ENV_FILES) {
      const file = this.files.get(path);
      if (!file) continue;
      if (file.state.hidden) {
        this.addUnverifiable(file.location, hiddenFileMessage(path, file.state, "none of the kubelet flags in it can be checked"));
        continue;
      }
      for (const v of readEnvironmentFile(file.state, path)) {
        if (v.valid && KUBELET_ARGS_VARIABLE.test(v.name)) lines.push({ location: v.location, origin: "user", words: variableWords(v.value, v.location.line) });
        else if (!v.valid && KUBELET_ARGS_VARIABLE.test(v.name.replace(/^export\s+/, "")))
          this.problems.push({
            kind: "note",
            text: v.name,
            location: v.location,
            origin: "user",
            message: ignoredAssignment(path, v.name),
          });
      }
    }
    return lines;
  }

  /**
   * The kubeadm packages' unit and drop-in, and the kubeadm-flags.env that `kubeadm init|join` writes from
   * nodeRegistration.kubeletExtraArgs (a map in v1beta3, a list of {name, value} in v1beta4), each flag at
   * the line the user wrote it.
   */
  private kubeadmUnitFiles(): { under: Map<string, VirtualFile>; over: Map<string, VirtualFile> } {
    const files = new Map<string, VirtualFile>();
    const over = new Map<string, VirtualFile>();
    for (const [path, text] of Object.entries(KUBEADM.units)) {
      files.set(path, {
        path,
        writer: "platform",
        location: { source: "kubeadm packages" },
        state: {
          chunks: [{ text, origin: { source: `kubeadm packages ${path}`, firstLine: 1, exact: true, writer: "platform" } }],
          size: text.length,
          edits: [],
        },
      });
    }
    const words: ArgWord[] = [];
    let location: Location | undefined;
    for (const { location: where, doc, locate } of this.kubeadmDocuments()) {
      if (doc.kind !== "JoinConfiguration" && doc.kind !== "InitConfiguration") continue;
      const registration = doc.nodeRegistration;
      const extra = isPlainObject(registration) ? registration.kubeletExtraArgs : undefined;
      location ??= where;
      if (isPlainObject(extra)) {
        for (const [name, value] of Object.entries(extra))
          words.push({ text: `--${name}=${String(value)}`, line: locate(`nodeRegistration.kubeletExtraArgs.${name}`)?.line });
      } else if (Array.isArray(extra)) {
        extra.forEach((entry, index) => {
          if (isPlainObject(entry) && typeof entry.name === "string")
            words.push({ text: `--${entry.name}=${String(entry.value ?? "")}`, line: locate(`nodeRegistration.kubeletExtraArgs.${index}`)?.line });
        });
      }
    }
    if (location && words.length) {
      over.set(KUBEADM.flagsFile, {
        path: KUBEADM.flagsFile,
        writer: "user",
        location,
        state: { edits: [] },
        variables: { KUBELET_KUBEADM_ARGS: { words, location } },
      });
    }
    return { under: files, over };
  }

  private kubeadmKubeletConfiguration(): ConfigSource | undefined {
    const found = this.kubeadmDocuments().find(({ doc }) => doc.kind === "KubeletConfiguration");
    if (!found) return undefined;
    if (!this.kubeadmCalls.some((c) => c.args[0] === "init")) {
      // kubeadm join reads only the JoinConfiguration (cmd/kubeadm/app/util/config joinconfiguration.go warns "Ignored configuration document").
      this.problems.push({
        kind: "note",
        text: "KubeletConfiguration",
        location: found.locate("kind") ?? found.location,
        origin: "user",
        message:
          "kubeadm join ignores this KubeletConfiguration document: the kubelet gets the cluster's configuration (the kubelet-config ConfigMap written at kubeadm init) instead",
      });
      return undefined;
    }
    return { location: found.location, origin: "user", doc: found.doc, locate: found.locate };
  }

  private kubeadmDocuments(): KubeadmDocument[] {
    const result: KubeadmDocument[] = [...this.kubeadmConfigs];
    for (const call of this.kubeadmCalls) {
      const k = call.args.findIndex((a) => a === "--config" || a.startsWith("--config="));
      if (k === -1) continue;
      const path = call.args[k].includes("=") ? call.args[k].slice("--config=".length) : call.args[k + 1];
      const file = path ? this.files.get(path) : undefined;
      const text = file ? fileText(file.state) : undefined;
      if (!file || text === undefined) {
        if (path) this.addUnverifiable(call.location, `kubeadm reads ${path}, which the user data does not write visibly`);
        continue;
      }
      const parsed = parseYamlDocuments(text, this.limits, { version: "1.1" });
      if (!parsed.ok) {
        this.addUnverifiable(file.location, `the kubeadm config ${path} cannot be parsed (${parsed.error})`);
        continue;
      }
      for (const d of parsed.documents) {
        if (isPlainObject(d.value))
          result.push({
            location: { ...file.location, line: undefined, file: file.path },
            doc: d.value,
            locate: (p) => (d.lineOf(p) !== undefined ? locateLine(file.state, d.lineOf(p)!, path) : undefined),
          });
      }
    }
    return result;
  }

  roleOf(path: string, configPath?: string, kubeconfigPath?: string): FileRole | undefined {
    if (KUBELET_CONFIG_PATHS.has(path) || DROP_IN_DIR.test(path) || path === configPath) return "kubelet-config";
    if (KUBECONFIG_PATHS.has(path) || path === kubeconfigPath) return "kubeconfig";
    if (UNIT_FILE.test(path)) return "service";
    if (path === "/etc/kubernetes/pki/ca.crt") return "client-ca";
    return undefined;
  }

  /** Files whose permissions the rules check: the kubelet's own (its --config, drop-ins and --kubeconfig as it starts), and the well-known ones. */
  private nodeFiles(sources: KubeletSources | undefined): NodeFile[] {
    const files: NodeFile[] = [];
    for (const file of this.files.values()) {
      if (!file.mode && !file.owner) continue;
      const inDropIns = sources?.configDir !== undefined && file.path.startsWith(`${sources.configDir}/`);
      const role = inDropIns ? "kubelet-config" : this.roleOf(file.path, sources?.configPath, sources?.kubeconfigPath);
      if (role) files.push({ path: file.path, role, location: file.location, mode: file.mode, owner: file.owner });
    }
    return files;
  }
}

/** Whether the file's content is visible: written by the user data, or the image's own that the pack knows. */
function hasContent(state: FileState): boolean {
  return !state.hidden && state.chunks !== undefined;
}

/**
 * A word of a flags string; a shell expansion still in it was not resolved when the text was written. The
 * expansions are the tokenizer's: `${…}`, `$(…)`, `$NAME`, and the positional and special parameters
 * (`$1`, `$@`, `$#`…), which the script's shell knew and the pack does not.
 */
function flagWord(text: string, line: number | undefined): ArgWord {
  const pending: string[] = [];
  if (text.includes("$")) for (const m of text.matchAll(/\$(\{[^}]*\}|\([^)]*\)?|[A-Za-z_]\w*|[0-9@*#?$!-])/g)) pending.push(m[0]);
  return { text, line, unresolved: pending.length ? pending : undefined };
}

/** Words split at blanks, quotes kept: how the EKS Windows script and @pulumi/eks split a flags string. */
export function splitWhitespace(text: string, line: number | undefined): ArgWord[] {
  return text
    .split(/\s+/)
    .filter((w) => w !== "")
    .map((w) => flagWord(w, line));
}

/** A variable's value as systemd passes it for a `$VAR` word of the exec line: split at blanks, quotes removed. */
export function variableWords(value: string, line: number | undefined): ArgWord[] {
  return systemdWords(value, "variable").words.map((w) => flagWord(w, line));
}

/**
 * spec.kubelet.flags as the kubelet gets them: nodeadm joins its own flags and these with blanks into
 * NODEADM_KUBELET_ARGS in /etc/eks/kubelet/environment, unquoted (amazon-eks-ami
 * nodeadm/internal/kubelet/environment.go); systemd reads that line (a backslash takes the next character,
 * quotes stay) and splits `$NODEADM_KUBELET_ARGS` on the exec line (quotes removed). Each word keeps its
 * flag's line unless quotes or escapes join words across flags.
 */
function nodeadmFlagWords(flags: readonly { text: string; line: number | undefined }[]): ArgWord[] {
  // Without quotes, backslashes or blanks other than spaces, both steps only split at spaces.
  if (flags.every((f) => !/[\\'"\t]/.test(f.text))) return flags.flatMap((f) => f.text.split(" ").flatMap((w) => (w === "" ? [] : [flagWord(w, f.line)])));
  // nodeadm's own flags come first, so the user's text is never where a quoted value could start.
  const asRead = (text: string): string[] =>
    variableWords(parseEnvironmentFile(`NODEADM_KUBELET_ARGS=-${text}`)[0].value.slice(1), undefined).map((w) => w.text);
  const joined = asRead(flags.map((f) => f.text).join(" "));
  const perFlag = flags.flatMap((f) => asRead(f.text).map((text) => flagWord(text, f.line)));
  if (perFlag.length === joined.length && perFlag.every((w, i) => w.text === joined[i])) return perFlag;
  return joined.map((text) => flagWord(text, flags[0]?.line));
}

/** The assignments of an environment file as systemd reads it (./systemd-words.ts), with their locations. */
export function readEnvironmentFile(state: FileState, path: string): { name: string; value: string; valid: boolean; location: Location }[] {
  return parseEnvironmentFile(fileText(state) ?? "").map((a) => ({ ...a, location: locateLine(state, a.line, path) ?? { source: path } }));
}
