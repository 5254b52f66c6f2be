/**
 * The effective kubelet view, computed the way cmd/kubelet/app/server.go
 * starts the kubelet: the base (legacy flag defaults with no --config, or
 * the --config file decoded and defaulted), then the --config-dir drop-ins
 * merged as JSON merge patches and defaulted again, then the command-line
 * flags re-applied over the result (flags win; feature gates merge per
 * key). Then the checks that make the kubelet exit. Every value carries its
 * provenance; a value that no visible source decides is unknown.
 */
import { parseKubeletArgs, type ArgWord, type CommandLineProblem, type FlagAssignment, type ParsedCommandLine } from "./cmdline";
import { formatValue, holdsUnresolved, readConfigValue, UNRESOLVED_MARK, type PlainObject } from "./config";
import type { Location, Origin, Provenance } from "./provenance";
import { FEATURE_GATES, GATE_DEFAULTS, KNOWN_CIPHERS, TRACKED_SETTINGS, type SettingSpec, type SettingValue } from "./settings";
import { parseGoDuration } from "./values";

export interface CommandLineSource {
  location: Location;
  origin: Origin;
  words: ArgWord[];
}

export interface ConfigSource {
  location: Location;
  origin: Origin;
  /** The document's fields; absent when the document is not visible (then `hidden` says why). */
  doc?: PlainObject;
  hidden?: string;
  /** Where a dotted field path was written, and by whom when that differs by field, when known. */
  locate?: (path: string) => (Location & { origin?: Origin }) | undefined;
  /** Settings written in a platform's own terms (a cloud API field, a Bottlerocket key): where, text and fix per setting. */
  fields?: Record<string, { source?: string; text: string; fix: string }>;
}

export interface KubeletSources {
  /** The kubelet's argv after the program name, as sources in order. */
  commandLines: CommandLineSource[];
  /** "legacy": no --config, so the legacy flag defaults (options.go applyLegacyDefaults); "config-file": the v1beta1 defaults. */
  base: "legacy" | "config-file";
  /** The --config file's layers in order (the image's content, then edits), merged into one document. */
  config: ConfigSource[];
  /** --config-dir drop-ins in the order the kubelet merges them; present (maybe empty) when --config-dir is given. */
  dropIns?: ConfigSource[];
  /** Problems found while resolving the files (a drop-in without apiVersion/kind, an unreadable config file). */
  problems?: LocatedProblem[];
  /** Where the kubelet is started, for settings left at their defaults. */
  launch?: Location;
  /** The files the command line names, resolved: --config, --config-dir, --kubeconfig. */
  configPath?: string;
  configDir?: string;
  kubeconfigPath?: string;
}

export interface KnownSetting {
  state: "known";
  value: SettingValue;
  provenance: Provenance;
}
export interface UnknownSetting {
  state: "unknown";
  reason: string;
  /** Present when a visible source tried to set it (with something unresolvable). */
  provenance?: Provenance;
}
export type EffectiveSetting = KnownSetting | UnknownSetting;

export interface LocatedProblem extends CommandLineProblem {
  location: Location;
  origin: Origin;
}

export interface EffectiveView {
  mode: "flags-only" | "config-file";
  settings: ReadonlyMap<string, EffectiveSetting>;
  /** Per feature gate the rules read, its effective value. */
  gates: ReadonlyMap<string, EffectiveSetting>;
  /** Refusals (the kubelet would exit; the first is the one it reports) and values that are not visible. */
  problems: LocatedProblem[];
}

/** A provenance at a location, built field by field: object spread over locations of several shapes is slow. */
function provenanceAt(location: Location, origin: Origin, form: Provenance["form"], text: string, line = location.line): Provenance {
  const p: Provenance = { source: location.source, origin, form, text };
  if (line !== undefined) p.line = line;
  if (location.file !== undefined) p.file = location.file;
  return p;
}

const flagProvenance = (source: CommandLineSource, a: FlagAssignment): Provenance =>
  provenanceAt(source.location, source.origin, "flag", a.text, a.line ?? source.location.line);

function configProvenance(source: ConfigSource, spec: SettingSpec, value: unknown, key = spec.configPath!, note = ""): Provenance {
  const located = source.locate?.(key);
  const where = located
    ? { source: located.source ?? source.location.source, line: located.line ?? source.location.line, file: located.file ?? source.location.file }
    : source.location;
  const field = source.fields?.[spec.name];
  if (field) {
    const provenance = provenanceAt({ ...where, source: field.source ?? where.source }, source.origin, "field", field.text);
    provenance.fieldFix = field.fix;
    return provenance;
  }
  const origin = located?.origin ?? source.origin;
  return provenanceAt(where, origin, origin === "kubelet-default" ? "default" : "config", `${key}: ${formatValue(value)}${note}`);
}

