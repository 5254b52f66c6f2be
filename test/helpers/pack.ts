/** The built pack, started as the Pulumi CLI starts it, for tests that speak the Analyzer protocol. */
import path from "node:path";
import { PackProcess, type Diagnostic, type ResourceToAnalyze } from "../../policypack/cli/analyzer-client";

export const PACK_DIR = path.resolve(__dirname, "../..");

export async function startPack(): Promise<PackProcess> {
  const pack = await PackProcess.start(PACK_DIR);
  // the CLI's order: ConfigureStack, GetAnalyzerInfo, Configure
  await pack.configureStack();
  await pack.configure({});
  return pack;
}

export const b64 = (text: string): string => Buffer.from(text).toString("base64");

/** Diagnostics as [policy, level, message-without-description] triples, sorted by policy. */
export async function diagnostics(pack: PackProcess, resource: ResourceToAnalyze): Promise<[string, string, string][]> {
  const { diagnostics } = await pack.analyze(resource);
  return diagnostics
    .map((d: Diagnostic): [string, string, string] => [d.policyName, d.enforcementLevel, d.message.slice(d.description.length + 1)])
    .sort((a, b) => a[0].localeCompare(b[0]) || a[2].localeCompare(b[2]));
}

export const policyNames = (found: [string, string, string][]): string[] => [...new Set(found.map(([p]) => p))].sort();
