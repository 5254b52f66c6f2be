/** Scan results as text (like `pulumi preview`), JSON, or SARIF 2.1.0 for code-scanning views. */
import path from "node:path";
import type * as sarif from "sarif";
import type { Diagnostic } from "./analyzer-client";

export interface ScannedResource {
  type: string;
  name: string;
  urn: string;
  diagnostics: Diagnostic[];
}

export interface ScannedProgram {
  dir: string;
  /** Set when the program could not run: its own error. */
  error?: string;
  resources: ScannedResource[];
}

export interface PolicyMeta {
  name: string;
  description: string;
  remediationSteps: string;
  url: string;
  enforcementLevel: string;
}

export const mandatoryCount = (programs: ScannedProgram[]): number =>
  programs.flatMap((p) => p.resources.flatMap((r) => r.diagnostics)).filter((d) => d.enforcementLevel === "mandatory").length;

/** The message without the policy description the SDK puts on its first line. */
const findingText = (d: Diagnostic): string => (d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message);

export function formatText(programs: ScannedProgram[], packVersion: string): string {
  const lines: string[] = [];
  for (const program of programs) {
    lines.push(`Program ${program.dir}`);
    if (program.error) {
      lines.push(`    error: the program could not run:`, ...program.error.split("\n").map((l) => `        ${l}`), "");
      continue;
    }
    const flagged = program.resources.filter((r) => r.diagnostics.length);
    lines.push(`    ${program.resources.length} resources, ${flagged.length} with findings`);
    for (const resource of flagged) {
      lines.push("", `    ${resource.type} ${resource.name}`);
      for (const d of resource.diagnostics) {
        lines.push(
          `        - [${d.enforcementLevel}]  ${d.policyName}  (kubelet-guard@v${packVersion})`,
          `          ${d.description}`,
          `          ${findingText(d)}`,
        );
      }
    }
    lines.push("");
  }
  const all = programs.flatMap((p) => p.resources.flatMap((r) => r.diagnostics));
  const errors = programs.filter((p) => p.error).length;
  lines.push(
    `${mandatoryCount(programs)} mandatory, ${all.length - mandatoryCount(programs)} advisory findings${errors ? `; ${errors} program(s) could not run` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

export function formatJson(programs: ScannedProgram[]): string {
  return `${JSON.stringify(
    {
      programs: programs.map((p) => ({
        dir: p.dir,
        error: p.error,
        resources: p.resources
          .filter((r) => r.diagnostics.length)
          .map((r) => ({
            type: r.type,
            name: r.name,
            urn: r.urn,
            findings: r.diagnostics.map((d) => ({ policy: d.policyName, level: d.enforcementLevel, message: findingText(d) })),
          })),
      })),
      mandatory: mandatoryCount(programs),
    },
    null,
    2,
  )}\n`;
}

export function formatSarif(programs: ScannedProgram[], policies: PolicyMeta[], packVersion: string, cwd = process.cwd()): string {
  const rules: sarif.ReportingDescriptor[] = policies.map((p) => ({
    id: p.name,
    shortDescription: { text: p.description },
    help: { text: p.remediationSteps },
    helpUri: p.url,
    defaultConfiguration: { level: p.enforcementLevel === "mandatory" ? "error" : "warning" },
  }));
  const results: sarif.Result[] = programs.flatMap((program) =>
    program.resources.flatMap((resource) =>
      resource.diagnostics.map(
        (d): sarif.Result => ({
          ruleId: d.policyName,
          ruleIndex: policies.findIndex((p) => p.name === d.policyName),
          level: d.enforcementLevel === "mandatory" ? "error" : "warning",
          message: { text: `${resource.type} ${resource.name}: ${findingText(d)}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: path.relative(cwd, path.join(program.dir, "index.ts")).split(path.sep).join("/") } },
              logicalLocations: [{ name: resource.name, fullyQualifiedName: resource.urn, kind: "resource" }],
            },
          ],
        }),
      ),
    ),
  );
  const log: sarif.Log = {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      { tool: { driver: { name: "kubelet-guard", version: packVersion, informationUri: "https://github.com/kubelet-guard/kubelet-guard", rules } }, results },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
