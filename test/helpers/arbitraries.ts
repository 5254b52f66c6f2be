/**
 * Hostile inputs for the pack's entry point: every resource type with
 * arbitrary property shapes, unknowns, secret wrappers, and user data that is
 * random bytes or a mutated real document. Shared by the fixed-seed sample in
 * `npm test` and by `npm run fuzz`.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { secret, UNKNOWN_VALUE } from "../../policypack/cli/analyzer-client";
import { policies } from "../../policypack/pack/policies";

// The SDK's own deserializer and proxy: what a policy receives from the engine.
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties: (s: Struct, proxySecrets: boolean) => Record<string, unknown>;
};
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy: <T>(o: T) => T };

const FIXTURES = path.resolve(__dirname, "../fixtures/userdata");
export const REAL_DOCUMENTS = readdirSync(FIXTURES).map((f) => readFileSync(path.join(FIXTURES, f), "utf8"));

/** Random edits of a real document: the near misses parsers meet in practice. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(fc.string(), fc.constantFrom("'", '"', "\\", "\n", "--BOUNDARY", "$(", "${", "<<EOF", "[", "{", "&a", "*a", "\u0000")),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.nat({ max: 200 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, edits: Mutation[]): string {
  let out = text;
  for (const e of edits) {
    const at = out.length ? e.at % (out.length + 1) : 0;
    if (e.kind === "insert") out = out.slice(0, at) + e.text + out.slice(at);
    else if (e.kind === "delete") out = out.slice(0, at) + out.slice(at + e.length);
    else if (e.kind === "truncate") out = out.slice(0, at);
    else out = out.slice(0, at) + out.slice(at, at + e.length) + out.slice(at);
  }
  return out;
}

export const userDataText = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...REAL_DOCUMENTS), fc.array(mutation, { maxLength: 6 })).map(([doc, edits]) => mutate(doc, edits)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString("latin1")) },
);

const encoded = (base64: boolean) =>
  fc.oneof({ weight: 5, arbitrary: userDataText.map((t) => (base64 ? Buffer.from(t).toString("base64") : t)) }, { weight: 1, arbitrary: fc.string() });

const wrap = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: value },
    { weight: 1, arbitrary: fc.constant(UNKNOWN_VALUE) },
    { weight: 1, arbitrary: value.map((v) => secret(v)) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );

const kubeletFields = fc.dictionary(
  fc.constantFrom("insecureKubeletReadonlyPortEnabled", "podPidsLimit", "podMaxPids", "seccompDefault", "cpuManagerPolicy"),
  wrap(fc.oneof(fc.constantFrom("TRUE", "FALSE", "true", "Unconfined", "RuntimeDefault", ""), fc.integer({ min: -2, max: 5_000_000 }))),
);

/** [type, props] pairs for every resource type the pack reads, plus one it does not. */
export const resource: fc.Arbitrary<{ type: string; props: Record<string, unknown> }> = fc.oneof(
  fc.record({ type: fc.constant("aws:ec2/launchTemplate:LaunchTemplate"), props: fc.record({ userData: wrap(encoded(true)) }, { requiredKeys: [] }) }),
  fc.record({
    type: fc.constantFrom("aws:ec2/launchConfiguration:LaunchConfiguration", "aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"),
    props: fc.record({ userData: wrap(encoded(false)), userDataBase64: wrap(encoded(true)) }, { requiredKeys: [] }),
  }),
  fc.record({
    type: fc.constantFrom("eks:index:NodeGroupV2", "eks:index:ManagedNodeGroup", "eks:index:Cluster", "eks:index:NodeGroup"),
    props: fc.record(
      {
        kubeletExtraArgs: wrap(fc.string()),
        bootstrapExtraArgs: wrap(fc.string()),
        operatingSystem: wrap(fc.constantFrom("AL2", "AL2023", "Bottlerocket", "x")),
        amiType: wrap(fc.constantFrom("AL2_x86_64", "BOTTLEROCKET_ARM_64", "amazon-linux-2023/x86_64/standard")),
        nodeUserData: wrap(userDataText),
        nodeUserDataOverride: wrap(userDataText),
        nodeadmExtraOptions: wrap(
          fc.array(fc.record({ contentType: wrap(fc.constantFrom("application/node.eks.aws", "text/x-shellscript")), content: wrap(userDataText) })),
        ),
        bottlerocketSettings: wrap(fc.record({ settings: fc.record({ kubernetes: fc.dictionary(fc.string(), fc.anything({ maxDepth: 1 })) }) })),
        nodeGroupOptions: wrap(fc.record({ kubeletExtraArgs: wrap(fc.string()), operatingSystem: wrap(fc.constantFrom("AL2", "AL2023")) })),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    type: fc.constant("gcp:container/nodePool:NodePool"),
    props: fc.record({
      nodeConfig: wrap(fc.record({ kubeletConfig: wrap(kubeletFields), linuxNodeConfig: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] })),
    }),
  }),
  fc.record({
    type: fc.constant("gcp:container/cluster:Cluster"),
    props: fc.record(
      {
        nodePools: wrap(fc.array(fc.record({ nodeConfig: wrap(fc.record({ kubeletConfig: wrap(kubeletFields) })) }))),
        nodePoolDefaults: wrap(fc.record({ nodeConfigDefaults: wrap(kubeletFields) })),
        nodePoolAutoConfig: wrap(fc.record({ nodeKubeletConfig: wrap(kubeletFields) })),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    type: fc.constantFrom("gcp:compute/instanceTemplate:InstanceTemplate", "gcp:compute/instance:Instance"),
    props: fc.record(
      {
        metadata: wrap(fc.record({ "startup-script": wrap(userDataText), "user-data": wrap(userDataText) }, { requiredKeys: [] })),
        metadataStartupScript: wrap(userDataText),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ type: fc.constant("azure-native:containerservice:AgentPool"), props: fc.record({ kubeletConfig: wrap(kubeletFields) }) }),
  fc.record({
    type: fc.constant("azure-native:containerservice:ManagedCluster"),
    props: fc.record({ agentPoolProfiles: wrap(fc.array(fc.record({ kubeletConfig: wrap(kubeletFields) }))) }),
  }),
  fc.record({
    type: fc.constant("azure-native:compute:VirtualMachineScaleSet"),
    props: fc.record({
      virtualMachineProfile: wrap(
        fc.record({ osProfile: wrap(fc.record({ customData: wrap(encoded(true)) })), userData: wrap(encoded(true)) }, { requiredKeys: [] }),
      ),
    }),
  }),
  fc.record({
    type: fc.constantFrom(
      "azure:containerservice/kubernetesCluster:KubernetesCluster",
      "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool",
    ),
    props: fc.record(
      {
        defaultNodePool: wrap(fc.record({ kubeletConfig: wrap(fc.record({ podMaxPid: wrap(fc.integer()) })) })),
        kubeletConfig: wrap(fc.record({ podMaxPid: wrap(fc.integer()) })),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    type: fc.constant("azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet"),
    props: fc.record({ customData: wrap(encoded(true)), userData: wrap(encoded(true)) }, { requiredKeys: [] }),
  }),
  fc.record({ type: fc.constant("aws:s3/bucket:Bucket"), props: fc.dictionary(fc.string(), fc.anything({ maxDepth: 2 })) }),
);

const DEFAULTS: Record<string, Record<string, unknown>> = Object.fromEntries(
  policies.map((p) => [
    p.name,
    Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).map(([k, s]) => [k, (s as { default?: unknown }).default])),
  ]),
);

/**
 * Runs every policy on a resource exactly as the SDK's Analyze does: props
 * through the SDK's deserializer and unknown-checking proxy, config defaults
 * as the CLI fills them. Returns the messages; throws only if a policy throws
 * something other than the SDK's not-applicable signal.
 */
export function runPolicies(type: string, props: Record<string, unknown>, name = "r"): { policy: string; message: string }[] {
  const reports: { policy: string; message: string }[] = [];
  const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(props ?? {})));
  for (const policy of policies) {
    const report: ReportViolation = (message) => void reports.push({ policy: policy.name, message: typeof message === "string" ? message : String(message) });
    try {
      (policy.validateResource as (a: ResourceValidationArgs, r: ReportViolation) => void)(policyArgs(type, name, struct, policy.name, false), report);
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return reports;
}

class NotApplicable extends Error {}

/** A policy's arguments as the SDK builds them; Remediate keeps secrets as secrets (deserializeProperties' second argument). */
function policyArgs(type: string, name: string, struct: Struct, policy: string, keepSecrets: boolean): ResourceValidationArgs {
  return {
    type,
    name,
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    props: unknownCheckingProxy(deserializeProperties(struct, keepSecrets)),
    opts: {},
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => DEFAULTS[policy],
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  } as unknown as ResourceValidationArgs;
}

/** Each remediating policy's remediateResource on the props, as the SDK's Remediate calls it. */
export function remediateAll(type: string, props: Record<string, unknown>, name = "r"): Record<string, Record<string, unknown> | undefined> {
  const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(props ?? {})));
  const results: Record<string, Record<string, unknown> | undefined> = {};
  for (const policy of policies) {
    if (policy.remediateResource)
      results[policy.name] = policy.remediateResource(policyArgs(type, name, struct, policy.name, true)) as Record<string, unknown> | undefined;
  }
  return results;
}

/** Raised by runPoliciesStrictly when the pack hit an internal error, even one it turned into an advisory. */
export class PackInternalError extends Error {}

/**
 * runPolicies that fails on anything the pack itself would call an internal
 * error: a "could not analyse/evaluate … (internal …)" advisory, or any
 * write to stderr (where the pack logs what it caught).
 */
export function runPoliciesStrictly(type: string, props: Record<string, unknown>, name = "r"): { policy: string; message: string }[] {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let reports: { policy: string; message: string }[];
  try {
    reports = runPolicies(type, props, name);
    remediateAll(type, props, name);
  } finally {
    process.stderr.write = write;
  }
  const internal = reports.find((r) => /could not (analyse|evaluate) this .*internal/.test(r.message));
  if (internal || written.length) throw new PackInternalError(`${type}: ${internal?.message ?? written.join("").slice(0, 500)}`);
  return reports;
}

/** Test-only fault injection: replaces an exported function of a pack module for the duration of `run`. */
export function withFault<T>(module: Record<string, unknown>, name: string, run: () => T): T {
  const original = module[name];
  module[name] = () => {
    throw new TypeError("injected fault");
  };
  try {
    return run();
  } finally {
    module[name] = original;
  }
}

/** Milliseconds `run` takes, best of `times` (a noisy machine's fairest single figure). */
export function bestMs(run: () => void, times = 3): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}
