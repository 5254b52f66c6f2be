/**
 * The effective kubelet view: kubelet defaults ⊕ --config file ⊕ --config-dir
 * drop-ins ⊕ command-line flags, in the kubelet's own order (server.go:
 * flags re-parsed over the loaded config, so explicit flags win; feature
 * gates merged per key). Every value carries its provenance. A setting
 * nobody set visibly is a default only when the whole configuration is
 * visible; otherwise it is unknown.
 */
import { parseKubeletArgs, type ArgWord, type CommandLineProblem, type FlagAssignment } from "./cmdline";
import { formatValue, getPath, readConfigValue, type PlainObject } from "./config";
import type { Location, Origin, Provenance } from "./provenance";
import { GATE_DEFAULTS, TRACKED_SETTINGS, type SettingSpec, type SettingValue } from "./settings";

export interface CommandLineSource {
  location: Location;
  origin: Origin;
  words: ArgWord[];
}

export interface ConfigSource {
  location: Location;
  origin: Origin;
  doc: PlainObject;
  /** Where a dotted field path was written, when known. */
  locate?: (path: string) => Location | undefined;
  /** Settings written in a platform's own terms (a cloud API field, a Bottlerocket key): where, text and fix per setting. */
  fields?: Record<string, { source?: string; text: string; fix: string }>;
}

export interface KubeletSources {
  /** Flag sources in command-line order. */
  commandLines: CommandLineSource[];
  /** The --config file first (when visible), then drop-ins in the order the kubelet applies them. */
  configs: ConfigSource[];
  /** True when the complete --config file is in `configs`, or the kubelet runs on flags alone. */
  configVisible: boolean;
  /** Why unset settings are unknown when the config is not visible. */
  hiddenConfigReason?: string;
  /** True when the kubelet reads a config file even though no --config flag is visible (platform units). */
  usesConfigFile?: boolean;
  /** Where the kubelet is started, for settings left at their defaults. */
  launch?: Location;
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
  /** Per feature gate, the last visible source that set it. */
  gates: ReadonlyMap<string, KnownSetting | UnknownSetting>;
  problems: LocatedProblem[];
  /** Flags the table does not know: kept, never interpreted. */
  unknownFlags: (FlagAssignment & { location: Location })[];
}

const flagProvenance = (source: CommandLineSource, a: FlagAssignment): Provenance => ({
  ...source.location,
  line: a.line ?? source.location.line,
  origin: source.origin,
  form: "flag",
  text: a.text,
});

function configProvenance(source: ConfigSource, spec: SettingSpec, value: unknown, key = spec.configPath!): Provenance {
  const field = source.fields?.[spec.name];
  if (field) {
    const location = { ...source.location, ...source.locate?.(key) };
    return { ...location, source: field.source ?? location.source, origin: source.origin, form: "field", text: field.text, fieldFix: field.fix };
  }
  return {
    ...source.location,
    ...source.locate?.(key),
    origin: source.origin,
    form: source.origin === "kubelet-default" ? "default" : "config",
    text: `${key}: ${formatValue(value)}`,
  };
}

export function computeEffectiveView(sources: KubeletSources): EffectiveView {
  const problems: LocatedProblem[] = [];
  const unknownFlags: EffectiveView["unknownFlags"] = [];
  const flags: { source: CommandLineSource; assignment: FlagAssignment }[] = [];
  for (const source of sources.commandLines) {
    const parsed = parseKubeletArgs(source.words);
    for (const p of parsed.problems) problems.push({ ...p, line: p.line ?? source.location.line, location: source.location, origin: source.origin });
    for (const a of parsed.assignments) {
      if (a.unknown) unknownFlags.push({ ...a, location: source.location });
      else flags.push({ source, assignment: a });
    }
  }
  const usesConfig =
    sources.configs.length > 0 || sources.usesConfigFile === true || flags.some((f) => f.assignment.name === "config" || f.assignment.name === "config-dir");
  const mode = usesConfig ? "config-file" : "flags-only";
  const defaultsKnown = mode === "flags-only" || sources.configVisible;
  const hiddenReason = sources.hiddenConfigReason ?? "the kubelet reads a config file whose content is not visible";

  const settings = new Map<string, EffectiveSetting>();
  const gates = new Map<string, EffectiveSetting>();
  for (const spec of TRACKED_SETTINGS) {
    let current: EffectiveSetting | undefined;
    for (const source of sources.configs) {
      if (!spec.configPath) continue;
      const raw = getPath(source.doc, spec.configPath);
      const read = readConfigValue(spec, raw);
      if (!read) continue;
      const provenance = configProvenance(source, spec, raw);
      if (!read.ok) {
        problems.push({
          name: spec.name,
          text: provenance.text,
          line: provenance.line,
          kind: "refuse",
          message: `the kubelet would refuse to start: ${read.error}`,
          location: provenance,
          origin: source.origin,
        });
        continue;
      }
      if (spec.kind === "gateMap") {
        for (const [gate, enabled] of Object.entries(read.value as Record<string, boolean>)) {
          gates.set(gate, { state: "known", value: enabled, provenance: configProvenance(source, spec, enabled, `featureGates.${gate}`) });
        }
      }
      current = { state: "known", value: read.value, provenance };
    }
    let flagListStarted = false;
    for (const { source, assignment } of flags) {
      if (assignment.name !== spec.name) continue;
      const provenance = flagProvenance(source, assignment);
      if (assignment.value === undefined) {
        current = {
          state: "unknown",
          reason: `${assignment.text} depends on ${assignment.unresolved?.join(", ") ?? "a value"} that is not visible`,
          provenance,
        };
        continue;
      }
      let value = assignment.value;
      if (spec.kind === "stringList" && flagListStarted && current?.state === "known") value = [...(current.value as string[]), ...(value as string[])];
      if (spec.kind === "gateMap") {
        for (const [gate, enabled] of Object.entries(value as Record<string, boolean>)) gates.set(gate, { state: "known", value: enabled, provenance });
        value = { ...(current?.state === "known" ? (current.value as Record<string, boolean>) : {}), ...(value as Record<string, boolean>) };
      }
      flagListStarted = true;
      current = { state: "known", value, provenance };
    }
    if (!current) {
      const value = mode === "flags-only" ? spec.defaults!.flagsOnly : spec.defaults!.configFile;
      current = defaultsKnown
        ? {
            state: "known",
            value,
            provenance: {
              ...(sources.launch ?? { source: "kubelet defaults" }),
              origin: "kubelet-default",
              form: "default",
              text:
                mode === "flags-only"
                  ? `--${spec.name} not set (kubelet default ${formatValue(value)} without a config file)`
                  : `${spec.configPath ?? `--${spec.name}`} not set (kubelet default ${formatValue(value)})`,
            },
          }
        : { state: "unknown", reason: hiddenReason };
    }
    settings.set(spec.name, current);
  }
  for (const [gate, enabled] of Object.entries(GATE_DEFAULTS)) {
    if (gates.has(gate)) continue;
    gates.set(
      gate,
      defaultsKnown
        ? {
            state: "known",
            value: enabled,
            provenance: {
              ...(sources.launch ?? { source: "kubelet defaults" }),
              origin: "kubelet-default",
              form: "default",
              text: `feature gate ${gate} not set (default ${enabled})`,
            },
          }
        : { state: "unknown", reason: hiddenReason },
    );
  }
  return { mode, settings, gates, problems, unknownFlags };
}
