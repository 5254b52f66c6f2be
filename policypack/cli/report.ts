/** Scan results as text (like `pulumi preview`), JSON, or SARIF 2.1.0 for code-scanning views. */
import path from "node:path";
import type * as sarif from "sarif";
import { RULES, type Rule, type Severity } from "../kubelet/rules";
import { policyDocUrl, REPOSITORY_URL, type Waiver } from "../pack/policies";
import type { Diagnostic } from "./analyzer-client";

/** Where the program constructed a resource (the SDK's source position of its registration). */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export interface Finding extends Diagnostic {
  /** Set when the policy's config excludes or exempts the resource: shown, never counted. */
  suppressed?: Waiver;
  /** An exemption that matched the resource but has expired. */
  note?: string;
}

export interface ScannedResource {
  type: string;
  name: string;
  urn: string;
  position?: SourcePosition;
  findings: Finding[];
}

export interface ScannedProgram {
  dir: string;
  /** Set when the program could not run: its own error. */
  error?: string;
  resources: ScannedResource[];
}

/** The level each policy runs at after configuration, from the pack itself. */
export type ConfiguredLevels = Record<string, string>;

const reported = (program: ScannedProgram): Finding[] => program.resources.flatMap((r) => r.findings).filter((f) => !f.suppressed);

export const mandatoryCount = (programs: ScannedProgram[]): number => programs.flatMap(reported).filter((f) => f.enforcementLevel === "mandatory").length;

/** The message without the policy description the SDK puts on its first line. */
const findingText = (d: Diagnostic): string => (d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message);

export function describeWaiver(waiver: Waiver): string {
  if (waiver.kind === "excluded") return `excluded by excludeResources "${waiver.resource}"`;
  return `exempted by "${waiver.resource}"${waiver.expires ? ` until ${waiver.expires}` : ""}: ${waiver.reason}`;
}

/** CIS ids per benchmark, as "generic 4.2.4, eks 3.2.4, …". */
export const cisIds = (rule: Rule): string =>
  Object.entries(rule.refs)
    .map(([benchmark, ref]) => `${benchmark} ${ref}`)
    .join(", ");

export function formatText(programs: ScannedProgram[], packVersion: string): string {
  const lines: string[] = [];
  for (const program of programs) {
    lines.push(`Program ${program.dir}`);
    if (program.error) {
      lines.push(`    error: the program could not run:`, ...program.error.split("\n").map((l) => `        ${l}`), "");
      continue;
    }
    const flagged = program.resources.filter((r) => r.findings.length);
    lines.push(`    ${program.resources.length} resources, ${flagged.filter((r) => r.findings.some((f) => !f.suppressed)).length} with findings`);
    for (const resource of flagged) {
      const where = resource.position ? `  (${path.relative(process.cwd(), resource.position.file)}:${resource.position.line})` : "";
      lines.push("", `    ${resource.type} ${resource.name}${where}`);
      for (const f of resource.findings) {
        const level = f.suppressed ? `suppressed: ${describeWaiver(f.suppressed)}` : f.enforcementLevel;
        lines.push(`        - [${level}]  ${f.policyName}  (kubelet-guard@v${packVersion})`, `          ${f.description}`);
        if (f.note) lines.push(`          ${f.note}`);
        lines.push(`          ${findingText(f)}`);
      }
    }
    lines.push("");
  }
  const all = programs.flatMap(reported);
  const suppressed = programs.flatMap((p) => p.resources.flatMap((r) => r.findings)).length - all.length;
  const errors = programs.filter((p) => p.error).length;
  lines.push(
    `${mandatoryCount(programs)} mandatory, ${all.length - mandatoryCount(programs)} advisory findings` +
      `${suppressed ? `, ${suppressed} suppressed` : ""}${errors ? `; ${errors} program(s) could not run` : ""}`,
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
          .filter((r) => r.findings.length)
          .map((r) => ({
            type: r.type,
            name: r.name,
            urn: r.urn,
            position: r.position,
            findings: r.findings.map((f) => ({
              policy: f.policyName,
              level: f.enforcementLevel,
              message: findingText(f),
              ...(f.note ? { note: f.note } : {}),
              ...(f.suppressed ? { suppressed: { ...f.suppressed, reason: describeWaiver(f.suppressed) } } : {}),
            })),
          })),
      })),
      mandatory: mandatoryCount(programs),
    },
    null,
    2,
  )}\n`;
}

/** GitHub code scanning's scale: critical above 9.0, high 7.0–8.9, medium 4.0–6.9, low below 4.0. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

const sarifLevel = (level: string | undefined): sarif.ReportingConfiguration.level =>
  level === "mandatory" || level === "remediate" ? "error" : level === "disabled" ? "none" : "warning";

const toUri = (file: string, cwd: string): string => path.relative(cwd, file).split(path.sep).join("/");

function sarifRule(rule: Rule, level: string | undefined): sarif.ReportingDescriptor {
  return {
    id: rule.policy,
    name: rule.title,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: rule.remediation, markdown: `${rule.remediation}\n\nCIS: ${cisIds(rule)}. [Policy documentation](${policyDocUrl(rule.policy)})` },
    helpUri: policyDocUrl(rule.policy),
    defaultConfiguration: { level: sarifLevel(level ?? rule.level), enabled: level !== "disabled" },
    properties: {
      tags: ["security", "kubernetes", "kubelet", "cis", ...Object.entries(rule.refs).map(([b, ref]) => `cis-${b}:${ref}`)],
      "security-severity": SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      cis: rule.refs,
    },
  };
}

export function formatSarif(programs: ScannedProgram[], levels: ConfiguredLevels, packVersion: string, cwd = process.cwd()): string {
  const rules = RULES.map((rule) => sarifRule(rule, levels[rule.policy]));
  const results: sarif.Result[] = programs.flatMap((program) =>
    program.resources.flatMap((resource) =>
      resource.findings.map((f): sarif.Result => {
        const file = resource.position?.file ?? path.join(program.dir, "index.ts");
        return {
          ruleId: f.policyName,
          ruleIndex: RULES.findIndex((r) => r.policy === f.policyName),
          level: sarifLevel(f.enforcementLevel),
          message: { text: `${resource.type} ${resource.name}: ${f.note ? `${f.note}; ` : ""}${findingText(f)}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: toUri(path.resolve(file), cwd) },
                ...(resource.position ? { region: { startLine: resource.position.line, startColumn: Math.max(1, resource.position.column) } } : {}),
              },
              logicalLocations: [{ name: resource.name, fullyQualifiedName: resource.urn, kind: "resource" }],
            },
          ],
          ...(f.suppressed ? { suppressions: [{ kind: "external", status: "accepted", justification: describeWaiver(f.suppressed) }] } : {}),
        };
      }),
    ),
  );
  const failed = programs.filter((p) => p.error);
  const log: sarif.Log = {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: { driver: { name: "kubelet-guard", version: packVersion, semanticVersion: packVersion, informationUri: REPOSITORY_URL, rules } },
        invocations: [
          {
            executionSuccessful: failed.length === 0,
            toolExecutionNotifications: failed.map((p) => ({
              level: "error",
              message: { text: `the program ${p.dir} could not run: ${p.error}` },
              locations: [{ physicalLocation: { artifactLocation: { uri: toUri(path.resolve(p.dir), cwd) } } }],
            })),
          },
        ],
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
