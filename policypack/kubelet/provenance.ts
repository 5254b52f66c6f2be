/** Where a kubelet setting came from, in terms a person can act on. */

export type Origin = "kubelet-default" | "platform" | "user";

/** How the setting was written: a command-line flag, a config-file field, a kubelet default, or a cloud API field. */
export type Form = "flag" | "config" | "default" | "field";

export interface Location {
  /** The document a person opens: "user data part 1 (text/x-shellscript)", "nodePools[1].nodeConfig.kubeletConfig". */
  source: string;
  /** 1-based line inside that document. */
  line?: number;
  /** The node file the text ends up in, when it is written to one. */
  file?: string;
}

export interface Provenance extends Location {
  origin: Origin;
  form: Form;
  /** The exact setting text: `--read-only-port=10255`, `readOnlyPort: 10255`. Never other user text. */
  text: string;
  /** For `field` provenance: how to fix it in that API's own terms. */
  fieldFix?: string;
}

export function describeLocation(loc: Location): string {
  let text = loc.source;
  if (loc.line !== undefined) text += ` line ${loc.line}`;
  if (loc.file) text += ` (${loc.file})`;
  return text;
}