/** A field's state in a merge-patch document: absent, removed (null on its path), or set. */
type Lookup = { state: "absent" } | { state: "removed"; key: string } | { state: "set"; raw: unknown };
const ABSENT: Lookup = { state: "absent" };

/** Each config path's keys, split once: every start-up looks up every setting in every document. */
const PATH_KEYS = new Map<string, string[]>();

function lookup(doc: PlainObject, path: string): Lookup {
  let node: unknown = doc;
  let keys = PATH_KEYS.get(path);
  if (!keys) PATH_KEYS.set(path, (keys = path.split(".")));
  for (let i = 0; i < keys.length; i++) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, keys[i])) return ABSENT;
    node = (node as PlainObject)[keys[i]];
    if (node === null) return { state: "removed", key: keys.slice(0, i + 1).join(".") };
  }
  return { state: "set", raw: node };
}

const ZERO: Record<SettingSpec["kind"], SettingValue> = { bool: false, int32: 0, int64: 0, level: 0, duration: "0s", string: "", stringList: [], gateMap: {} };

/** Whether the v1beta1 defaulter replaces this decoded value (defaults.go). */
function defaulterReplaces(spec: SettingSpec, value: SettingValue): boolean {
  switch (spec.defaulted) {
    case "zero":
      if (spec.kind === "duration") {
        const d = parseGoDuration(String(value));
        return d.ok && d.value === 0;
      }
      return value === "";
    case "negative":
      return typeof value === "number" && value < 0;
    default:
      return false;
  }
}

interface Layering {
  spec: SettingSpec;
  launch?: Location;
  problems: LocatedProblem[];
}

const KUBELET_DEFAULTS: Location = { source: "kubelet defaults" };

/** What a setting left at its default says, per base, written once: every start-up needs all of them. */
const DEFAULT_TEXTS = new Map(
  TRACKED_SETTINGS.filter((spec) => spec.defaults).map((spec) => [
    spec.name,
    {
      flagsOnly: `--${spec.name} not set (kubelet default ${formatValue(spec.defaults!.flagsOnly)} without a config file)`,
      configFile: `${spec.configPath ?? `--${spec.name}`} not set (kubelet default ${formatValue(spec.defaults!.configFile)})`,
    },
  ]),
);

function defaultSetting(l: Layering, text: string, value: SettingValue): KnownSetting {
  return { state: "known", value, provenance: provenanceAt(l.launch ?? KUBELET_DEFAULTS, "kubelet-default", "default", text) };
}

/**
 * One document's value for the setting, after the decoder and the defaulter:
 * undefined when the document does not mention it.
 */
function fromDocument(l: Layering, source: ConfigSource, dropIn: boolean): EffectiveSetting | undefined {
  const { spec } = l;
  if (source.hidden !== undefined) return { state: "unknown", reason: source.hidden };
  const found = lookup(source.doc ?? {}, spec.configPath!);
  if (found.state === "absent" || (found.state === "set" && found.raw === undefined)) return undefined;
  const configDefault = spec.defaults!.configFile;
  if (found.state === "removed" && !dropIn && spec.kind === "duration") {
    // metav1.Duration decodes null as "" and time.ParseDuration rejects it; in a drop-in, merge patch removes the key instead.
    return { state: "unknown", reason: 'refused: time: invalid duration ""', provenance: configProvenance(source, spec, null, found.key) };
  }
  if (found.state === "removed") {
    // null decodes as the zero value (nil for pointer fields), which the defaulter may replace.
    const value = spec.defaulted ? configDefault : ZERO[spec.kind];
    return {
      state: "known",
      value,
      provenance: configProvenance(source, spec, null, found.key, spec.defaulted ? ` (the kubelet uses its default ${formatValue(value)})` : ""),
    };
  }
  // A value the boot writes from a command's output or a variable it cannot resolve may be anything the decoder takes.
  if (holdsUnresolved(found.raw))
    return { state: "unknown", reason: `${spec.configPath} is written from a value known only at boot`, provenance: configProvenance(source, spec, found.raw) };
  const read = readConfigValue(spec, found.raw);
  if (!read || !read.ok) {
    const provenance = configProvenance(source, spec, found.raw);
    const error = read && !read.ok ? read.error : "unreadable value";
    return { state: "unknown", reason: `refused: ${error}`, provenance };
  }
  if (defaulterReplaces(spec, read.value)) {
    return {
      state: "known",
      value: configDefault,
      provenance: configProvenance(
        source,
        spec,
        found.raw,
        undefined,
        ` (the kubelet replaces ${formatValue(found.raw)} with its default ${formatValue(configDefault)})`,
      ),
    };
  }
  return { state: "known", value: read.value, provenance: configProvenance(source, spec, read.value) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) for (const v of Object.values(Object.freeze(value))) deepFreeze(v);
  return value;
}

