/**
 * Child process of `kubelet-guard scan`: runs one Pulumi TypeScript program
 * under Pulumi's mocks and writes the resources it registers, with their
 * inputs, to a JSON file. Mock outputs stand in for ids and computed
 * attributes, so user data that interpolates them becomes concrete.
 *
 * Usage: node run-program.js <program-dir> <out-file>
 * Exit code 2 with the program's own error on stderr when it cannot run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourcePosition } from "./report";

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Where the program constructed the resource: the SDK's source position of the registration. */
  position?: SourcePosition;
}

const MOCK_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n").toString("base64");

/** Outputs a real deployment would compute, for the attributes programs commonly interpolate. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const state: Record<string, unknown> = { name, ...inputs, id: `${name}-id`, arn: `arn:mock:${type}:${name}`, urn: `urn:mock:${type}:${name}` };
  if (type === "aws:eks/cluster:Cluster") {
    Object.assign(state, {
      endpoint: `https://${name.toUpperCase()}.gr7.us-west-2.eks.amazonaws.com`,
      certificateAuthority: { data: MOCK_CA },
      kubernetesNetworkConfig: { serviceIpv4Cidr: "10.100.0.0/16" },
      version: inputs.version ?? "1.33",
    });
  } else if (type === "aws:ec2/launchTemplate:LaunchTemplate") {
    Object.assign(state, { latestVersion: 1, defaultVersion: 1 });
  } else if (type === "gcp:container/cluster:Cluster") {
    Object.assign(state, { endpoint: "203.0.113.10", masterAuth: { clusterCaCertificate: MOCK_CA } });
  } else if (/ManagedCluster$/.test(type)) {
    Object.assign(state, { fqdn: `${name}.hcp.westeurope.azmk8s.io` });
  }
  return state;
}

/** Provider functions: an AMI id for AMI look-ups, the inputs echoed back otherwise. */
function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (/getAmi|getParameter/.test(token)) return { ...inputs, id: "ami-0mock", imageId: "ami-0mock", value: "ami-0mock", name: "mock" };
  if (/getAvailabilityZones/.test(token)) return { names: ["us-west-2a", "us-west-2b"], zoneIds: ["usw2-az1", "usw2-az2"] };
  return { ...inputs, id: "mock-id" };
}

function programEntry(dir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { main?: string };
    if (pkg.main) return path.resolve(dir, pkg.main);
  } catch {
    // no package.json: the entry is index.ts
  }
  return path.join(dir, "index.ts");
}

async function main(): Promise<void> {
  const [dirArg, outFile] = process.argv.slice(2);
  const dir = path.resolve(dirArg);
  const project = process.env.PULUMI_NODEJS_PROJECT ?? "project";
  const stack = process.env.PULUMI_NODEJS_STACK ?? "dev";
  // The program's own copy of @pulumi/pulumi, so the mocks are the ones its resources talk to.
  let pulumiPath: string;
  try {
    pulumiPath = require.resolve("@pulumi/pulumi", { paths: [dir] });
  } catch {
    throw new ProgramError(`cannot find @pulumi/pulumi from ${dir}: install the program's dependencies first (npm install)`);
  }
  const pulumi = require(pulumiPath) as typeof import("@pulumi/pulumi");
  typeCheck(dir, programEntry(dir));
  const resources: RegisteredResource[] = [];
  const positions = new Map<string, SourcePosition>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type !== "pulumi:pulumi:Stack") {
          resources.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs as Record<string, unknown>,
            position: positions.get(`${args.type}::${args.name}`),
          });
        }
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs as Record<string, unknown>) };
      },
      call(args) {
        return mockCall(args.token, args.inputs as Record<string, unknown>);
      },
    },
    project,
    stack,
    false,
  );
  recordSourcePositions(pulumi, positions);
  (require("tsx/cjs/api") as { register: () => void }).register();
  await pulumi.runtime.runInPulumiStack(async () => {
    const loaded = require(programEntry(dir)) as { default?: unknown };
    if (typeof loaded.default === "function") return await (loaded.default as () => unknown)();
    return loaded;
  });
  await pulumi.runtime.disconnect();
  writeFileSync(outFile, JSON.stringify(resources));
}

