#!/usr/bin/env node
/**
 * kubelet-guard scan: the pack without a cloud. Runs Pulumi TypeScript
 * programs under Pulumi's mocks and passes every resource they register
 * through the built pack over the Analyzer protocol.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { RULES } from "../kubelet/rules";
import { ALL_POLICIES, checkPackConfig, type PolicyEntry } from "../pack/config";
import { policies, waiverOf } from "../pack/policies";
import { PackProcess, urnFor, type PolicyPackConfigFile } from "./analyzer-client";
import { cisIds, formatJson, formatSarif, formatText, mandatoryCount, type Finding, type ScannedProgram } from "./report";
import type { RegisteredResource } from "./run-program";

/** The package root: two levels up from the source, three from the build (bin/policypack/cli). */
const PACK_DIR = [path.resolve(__dirname, "../.."), path.resolve(__dirname, "../../..")].find((dir) => existsSync(path.join(dir, "PulumiPolicy.yaml")))!;
const VERSION = (JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version: string }).version;

/** Exit statuses, distinct so CI can tell a finding from a broken invocation. */
export const EXIT = { ok: 0, findings: 1, usage: 2, programFailed: 3 } as const;
const FORMATS = ["text", "json", "sarif"];

export const HELP = `kubelet-guard ${VERSION}: checks the kubelet settings of Pulumi programs against the CIS Kubernetes Benchmark

usage:
  kubelet-guard scan <program-dir>... [--format text|json|sarif] [--config <file>] [--stack <name>]
  kubelet-guard policies [--format text|json]
  kubelet-guard --help | --version

scan runs each Pulumi TypeScript program under Pulumi's mocks (no cloud, no login), type-checked as
\`pulumi preview\` type-checks it, and passes every resource it registers through the policy pack.

options:
  --format text|json|sarif  output on stdout (default text); sarif is SARIF 2.1.0 for code scanning
  --config <file>           policy pack config, as for \`pulumi preview --policy-pack-config\`: levels,
                            settings, excludeResources, exemptions; checked against the policies' schemas
  --stack <name>            the stack whose Pulumi.<name>.yaml config the programs read (default dev)
  -h, --help                this text
  -V, --version             the version

environment:
  PULUMI_NODEJS_TRANSPILE_ONLY=true  run TypeScript without the type check, as Pulumi does

exit status:
  0  no mandatory finding
  1  at least one mandatory finding (excluded and exempted findings are shown, not counted)
  2  usage or config error: nothing was scanned
  3  a program could not run (its error is in the report); takes precedence over 1
`;

class UsageError extends Error {}

/** Stack config from Pulumi.<stack>.yaml, as PULUMI_CONFIG carries it ("project:key" → value). */
function stackConfig(dir: string, project: string, stack: string): Record<string, string> {
  let file: { config?: Record<string, unknown> } = {};
  try {
    file = (parseYaml(readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")) ?? {}) as typeof file;
  } catch {
    return {};
  }
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config ?? {})) {
    config[key.includes(":") ? key : `${project}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

const projectFile = (dir: string): string | undefined => ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => existsSync(f));

function projectName(dir: string): string {
  try {
    const project = parseYaml(readFileSync(projectFile(dir)!, "utf8")) as { name?: string };
    return project?.name ?? path.basename(dir);
  } catch {
    return path.basename(dir);
  }
}

async function runProgram(dir: string, stack: string): Promise<{ resources?: RegisteredResource[]; error?: string; project: string }> {
  const project = projectName(dir);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "kubelet-guard-"));
  const out = path.join(tmp, "resources.json");
  const env = {
    ...process.env,
    PULUMI_NODEJS_PROJECT: project,
    PULUMI_NODEJS_STACK: stack,
    PULUMI_CONFIG: JSON.stringify(stackConfig(dir, project, stack)),
  };
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [path.join(__dirname, "run-program.js"), dir, out],
        { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
        (error, _stdout, stderr) => (error ? reject(new Error(stderr.trim() || error.message)) : resolve()),
      );
    });
    return { project, resources: JSON.parse(readFileSync(out, "utf8")) as RegisteredResource[] };
  } catch (error) {
    return { project, error: (error as Error).message };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The program directories, each checked before anything runs. */
function programDirs(dirs: string[]): string[] {
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
    if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a directory (give the directory of a Pulumi program)`);
    if (!projectFile(dir)) throw new UsageError(`${dir}: no Pulumi program here (no Pulumi.yaml)`);
  }
  return dirs;
}

/** The config file, checked as the CLI checks it (and stricter about names and keys), or a UsageError listing every problem. */
export function readConfigFile(file: string): Map<string, PolicyEntry> {
  let parsed: unknown;
  try {
    const text = readFileSync(file, "utf8");
    parsed = text.trim() ? JSON.parse(text) : {};
  } catch (error) {
    throw new UsageError(`cannot read the policy pack config ${file}: ${(error as Error).message}`);
  }
  const { entries, errors } = checkPackConfig(parsed, policies);
  if (errors.length) throw new UsageError(`invalid policy pack config ${file}:\n  ${errors.join("\n  ")}`);
  return entries;
}