/** A config file of the image, the same on every node: frozen (a copy of `doc`), so views share its decoded values. */
export function imageConfigSource(source: string, doc: PlainObject): ConfigSource {
  return Object.freeze({ location: Object.freeze({ source }), origin: "platform" as const, doc: deepFreeze(structuredClone(doc)) });
}

/**
 * A frozen source is image data, the same on every node (nodeadm's own config.json): what it says about each
 * setting, as a config file [0] or a drop-in [1], is decoded once and shared, as nothing changes a view.
 */
const imageValues = new WeakMap<ConfigSource, [Map<SettingSpec, EffectiveSetting | undefined>, Map<SettingSpec, EffectiveSetting | undefined>]>();

function imageSourceValue(l: Layering, source: ConfigSource, dropIn: boolean): EffectiveSetting | undefined {
  let values = imageValues.get(source);
  if (!values) imageValues.set(source, (values = [new Map(), new Map()]));
  const byRole = values[dropIn ? 1 : 0];
  if (byRole.has(l.spec)) return byRole.get(l.spec);
  const value = fromDocument(l, source, dropIn);
  byRole.set(l.spec, value);
  return value;
}

/** The value a layered document sequence leaves; a type error in the final value stops the kubelet. */
function layer(l: Layering, sources: readonly ConfigSource[], start: EffectiveSetting | undefined, what: string, dropIn = false): EffectiveSetting | undefined {
  let current = start;
  for (const source of sources) current = (Object.isFrozen(source) ? imageSourceValue(l, source, dropIn) : fromDocument(l, source, dropIn)) ?? current;
  if (current?.state === "unknown" && current.reason.startsWith("refused: ") && current.provenance)
    l.problems.push(decodeRefusal(l.spec.name, current.provenance, what, current.reason.slice("refused: ".length)));
  return current;
}

function decodeRefusal(name: string, provenance: Provenance, what: string, error: string): LocatedProblem {
  return {
    name,
    text: provenance.text,
    line: provenance.line,
    kind: "refuse",
    message: `the kubelet would refuse to start: ${what} cannot be decoded: ${error}`,
    location: provenance,
    origin: provenance.origin,
  };
}

