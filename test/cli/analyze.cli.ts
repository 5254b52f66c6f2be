/**
 * The real Pulumi CLI drives the built pack: `pulumi policy analyze --file` on stack exports, offline
 * (a file backend in a temporary directory, a passphrase, no update checks, no plugin downloads).
 *
 * The CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi, built by scripts/pulumi-cli.ts) runs a Node.js
 * pack through the Node.js language host, whose module the Go module proxy does not serve. The CLI also
 * runs a policy pack given as an executable (pkg/resource/plugin/analyzer_plugin.go, "launch it directly
 * as a binary analyzer plugin", since 3.255): the tests hand it a two-line launcher that starts the pack
 * with the pack's own @pulumi/pulumi/cmd/run-policy-pack, next to a PulumiPolicy.yaml. The engine, the
 * CLI's config validation, its output and exit status, and the pack are real.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { packLauncher, pulumiBinary } from "../../scripts/pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const b64 = (text: string) => Buffer.from(text).toString("base64");
let pulumi: string;
let work: string;
let launcher: string;

before(() => {
  pulumi = pulumiBinary();
  work = mkdtempSync(path.join(os.tmpdir(), "kubelet-guard-cli-"));
  launcher = packLauncher(ROOT, path.join(work, "pack"));
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Resource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** A `pulumi stack export` (deployment version 3) with a stack, a default provider per package, and the resources. */
function exportFile(resources: Resource[], secretsProvider?: Record<string, unknown>): string {
  const stack = "urn:pulumi:dev::demo::pulumi:pulumi:Stack::demo-dev";
  const providers = [...new Set(resources.map((r) => r.type.split(":")[0]))].map((pkg) => ({
    urn: `urn:pulumi:dev::demo::pulumi:providers:${pkg}::default`,
    custom: true,
    id: `${pkg}-provider`,
    type: `pulumi:providers:${pkg}`,
    inputs: {},
    outputs: {},
  }));
  const file = path.join(work, `export-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      version: 3,
      deployment: {
        manifest: { time: "2026-11-30T00:00:00Z", magic: "", version: "v3.274.1" },
        ...(secretsProvider ? { secrets_providers: secretsProvider } : {}),
        resources: [
          { urn: stack, custom: false, type: "pulumi:pulumi:Stack" },
          ...providers,
          ...resources.map((r) => ({
            urn: `urn:pulumi:dev::demo::${r.type}::${r.name}`,
            custom: true,
            id: `${r.name}-id`,
            type: r.type,
            inputs: r.inputs,
            outputs: r.inputs,
            parent: stack,
            provider: `urn:pulumi:dev::demo::pulumi:providers:${r.type.split(":")[0]}::default::${r.type.split(":")[0]}-provider`,
          })),
        ],
      },
    }),
  );
  return file;
}

interface PolicyEvent {
  resourceUrn: string;
  message: string;
  policyName: string;
  enforcementLevel: string;
}

function analyze(file: string, ...extra: string[]): { status: number; events: PolicyEvent[]; stdout: string; stderr: string } {
  const env = {
    ...process.env,
    PULUMI_HOME: path.join(work, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "kubelet-guard-tests",
    PULUMI_SKIP_UPDATE_CHECK: "1",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const result = spawnSync(pulumi, ["policy", "analyze", "--file", file, "--policy-pack", launcher, "--json", ...extra], {
    cwd: work,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  const events = result.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { policyEvent?: PolicyEvent })
    .flatMap((e) => (e.policyEvent ? [e.policyEvent] : []));
  return { status: result.status ?? -1, events, stdout: result.stdout, stderr: result.stderr };
}

const findings = (events: PolicyEvent[]) => events.map((e) => [e.resourceUrn.split("::").pop(), e.policyName, e.enforcementLevel, e.message.split("\n").pop()]);

const INSECURE_AL2 = b64("#!/bin/bash\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--read-only-port=10255'\n");
const SECURE_AL2 = b64("#!/bin/bash\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--max-pods=20'\n");

describe("pulumi policy analyze --file (the real CLI)", () => {
  it("reports an EKS launch template, a GKE node pool and an AKS pool, and fails on the mandatory findings", () => {
    const file = exportFile([
      { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", inputs: { userData: INSECURE_AL2 } },
      { type: "gcp:container/nodePool:NodePool", name: "pool", inputs: { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "TRUE" } } } },
      { type: "azure-native:containerservice:AgentPool", name: "aks", inputs: { kubeletConfig: { podMaxPids: -1 } } },
      { type: "aws:s3/bucket:Bucket", name: "logs", inputs: { bucket: "logs" } },
    ]);
    const { status, events } = analyze(file);
    assert.equal(status, 1);
    assert.deepEqual(findings(events), [
      [
        "workers",
        "kubelet-read-only-port",
        "mandatory",
        "user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
      [
        "pool",
        "kubelet-read-only-port",
        "mandatory",
        'nodeConfig.kubeletConfig.insecureKubeletReadonlyPortEnabled: "TRUE" serves the kubelet API without authentication on port 10255; set insecureKubeletReadonlyPortEnabled to "FALSE"',
      ],
      [
        "aks",
        "kubelet-pod-pids-limit",
        "advisory",
        "kubeletConfig.podMaxPids: -1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set podMaxPids to a positive limit",
      ],
    ]);
  });
  it("passes a compliant stack with exit 0", () => {
    const file = exportFile([
      { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", inputs: { userData: SECURE_AL2 } },
      { type: "gcp:container/nodePool:NodePool", name: "pool", inputs: { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" } } } },
    ]);
    const { status, events } = analyze(file);
    assert.deepEqual(findings(events), []);
    assert.equal(status, 0);
  });
  it("never shows secret user data: the CLI redacts secrets it cannot decrypt to [secret], which the pack says it cannot read", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc:def" };
    const file = exportFile([{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", inputs: { userData: secret } }], {
      type: "passphrase",
      state: { salt: "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==" },
    });
    const { status, events, stdout } = analyze(file);
    assert.equal(status, 0);
    assert.ok(!stdout.includes("v1:abc:def"));
    assert.deepEqual(findings(events), [
      [
        "workers",
        "kubelet-node-config-verifiable",
        "advisory",
        "user data: the user data is a secret the Pulumi CLI could not decrypt here (it shows as [secret]), so it cannot be read",
      ],
    ]);
  });
  it("applies --policy-pack-config: levels, thresholds and exemptions", () => {
    const file = exportFile([
      {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "workers",
        inputs: { userData: b64("#!/bin/bash\nkubelet --config=/c --streaming-connection-idle-timeout=5h\n") },
      },
      { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "legacy", inputs: { userData: INSECURE_AL2 } },
    ]);
    const config = path.join(work, "policy-config.json");
    const nextYear = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    writeFileSync(
      config,
      JSON.stringify({
        all: "advisory",
        "kubelet-streaming-connection-idle-timeout": { enforcementLevel: "mandatory", maxIdleTimeout: "4h" },
        "kubelet-read-only-port": { exemptions: [{ resource: "legacy", reason: "metrics agent migration", expires: nextYear }] },
      }),
    );
    const { status, events } = analyze(file, "--policy-pack-config", config);
    assert.equal(status, 1);
    assert.deepEqual(
      findings(events).filter(([, policy]) => policy !== "kubelet-node-config-verifiable"),
      [
        [
          "workers",
          "kubelet-streaming-connection-idle-timeout",
          "mandatory",
          "user data line 2: --streaming-connection-idle-timeout=5h keeps idle streaming connections open longer than the allowed 4h; set --streaming-connection-idle-timeout to a non-zero duration of 4h or shorter",
        ],
      ],
    );
  });
  it("rejects a config of the wrong type or an unknown level, as the CLI validates it against the pack's schemas", () => {
    const file = exportFile([{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", inputs: { userData: INSECURE_AL2 } }]);
    const write = (name: string, value: unknown) => {
      const p = path.join(work, name);
      writeFileSync(p, JSON.stringify(value));
      return p;
    };
    const wrongType = analyze(file, "--policy-pack-config", write("bad-type.json", { "kubelet-streaming-connection-idle-timeout": { maxIdleTimeout: 3600 } }));
    assert.notEqual(wrongType.status, 0);
    assert.match(wrongType.stderr, /kubelet-streaming-connection-idle-timeout: maxIdleTimeout: Invalid type\. Expected: string, given: integer/);
    const badLevel = analyze(file, "--policy-pack-config", write("bad-level.json", { "kubelet-read-only-port": { enforcementLevel: "warn" } }));
    assert.notEqual(badLevel.status, 0);
    assert.match(badLevel.stderr, /"warn" is not a valid enforcement level/);
  });
});