const WAIVER_KEYS = new Set(["excludeResources", "exemptions"]);

/** The config the pack runs with: waivers left out, so the scan sees every finding and shows the waived ones as suppressed. */
function packConfig(entries: Map<string, PolicyEntry>): PolicyPackConfigFile {
  const config: PolicyPackConfigFile = {};
  for (const [name, entry] of entries) {
    const properties = Object.fromEntries(Object.entries(entry.properties).filter(([key]) => !WAIVER_KEYS.has(key)));
    config[name] =
      name === ALL_POLICIES && entry.enforcementLevel
        ? entry.enforcementLevel
        : { ...properties, ...(entry.enforcementLevel ? { enforcementLevel: entry.enforcementLevel } : {}) };
  }
  return config;
}

const progress = (text: string): void => {
  if (process.stderr.isTTY) process.stderr.write(text);
};

export async function scan(
  dirs: string[],
  options: { config?: Map<string, PolicyEntry>; stack: string; now?: Date },
): Promise<{ programs: ScannedProgram[]; levels: Record<string, string> }> {
  const entries = options.config ?? new Map<string, PolicyEntry>();
  const pack = await PackProcess.start(PACK_DIR, { PULUMI_NODEJS_DRY_RUN: "false" });
  try {
    const configured = await pack.configure(packConfig(entries));
    const programs: ScannedProgram[] = [];
    for (const [index, dir] of dirs.entries()) {
      progress(`kubelet-guard: scanning ${dir} (${index + 1}/${dirs.length})…\n`);
      const absolute = path.resolve(dir);
      const run = await runProgram(absolute, options.stack);
      if (!run.resources) {
        programs.push({ dir, error: run.error, resources: [] });
        continue;
      }
      const resources = [];
      for (const r of run.resources) {
        const urn = urnFor(r.type, r.name, options.stack, run.project);
        const { diagnostics } = await pack.analyze({ type: r.type, name: r.name, urn, props: r.inputs });
        const findings = diagnostics.map((d): Finding => {
          const { waiver, expired } = waiverOf(entries.get(d.policyName)?.properties ?? {}, { name: r.name, urn }, options.now);
          return { ...d, ...(waiver ? { suppressed: waiver } : {}), ...(expired ? { note: expired } : {}) };
        });
        resources.push({ type: r.type, name: r.name, urn, position: r.position, findings });
      }
      programs.push({ dir, resources });
    }
    const levels = Object.fromEntries(Object.entries(configured).map(([name, c]) => [name, c.enforcementLevel]));
    return { programs, levels };
  } finally {
    await pack.close();
  }
}

export function formatPolicies(format: string): string {
  if (format === "json") {
    return `${JSON.stringify(
      RULES.map((r) => ({ name: r.policy, title: r.title, level: r.level, severity: r.severity, cis: r.refs })),
      null,
      2,
    )}\n`;
  }
  const width = Math.max(...RULES.map((r) => r.policy.length));
  const lines = RULES.map((r) => `${r.policy.padEnd(width)}  ${r.level.padEnd(9)}  ${r.severity.padEnd(8)}  ${cisIds(r)}`);
  return `${"policy".padEnd(width)}  ${"level".padEnd(9)}  ${"severity".padEnd(8)}  CIS (generic 1.12, EKS 1.8, AKS 1.8, GKE 1.6)\n${lines.join("\n")}\n`;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: "string", default: "text" },
        config: { type: "string" },
        stack: { type: "string", default: "dev" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
    if (parsed.values.help) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    if (parsed.values.version) {
      process.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    const [command, ...dirs] = parsed.positionals;
    const format = parsed.values.format!;
    if (command === "policies") {
      if (dirs.length) throw new UsageError(`policies takes no arguments, not ${dirs.join(" ")}`);
      if (format !== "text" && format !== "json") throw new UsageError(`--format for policies must be text or json, not "${format}"`);
      process.stdout.write(formatPolicies(format));
      return EXIT.ok;
    }
    if (command !== "scan") throw new UsageError(command ? `unknown command "${command}" (commands: scan, policies)` : "no command given");
    if (!dirs.length) throw new UsageError("scan needs at least one program directory");
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
    const config = parsed.values.config ? readConfigFile(parsed.values.config) : undefined;
    const { programs, levels } = await scan(programDirs(dirs), { config, stack: parsed.values.stack! });
    const output = format === "json" ? formatJson(programs) : format === "sarif" ? formatSarif(programs, levels, VERSION) : formatText(programs, VERSION);
    process.stdout.write(output);
    if (programs.some((p) => p.error)) return EXIT.programFailed;
    return mandatoryCount(programs) > 0 ? EXIT.findings : EXIT.ok;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    if (!usage) throw error;
    process.stderr.write(`kubelet-guard: ${(error as Error).message}\nRun kubelet-guard --help for usage.\n`);
    return EXIT.usage;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`kubelet-guard: ${(error as Error).message}\n`);
      process.exit(EXIT.programFailed);
    },
  );
}