export function computeEffectiveView(sources: KubeletSources): EffectiveView {
  const problems: LocatedProblem[] = [...(sources.problems ?? [])];
  const flags: { source: CommandLineSource; assignment: FlagAssignment }[] = [];
  const refusals: LocatedProblem[] = [];
  const parsed = parseCommandLines(sources.commandLines);
  for (const p of parsed.problems) {
    const source = sources.commandLines[p.source!];
    refusals.push({ ...p, line: p.line ?? source.location.line, location: source.location, origin: source.origin });
  }
  for (const a of parsed.assignments) flags.push({ source: sources.commandLines[a.source!], assignment: a });
  // pflag stops at the first parse error; stray words are reported after parsing: across sources, parse errors first.
  const parseErrors = refusals.filter((p) => !p.message.includes("unknown command"));
  problems.unshift(...parseErrors, ...refusals.filter((p) => p.message.includes("unknown command")), ...exitsEarly(flags, sources));
  const mode = sources.base === "legacy" && !sources.dropIns ? "flags-only" : "config-file";

  const settings = new Map<string, EffectiveSetting>();
  const gateValues = new Map<string, EffectiveSetting>();
  const base = sources.base === "legacy" ? "flagsOnly" : "configFile";
  for (const spec of TRACKED_SETTINGS) {
    const l: Layering = { spec, launch: sources.launch, problems };
    if (spec.kind === "gateMap") {
      layerGates(sources, gateValues, problems);
      continue;
    }
    let current: EffectiveSetting | undefined;
    if (spec.configPath) {
      current = layer(l, sources.config, undefined, "the config file");
      if (sources.dropIns) current = layer(l, sources.dropIns, current, "the merged drop-in configuration", true);
    }
    // The default, made only for a setting no document names.
    current ??= defaultSetting(l, DEFAULT_TEXTS.get(spec.name)![base], spec.defaults![base]);
    settings.set(spec.name, applyFlags(spec, flags, current));
  }
  for (const { source, assignment } of flags) {
    if (assignment.name !== "feature-gates") continue;
    if (assignment.value === undefined) {
      for (const gate of Object.keys(GATE_DEFAULTS)) gateValues.set(gate, unresolvedFlag(source, assignment));
      continue;
    }
    for (const [gate, enabled] of Object.entries(assignment.value as Record<string, boolean>))
      gateValues.set(gate, { state: "known", value: enabled, provenance: flagProvenance(source, assignment) });
  }
  for (const { source, assignment } of flags) {
    if (assignment.name === "*") for (const gate of Object.keys(GATE_DEFAULTS)) gateValues.set(gate, unresolvedFlag(source, assignment));
  }
  const gates = new Map<string, EffectiveSetting>();
  for (const [gate, enabled] of Object.entries(GATE_DEFAULTS)) {
    gates.set(
      gate,
      gateValues.get(gate) ?? {
        state: "known",
        value: enabled,
        provenance: provenanceAt(sources.launch ?? KUBELET_DEFAULTS, "kubelet-default", "default", `feature gate ${gate} not set (default ${enabled})`),
      },
    );
  }
  validate(settings, gateValues, gates, problems);
  return { mode, settings, gates, problems };
}

/**
 * server.go RunE: `--help` prints the usage and `--version` the version, and the kubelet exits; and the
 * second pass over the flags (kubeletConfigFlagPrecedence, used with --config or --config-dir) does not
 * define `help`, so any `--help`, even `--help=false`, stops it there.
 */
function exitsEarly(flags: readonly { source: CommandLineSource; assignment: FlagAssignment }[], sources: KubeletSources): LocatedProblem[] {
  const exit = (flag: { source: CommandLineSource; assignment: FlagAssignment }, why: string): LocatedProblem => ({
    name: undefined,
    text: flag.assignment.text,
    line: flag.assignment.line ?? flag.source.location.line,
    kind: "refuse",
    message: `the kubelet would not start: ${why}`,
    location: flag.source.location,
    origin: flag.source.origin,
  });
  const help = flags.filter((f) => f.assignment.name === "help");
  const version = flags.filter((f) => f.assignment.name === "version");
  const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];
  const helpValue = last(help);
  if (helpValue && helpValue.assignment.value === true) return [exit(helpValue, `${helpValue.assignment.text} prints its usage and exits`)];
  const versionValue = last(version);
  if (versionValue && versionValue.assignment.value !== false && versionValue.assignment.value !== "false")
    return [exit(versionValue, `${versionValue.assignment.text} prints its version and exits`)];
  if (help.length && (sources.base === "config-file" || sources.dropIns))
    return [
      exit(
        help[0],
        `with --config or --config-dir the kubelet parses its flags a second time without a help flag, so ${help[0].assignment.text} stops it (pflag: help requested)`,
      ),
    ];
  return [];
}

function unresolvedFlag(source: CommandLineSource, a: FlagAssignment): UnknownSetting {
  const hidden = a.unresolved?.join(", ");
  return {
    state: "unknown",
    // A word that is all expansion ($EXTRA) is itself what is not visible.
    reason: hidden === a.text ? `${a.text} is not visible` : `${a.text} depends on ${hidden ?? "a value"} that is not visible`,
    provenance: flagProvenance(source, a),
  };
}

/** kubeletConfigFlagPrecedence: every flag on the command line is set again over the loaded configuration. */
function applyFlags(spec: SettingSpec, flags: readonly { source: CommandLineSource; assignment: FlagAssignment }[], start: EffectiveSetting): EffectiveSetting {
  if (spec.flagOrConfig) {
    // The kubelet runs with the flag OR the config field: a config true stands; otherwise the last flag given, if any.
    if (start.state === "known" && start.value === true) return start;
    const given = flags.filter((f) => f.assignment.name === spec.name || f.assignment.name === "*");
    return given.length ? applyFlags({ ...spec, flagOrConfig: false }, given, start) : start;
  }
  let current = start;
  let listStarted = false;
  for (const { source, assignment } of flags) {
    if (assignment.name === "*") {
      current = unresolvedFlag(source, assignment);
      continue;
    }
    if (assignment.name !== spec.name) continue;
    if (assignment.value === undefined) {
      current = unresolvedFlag(source, assignment);
      continue;
    }
    let value = assignment.value;
    // pflag StringSlice: the first occurrence replaces the value, later ones append.
    if (spec.kind === "stringList" && listStarted && current.state === "known") value = [...(current.value as string[]), ...(value as string[])];
    listStarted = true;
    current = { state: "known", value, provenance: flagProvenance(source, assignment) };
  }
  return current;
}

