/**
 * Resources that carry user data in one or more properties: each property is
 * decoded and read in order into one node, as the node would run them.
 */
import { NodeBuilder } from "../boot/node-builder";
import { readUserData } from "../userdata/index";
import { DEFAULT_LIMITS } from "../userdata/limits";
import type { Adapter } from "./index";
import type { ResourceAnalysis } from "./resource-analysis";
import { isUnknown, pick } from "./props";

export interface UserDataField {
  /** Dotted property path. */
  path: string;
  encoding: "base64" | "plain";
  /** How messages name it. */
  source: string;
  /** Content type for text with no recognisable header (GCE startup scripts are shell). */
  plainTextType?: string;
}

export function readUserDataFields(
  props: Record<string, unknown>,
  fields: readonly UserDataField[],
  builder = new NodeBuilder(DEFAULT_LIMITS),
  /** What the platform runs after the user's data (Karpenter's own part). */
  after?: () => void,
): ResourceAnalysis {
  const unknown: string[] = [];
  // Data that cannot be decoded at all is reported whether or not it configures a kubelet: nobody can tell.
  const unreadable: ResourceAnalysis["unverifiable"] = [];
  for (const field of fields) {
    const value = pick(props, field.path);
    if (isUnknown(value)) {
      unknown.push(field.path);
      continue;
    }
    if (typeof value !== "string" || value === "") continue;
    unreadable.push(...readUserData(builder, { value, encoding: field.encoding, source: field.source, plainTextType: field.plainTextType }));
  }
  after?.();
  const node = builder.finish();
  return { nodes: node ? [node] : [], unknown, unverifiable: unreadable };
}

export function userDataAdapter(kind: string, types: readonly string[] | RegExp, fields: readonly UserDataField[]): Adapter {
  const matches = Array.isArray(types) ? (t: string) => types.includes(t) : (t: string) => (types as RegExp).test(t);
  const properties = [...new Set(fields.map((f) => f.path.split(".")[0]))];
  return { kind, matches, properties, analyze: (props) => readUserDataFields(props, fields) };
}
