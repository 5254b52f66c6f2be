#!/usr/bin/env node
/**
 * kubelet-guard scan: the pack without a cloud. Runs Pulumi TypeScript
 * programs under Pulumi's mocks and passes every resource they register
 * through the built pack over the Analyzer protocol.
 *
 * Exit codes: 0 no mandatory finding, 1 a mandatory finding, 2 a program or
 * the command line could not be used.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { PackProcess, urnFor, type PolicyPackConfigFile } from "./analyzer-client";
import { formatJson, formatSarif, formatText, mandatoryCount, type ScannedProgram } from "./report";

const PACK_DIR = path.resolve(__dirname, "../../..");
const USAGE = `usage: kubelet-guard scan <program-dir>... [--format text|json|sarif] [--config <policy-pack-config.json>] [--stack <name>]`;

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

function projectName(dir: string): string {
  try {
    const project = parseYaml(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name?: string };
    return project?.name ?? path.basename(dir);
  } catch {
    return path.basename(dir);
  }
}

async function runProgram(
  dir: string,
  stack: string,
): Promise<{ resources?: { type: string; name: string; inputs: Record<string, unknown> }[]; error?: string; project: string }> {
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
    return { project, resources: JSON.parse(readFileSync(out, "utf8")) };
  } catch (error) {
    return { project, error: (error as Error).message };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function scan(
  dirs: string[],
  options: { config?: PolicyPackConfigFile; stack: string },
): Promise<{ programs: ScannedProgram[]; pack: PackProcess }> {
  const pack = await PackProcess.start(PACK_DIR, { PULUMI_NODEJS_DRY_RUN: "false" });
  await pack.configure(options.config ?? {});
  const programs: ScannedProgram[] = [];
  for (const dir of dirs) {
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
      resources.push({ type: r.type, name: r.name, urn, diagnostics });
    }
    programs.push({ dir, resources });
  }
  return { programs, pack };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: "string", default: "text" },
        config: { type: "string" },
        stack: { type: "string", default: "dev" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...dirs] = parsed.positionals;
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== "scan" || !dirs.length || !["text", "json", "sarif"].includes(parsed.values.format!)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config: PolicyPackConfigFile | undefined;
  if (parsed.values.config) {
    try {
      config = JSON.parse(readFileSync(parsed.values.config, "utf8")) as PolicyPackConfigFile;
    } catch (error) {
      process.stderr.write(`cannot read the policy pack config ${parsed.values.config}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const { programs, pack } = await scan(dirs, { config, stack: parsed.values.stack! });
  const info = await pack.info();
  await pack.close();
  const levels = ["advisory", "mandatory", "disabled", "remediate"];
  const policies = info.policiesList.map((p) => ({
    name: p.name,
    description: p.description,
    remediationSteps: p.remediationSteps,
    url: p.url,
    enforcementLevel: levels[p.enforcementlevel],
  }));
  const output =
    parsed.values.format === "json"
      ? formatJson(programs)
      : parsed.values.format === "sarif"
        ? formatSarif(programs, policies, info.version)
        : formatText(programs, info.version);
  process.stdout.write(output);
  if (programs.some((p) => p.error)) return 2;
  return mandatoryCount(programs) > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`kubelet-guard: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