/**
 * featureGates maps merge key by key across the config file and drop-ins (merge patch; null removes a key).
 * A featureGates that is not a map stops the decoder, which reads the config file, then the merged drop-ins,
 * each once when it is complete: a later layer that writes a map starts it afresh.
 */
function layerGates(sources: KubeletSources, gateValues: Map<string, EffectiveSetting>, problems: LocatedProblem[]): void {
  const spec = TRACKED_SETTINGS.find((s) => s.kind === "gateMap")!;
  const phases: [readonly ConfigSource[], string, boolean][] = [
    [sources.config, "the config file", false],
    [sources.dropIns ?? [], "the merged drop-in configuration", true],
  ];
  for (const [layers, what, dropIn] of phases) {
    let notAMap: { raw: unknown; provenance: Provenance } | undefined;
    const setHere = new Set<string>();
    for (const source of layers) {
      if (source.hidden !== undefined) {
        for (const gate of Object.keys(GATE_DEFAULTS)) gateValues.set(gate, { state: "unknown", reason: source.hidden });
        continue;
      }
      const found = lookup(source.doc ?? {}, spec.configPath!);
      if (found.state === "absent" || (found.state === "set" && found.raw === undefined)) continue;
      const map = found.state === "set" && typeof found.raw === "object" && found.raw !== null && !Array.isArray(found.raw);
      if (!map || notAMap) gateValues.clear();
      notAMap = undefined;
      if (found.state === "removed") continue;
      if (!map) {
        notAMap = { raw: found.raw, provenance: configProvenance(source, spec, found.raw) };
        continue;
      }
      for (const [gate, raw] of Object.entries(found.raw as PlainObject)) {
        setHere.add(gate);
        // In a drop-in, merge patch removes a null key; the config file's decoder gives the map entry bool's zero value.
        if (raw === null && dropIn) gateValues.delete(gate);
        else if (raw === null) gateValues.set(gate, { state: "known", value: false, provenance: configProvenance(source, spec, raw, `featureGates.${gate}`) });
        else if (typeof raw === "boolean")
          gateValues.set(gate, { state: "known", value: raw, provenance: configProvenance(source, spec, raw, `featureGates.${gate}`) });
        else
          gateValues.set(gate, {
            state: "unknown",
            reason: `refused: featureGates.${gate} must be a boolean, not ${JSON.stringify(raw)}`,
            provenance: configProvenance(source, spec, raw, `featureGates.${gate}`),
          });
      }
    }
    // The defaulter that runs on each decoded phase panics on a gate featuregate.SetFromMap rejects (defaults.go).
    for (const gate of setHere) {
      const s = gateValues.get(gate);
      const why = s && gateRefusal(gate, s);
      if (why) refuse(problems, s, "feature-gates", why);
    }
    if (notAMap)
      problems.push(
        decodeRefusal(spec.name, notAMap.provenance, what, `featureGates must be a map of gate names to booleans, not ${JSON.stringify(notAMap.raw)}`),
      );
  }
}

/** Why featuregate SetFromMap (or the decoder before it) rejects a gate's value, if it does. */
function gateRefusal(gate: string, s: EffectiveSetting): string | undefined {
  if (s.state === "unknown") return s.reason.startsWith("refused: ") && s.provenance ? s.reason.slice("refused: ".length) : undefined;
  const known = FEATURE_GATES[gate];
  if (!known) return `unrecognized feature gate: ${gate}`;
  if (known.locked && s.value !== known.default) return `cannot set feature gate ${gate} to ${String(s.value)}, feature is locked to ${String(known.default)}`;
  return undefined;
}

