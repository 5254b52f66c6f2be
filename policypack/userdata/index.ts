/**
 * User data to a node model: decode, split into documents, read each one in
 * the order the node runs them, and build the kubelet's sources.
 */
import type { NodeModel, Unverifiable } from "../kubelet/node";
import { NodeBuilder } from "../boot/node-builder";
import { decodeUserData, type Document } from "./decode";
import { origin0, readBottlerocket, readCloudConfig, readNodeConfig, readPowerShell } from "../boot/documents";
import { DEFAULT_LIMITS, type Limits } from "./limits";
import { runScript } from "../boot/script";

export interface UserDataInput {
  value: string;
  encoding: "base64" | "plain";
  /** How the property is named in messages: "user data", "customData". */
  source?: string;
  /** Content type for text with no recognisable header (GCE startup scripts are shell). */
  plainTextType?: string;
}

export interface UserDataAnalysis {
  /** Undefined when the user data has no sign of a kubelet: not applicable. */
  node?: NodeModel;
  /** What could not be read at all (reported only where the resource is known to be a node). */
  unverifiable: Unverifiable[];
}

export function analyzeUserData(input: UserDataInput, limits: Limits = DEFAULT_LIMITS): UserDataAnalysis {
  const builder = new NodeBuilder(limits);
  for (const u of readUserData(builder, input)) builder.addUnverifiable(u.location, u.reason);
  const node = builder.finish();
  return { node, unverifiable: builder.unverifiable };
}

/** Decodes one user-data value and reads its documents into the builder; returns what could not be decoded. */
export function readUserData(builder: NodeBuilder, input: UserDataInput): Unverifiable[] {
  const decoded = decodeUserData(input.value, input.encoding, builder.limits, input.source ?? "user data");
  for (const document of decoded.documents) {
    readDocument(builder, document.contentType === "text/plain" && input.plainTextType ? { ...document, contentType: input.plainTextType } : document);
  }
  return decoded.unverifiable;
}

export function readDocument(builder: NodeBuilder, document: Document): void {
  const { source, text, contentType } = document;
  switch (contentType) {
    case "text/x-shellscript":
    case "text/cloud-boothook":
    case "text/x-sh":
      runScript(builder, text, origin0(source));
      break;
    case "text/cloud-config":
      readCloudConfig(builder, text, source);
      break;
    case "application/node.eks.aws":
      readNodeConfig(builder, text, source);
      break;
    case "application/toml":
      readBottlerocket(builder, text, source);
      break;
    case "text/x-powershell":
      readPowerShell(builder, text, source);
      break;
    case "text/x-include-url":
    case "text/x-include-once-url":
      builder.addUnverifiable({ source }, "cloud-init fetches the content of #include URLs at boot, so it is not visible");
      break;
    case "text/jinja2":
      if (/kubelet|bootstrap\.sh|nodeadm|kubeadm/.test(text)) {
        builder.markKubelet();
        builder.addUnverifiable({ source }, "the part is a Jinja template that cloud-init renders at boot, so its final text is not visible");
      }
      break;
    default:
      break;
  }
}