interface SourcePositionMessage {
  getUri(): string;
  getLine(): number;
  getColumn(): number;
}

/**
 * The mocks see no source position, but the register request the SDK sends them carries one
 * (resource.js: the first frame below the resource constructors); this keeps it by type and name.
 */
function recordSourcePositions(pulumi: typeof import("@pulumi/pulumi"), positions: Map<string, SourcePosition>): void {
  type Request = { getType(): string; getName(): string; getSourceposition(): SourcePositionMessage | undefined };
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: Request, callback: unknown): unknown } | undefined;
  if (!monitor) return;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const position = req.getSourceposition();
    const uri = position?.getUri() ?? "";
    // A resource a library component creates inside node_modules has no line in the user's program.
    if (position && uri && !uri.includes("/node_modules/")) {
      positions.set(`${req.getType()}::${req.getName()}`, {
        file: uri.startsWith("file://") ? fileURLToPath(uri) : uri,
        line: position.getLine(),
        column: position.getColumn(),
      });
    }
    return register(req, callback);
  };
}

/** TypeScript, as the program would get it: its own copy first (as Pulumi's run.ts resolves it), then ours. */
function loadTypeScript(dir: string): typeof import("typescript") | undefined {
  for (const paths of [[dir], [__dirname]]) {
    try {
      return require(require.resolve("typescript", { paths })) as typeof import("typescript");
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/** ts-node's codes that Pulumi's type check never reports (ts-node DEFAULT_IGNORE_DIAGNOSTICS). */
const IGNORED_DIAGNOSTICS = new Set([6059, 18002, 18003]);

/**
 * `pulumi preview` runs a TypeScript program through ts-node with type checking
 * (@pulumi/pulumi cmd/run/run.ts), with the program's tsconfig.json when it has one, unless
 * PULUMI_NODEJS_TRANSPILE_ONLY is true; a type error stops the program with ts-node's TSError.
 */
function typeCheck(dir: string, entry: string): void {
  if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true" || !/\.[cm]?tsx?$/.test(entry)) return;
  const ts = loadTypeScript(dir);
  if (!ts) {
    process.stderr.write(`kubelet-guard: TypeScript is not installed with ${dir}; the program runs without a type check\n`);
    return;
  }
  // run.ts reads the program's tsconfig.json, or the file PULUMI_NODEJS_TSCONFIG_PATH names, from the program directory.
  const configPath = path.resolve(dir, process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json");
  let options: import("typescript").CompilerOptions = {
    target: ts.ScriptTarget.ES2015,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  let configDiagnostics: readonly import("typescript").Diagnostic[] = [];
  if (ts.sys.fileExists(configPath)) {
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    if (parsed) {
      options = parsed.options;
      configDiagnostics = parsed.errors;
    }
  }
  const program = ts.createProgram([entry], { ...options, noEmit: true });
  const diagnostics = [
    ...configDiagnostics,
    ...program.getOptionsDiagnostics(),
    ...program
      .getSourceFiles()
      .filter((f) => !f.isDeclarationFile && !f.fileName.includes("/node_modules/"))
      .flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ].filter((d) => !IGNORED_DIAGNOSTICS.has(d.code));
  if (!diagnostics.length) return;
  const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => "\n" });
  throw new ProgramError(`TSError: ⨯ Unable to compile TypeScript:\n${text.trimEnd()}`);
}

/** An error about the program's setup, reported without a stack. */
class ProgramError extends Error {}

/** The program's own error: its message and the stack frames in the program, none of ours. */
const fail = (error: unknown): void => {
  const dir = path.resolve(process.argv[2] ?? ".");
  let text = String(error);
  if (error instanceof Error && !(error instanceof ProgramError)) {
    const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line) && line.includes(dir) && !line.includes("node_modules"));
    text = [`${error.name}: ${error.message}`, ...frames].join("\n");
  } else if (error instanceof ProgramError) text = error.message;
  process.stderr.write(`${text}\n`);
  process.exit(2);
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
main().catch(fail);