function refuse(problems: LocatedProblem[], setting: KnownSetting | UnknownSetting, name: string, message: string): void {
  const provenance = setting.provenance ?? { source: "kubelet", origin: "platform" as const, form: "default" as const, text: name };
  problems.push({
    name,
    text: provenance.text,
    line: provenance.line,
    kind: "refuse",
    message: `the kubelet would refuse to start: ${message}`,
    location: provenance,
    origin: provenance.origin,
  });
}

/**
 * The start-up checks that make the kubelet exit, in its order: feature gates
 * (featuregate SetFromMap), pkg/kubelet/apis/config/validation/validation.go,
 * then in Run the cipher names (server.go InitializeTLS) and the authorization
 * mode (auth.go BuildAuthz: exactly AlwaysAllow or Webhook, not a list).
 */
function validate(
  settings: ReadonlyMap<string, EffectiveSetting>,
  gateValues: ReadonlyMap<string, EffectiveSetting>,
  gates: ReadonlyMap<string, EffectiveSetting>,
  problems: LocatedProblem[],
): void {
  // Gates from the config file and drop-ins were checked as each was decoded; the flags' are checked now.
  for (const [gate, s] of gateValues) {
    const why = s.provenance?.form === "flag" ? gateRefusal(gate, s) : undefined;
    if (why) refuse(problems, s, "feature-gates", why);
  }
  const get = (name: string): KnownSetting | undefined => {
    const s = settings.get(name);
    return s?.state === "known" ? s : undefined;
  };
  const qps = get("event-qps");
  if (qps && (qps.value as number) < 0) refuse(problems, qps, "event-qps", `eventRecordQPS (--event-qps) ${String(qps.value)} must not be a negative number`);
  const port = get("read-only-port");
  if (port && port.value !== 0 && ((port.value as number) < 1 || (port.value as number) > 65535))
    refuse(problems, port, "read-only-port", `readOnlyPort (--read-only-port) ${String(port.value)} must be between 0 and 65535, inclusive`);
  const bootstrap = get("rotate-server-certificates");
  const gate = gates.get("RotateKubeletServerCertificate");
  if (bootstrap?.value === true && gate?.state === "known" && gate.value === false)
    refuse(
      problems,
      gate,
      "feature-gates",
      `${gate.provenance.text} turns off the RotateKubeletServerCertificate gate that serverTLSBootstrap (--rotate-server-certificates) requires`,
    );
  const ciphers = get("tls-cipher-suites");
  const unknownCipher = ciphers && (ciphers.value as string[]).find((c) => !KNOWN_CIPHERS.has(c));
  if (ciphers && unknownCipher !== undefined) refuse(problems, ciphers, "tls-cipher-suites", `Cipher suite ${unknownCipher} not supported or doesn't exist`);
  const mode = get("authorization-mode");
  if (mode && mode.value !== "AlwaysAllow" && mode.value !== "Webhook")
    refuse(problems, mode, "authorization-mode", mode.value === "" ? "no authorization mode specified" : `unknown authorization mode ${String(mode.value)}`);
}

/**
 * The kubelet's argv parsed as one: a flag's value may come from the next source (a unit line, then a
 * variable). Start-up reads --config from it and the view every flag, so it is parsed once per set of
 * command lines, which nothing changes after the kubelet starts.
 */
const parsedArgv = new WeakMap<readonly CommandLineSource[], ParsedCommandLine>();

export function parseCommandLines(lines: readonly CommandLineSource[]): ParsedCommandLine {
  let parsed = parsedArgv.get(lines);
  if (!parsed) parsedArgv.set(lines, (parsed = parseKubeletArgs(joinedArgv(lines))));
  return parsed;
}

/** The kubelet's argv from its sources, each word tagged with the source it came from. */
function joinedArgv(lines: readonly CommandLineSource[]): ArgWord[] {
  const argv: ArgWord[] = [];
  lines.forEach((line, source) => {
    for (const w of line.words) {
      const word: ArgWord = { text: w.text, source };
      if (w.line !== undefined) word.line = w.line;
      if (w.unresolved !== undefined) word.unresolved = w.unresolved;
      // Text a script wrote from an expansion known only at boot (a unit file from a here-document, say).
      else if (w.text.includes(UNRESOLVED_MARK)) word.unresolved = [UNRESOLVED_MARK];
      argv.push(word);
    }
  });
  return argv;
}

/** The refusal the kubelet reports first, if it would not start. */
export function refusalOf(view: EffectiveView): LocatedProblem | undefined {
  for (const problem of view.problems) if (problem.kind === "refuse") return problem;
  return undefined;
}
