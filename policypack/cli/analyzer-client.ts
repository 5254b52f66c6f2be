/**
 * Starts a built policy pack exactly as the Pulumi CLI does
 * (`node <@pulumi/pulumi/cmd/run-policy-pack> <engine> <packDir>`, port on the
 * first stdout line) and speaks the Analyzer gRPC protocol to it, filling in
 * config defaults the way the CLI reconciles them. Used by `kubelet-guard
 * scan` and by the tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A property value marked secret, as the engine encodes it. */
export function secret(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";
const LEVELS: Level[] = ["advisory", "mandatory", "disabled", "remediate"];

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  description: string;
  message: string;
  enforcementLevel: Level;
  severity: number;
  urn: string;
}

export interface Remediation {
  policyName: string;
  properties?: Record<string, unknown>;
  diagnostic?: string;
}

export interface ResourceToAnalyze {
  type: string;
  name: string;
  urn?: string;
  props: Record<string, unknown>;
}

export interface PolicyPackConfigFile {
  [policy: string]: Level | ({ enforcementLevel?: Level } & Record<string, unknown>);
}

/**
 * Fills an AnalyzeRequest or an AnalyzerResource the way the engine does; the
 * options must be set (the SDK refuses a request without them).
 */
function describeResource<T extends analyzerpb.AnalyzeRequest | analyzerpb.AnalyzerResource>(message: T, resource: ResourceToAnalyze): T {
  message.setType(resource.type);
  message.setName(resource.name);
  message.setUrn(resource.urn ?? urnFor(resource.type, resource.name));
  message.setProperties(Struct.fromJavaScript(resource.props as Record<string, never>));
  const options = new analyzerpb.AnalyzerResourceOptions();
  options.setCustomtimeouts(new analyzerpb.AnalyzerResourceOptions.CustomTimeouts());
  message.setOptions(options);
  return message;
}

function toDiagnostic(d: analyzerpb.AnalyzeDiagnostic): Diagnostic {
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    description: d.getDescription(),
    message: d.getMessage(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()],
    severity: d.getSeverity(),
    urn: d.getUrn(),
  };
}

export function urnFor(type: string, name: string, stack = "dev", project = "project"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

export class PackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: analyzerrpc.AnalyzerClient,
    readonly stderr: () => string,
  ) {}

  /** Spawns the pack in `packDir` and waits for its port. */
  static async start(packDir: string, env: NodeJS.ProcessEnv = {}): Promise<PackProcess> {
    const runPath = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const child = spawn(process.execPath, [runPath, "127.0.0.1:1", packDir], {
      cwd: packDir,
      env: { ...process.env, PULUMI_NODEJS_DRY_RUN: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      const onData = (d: Buffer): void => {
        stdout += d.toString();
        const newline = stdout.indexOf("\n");
        if (newline === -1) return;
        const line = stdout.slice(0, newline).trim();
        child.stdout!.off("data", onData);
        if (/^\d+$/.test(line)) resolve(Number(line));
        else reject(new Error(`the pack wrote ${JSON.stringify(line)} to stdout instead of its port`));
      };
      child.stdout!.on("data", onData);
      child.once("exit", (code) => reject(new Error(`the pack exited with ${code} before printing its port: ${stderr}`)));
    });
    const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    return new PackProcess(child, client, () => stderr);
  }

  private call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => method.call(this.client, request, (err, res) => (err ? reject(err) : resolve(res))));
  }

  async info(): Promise<analyzerpb.AnalyzerInfo.AsObject & { schemas: Record<string, Record<string, { default?: unknown }>> }> {
    const info = await this.call<Empty, analyzerpb.AnalyzerInfo>(this.client.getAnalyzerInfo, new Empty());
    const schemas: Record<string, Record<string, { default?: unknown }>> = {};
    for (const policy of info.getPoliciesList()) {
      schemas[policy.getName()] = (policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, { default?: unknown }>;
    }
    return { ...info.toObject(), schemas };
  }

  /** Configure as the CLI does: schema defaults and reported levels, then the config file (`all` first). */
  async configure(file: PolicyPackConfigFile = {}): Promise<Record<string, { enforcementLevel: Level } & Record<string, unknown>>> {
    const info = await this.info();
    const resolved: Record<string, { enforcementLevel: Level } & Record<string, unknown>> = {};
    for (const policy of info.policiesList) {
      const defaults: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(info.schemas[policy.name] ?? {})) if (schema.default !== undefined) defaults[key] = schema.default;
      resolved[policy.name] = { ...defaults, enforcementLevel: LEVELS[policy.enforcementlevel] };
    }
    const all = file.all;
    for (const name of Object.keys(resolved)) {
      if (typeof all === "string") resolved[name].enforcementLevel = all;
      const entry = file[name];
      if (typeof entry === "string") resolved[name].enforcementLevel = entry;
      else if (entry && typeof entry === "object") Object.assign(resolved[name], entry);
    }
    const request = new analyzerpb.ConfigureAnalyzerRequest();
    for (const [name, config] of Object.entries(resolved)) {
      const { enforcementLevel, ...properties } = config;
      const pc = new analyzerpb.PolicyConfig();
      pc.setEnforcementlevel(LEVELS.indexOf(enforcementLevel));
      pc.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
      request.getPolicyconfigMap().set(name, pc);
    }
    await this.call<analyzerpb.ConfigureAnalyzerRequest, Empty>(this.client.configure, request);
    return resolved;
  }

  private request(resource: ResourceToAnalyze): analyzerpb.AnalyzeRequest {
    return describeResource(new analyzerpb.AnalyzeRequest(), resource);
  }

  async analyze(resource: ResourceToAnalyze): Promise<{ diagnostics: Diagnostic[]; notApplicable: string[] }> {
    const response = await this.call<analyzerpb.AnalyzeRequest, analyzerpb.AnalyzeResponse>(this.client.analyze, this.request(resource));
    return {
      diagnostics: response.getDiagnosticsList().map((d) => toDiagnostic(d)),
      notApplicable: response.getNotApplicableList().map((n) => n.getPolicyName()),
    };
  }

  /** ConfigureStack, as the CLI sends it before GetAnalyzerInfo during a preview or update. */
  async configureStack(stack = "dev", project = "project", organization = "organization"): Promise<void> {
    const request = new analyzerpb.AnalyzerStackConfigureRequest();
    request.setStack(stack);
    request.setProject(project);
    request.setOrganization(organization);
    request.setDryRun(true);
    await this.call<analyzerpb.AnalyzerStackConfigureRequest, Empty>(this.client.configureStack, request);
  }

  /** AnalyzeStack over every resource, at the end of a deployment; returns the diagnostics. */
  async analyzeStack(resources: ResourceToAnalyze[]): Promise<Diagnostic[]> {
    const request = new analyzerpb.AnalyzeStackRequest();
    for (const resource of resources) request.addResources(describeResource(new analyzerpb.AnalyzerResource(), resource));
    const response = await this.call<analyzerpb.AnalyzeStackRequest, analyzerpb.AnalyzeResponse>(this.client.analyzeStack, request);
    return response.getDiagnosticsList().map((d) => toDiagnostic(d));
  }

  /** Remediate, as the engine calls it before an update: each policy's new properties (secrets as the engine encodes them) or diagnostic. */
  async remediate(resource: ResourceToAnalyze): Promise<Remediation[]> {
    const response = await this.call<analyzerpb.AnalyzeRequest, analyzerpb.RemediateResponse>(this.client.remediate, this.request(resource));
    return response.getRemediationsList().map((r) => ({
      policyName: r.getPolicyname(),
      properties: r.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
      diagnostic: r.getDiagnostic() || undefined,
    }));
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}
