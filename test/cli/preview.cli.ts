/**
 * `pulumi preview --policy-pack` and `pulumi up --policy-pack` with the real CLI, engine and policy host.
 *
 * The programs are Automation API inline programs (tools/pulumi-cli/harness: the CLI calls back into the
 * harness, so no language host is needed), and the providers they use (aws, gcp, azure-native) are stand-ins
 * that accept inputs as given and log every real create: the cloud is the one thing that is not real. The
 * pack runs through the same executable launcher as in analyze.cli.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { harnessBinary, packLauncher, pulumiBinary } from "../../scripts/pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const b64 = (text: string) => Buffer.from(text).toString("base64");
let work: string;
let harness: string;
let launcher: string;
let runs = 0;

before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), "kubelet-guard-preview-"));
  harness = harnessBinary();
  // PATH: the CLI, and the harness under the names of the providers the programs use.
  const bin = path.join(work, "bin");
  mkdirSync(bin);
  symlinkSync(pulumiBinary(), path.join(bin, "pulumi"));
  for (const pkg of ["aws", "gcp", "azure-native"]) symlinkSync(harness, path.join(bin, `pulumi-resource-${pkg}`));
  launcher = packLauncher(ROOT, path.join(work, "pack"));
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Resource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  secret?: string[];
  interpolate?: string;
}

/** The environment of one run: offline, its own backend and home, the CLI and the stand-ins first on PATH. */
function cliEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.join(work, "bin")}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${dir}`,
    PULUMI_CONFIG_PASSPHRASE: "kubelet-guard-tests",
    PULUMI_SKIP_UPDATE_CHECK: "1",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // The CLI built from source reports no version for the Automation API to check.
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}

/** Runs one program on a fresh stack; returns the CLI's output, its exit status and the stand-in creates. */
function run(command: "preview" | "up", resources: Resource[], policyPackConfig?: Record<string, unknown>) {
  const dir = path.join(work, `run-${++runs}`);
  mkdirSync(dir);
  const config = policyPackConfig ? path.join(dir, "policy-config.json") : undefined;
  if (config) writeFileSync(config, JSON.stringify(policyPackConfig));
  const spec = path.join(dir, "program.json");
  writeFileSync(spec, JSON.stringify({ command, workDir: dir, stack: "dev", policyPack: launcher, policyPackConfig: config, resources }));
  const creates = path.join(dir, "creates.log");
  const result = spawnSync(harness, [spec], {
    cwd: dir,
    encoding: "utf8",
    timeout: 300_000,
    env: { ...cliEnv(dir), STANDIN_CREATE_LOG: creates },
  });
  const created = existsSync(creates) ? readFileSync(creates, "utf8").trim().split("\n") : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, created: created.map((urn) => urn.split("::").pop()), dir, env: cliEnv(dir) };
}

/** The "Policies:" section of the CLI's output: one line per finding, and the message lines under it. */
const policiesSection = (stdout: string) => {
  const start = stdout.indexOf("Policies:");
  if (start === -1) return "";
  const end = stdout.indexOf("\n\n", start);
  return stdout.slice(start, end === -1 ? undefined : end);
};

/** The section as the CLI prints it: the pack's status, then one finding (its heading line, then the lines under it). */
const expectedSection = (status: string, heading?: string, under: string[] = []) =>
  [
    "Policies:",
    `    ${status} kubelet-guard@v0.1.0 (local: ${launcher})`,
    ...(heading ? [`        - ${heading}`] : []),
    ...under.map((l) => `          ${l}`),
  ].join("\n");

const INSECURE_AL2 = b64("#!/bin/bash\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--read-only-port=10255'\n");
const SECURE_AL2 = b64("#!/bin/bash\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--max-pods=20'\n");

describe("pulumi preview --policy-pack (the real CLI, an inline program, stand-in providers)", () => {
  it("fails a preview with a violating launch template, naming the policy, the resource and the user-data line", () => {
    const { status, stdout } = run("preview", [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: INSECURE_AL2 } }]);
    assert.equal(status, 1, stdout);
    assert.equal(
      policiesSection(stdout),
      expectedSection("❌", "[mandatory] [severity: high]  kubelet-read-only-port  (aws:ec2:LaunchTemplate: workers)", [
        "The kubelet's unauthenticated read-only port must be disabled (0).",
        "user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ]),
    );
  });
  it("passes a compliant program with a launch template, a GKE node pool, an AKS pool and a resource it does not read", () => {
    const { status, stdout } = run("preview", [
      { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: SECURE_AL2 } },
      {
        type: "gcp:container/nodePool:NodePool",
        name: "pool",
        props: { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE", podPidsLimit: 4096 } } },
      },
      { type: "azure-native:containerservice:AgentPool", name: "aks", props: { kubeletConfig: { podMaxPids: 4096 } } },
      { type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "logs" } },
    ]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /\+ {2}aws:ec2:LaunchTemplate workers create/);
    assert.equal(policiesSection(stdout), expectedSection("✅"));
  });
  it("gives user data interpolated from an unknown output one advisory and no failure", () => {
    const { status, stdout } = run("preview", [
      {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "workers",
        props: { userData: "#!/bin/bash\n/etc/eks/bootstrap.sh {id} --kubelet-extra-args '--read-only-port=10255'\n" },
        interpolate: "userData",
      },
    ]);
    assert.equal(status, 0, stdout);
    assert.equal(
      policiesSection(stdout),
      expectedSection("⚠️", "[advisory] [severity: low]  kubelet-node-config-verifiable  (aws:ec2:LaunchTemplate: workers)", [
        "Every part of a node's kubelet configuration should be readable before deployment.",
        "userData is computed from other resources and not known in this run, so it cannot be checked here; if it configures a kubelet, kubelet-guard checks it in a run where the value is known",
      ]),
    );
  });
  it("reports a secret user data's finding without its other lines", () => {
    const userData = b64("#!/bin/bash\nexport TOKEN=s3cr3t-t0ken\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n");
    const { status, stdout, stderr } = run("preview", [
      { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData }, secret: ["userData"] },
    ]);
    assert.equal(status, 1, stdout);
    assert.match(policiesSection(stdout), /user data line 3: --read-only-port=10255 serves the kubelet API/);
    assert.doesNotMatch(stdout + stderr, /s3cr3t/);
  });
  it("lets --policy-pack-config lower a policy to advisory: the preview then passes with the finding shown", () => {
    const { status, stdout } = run("preview", [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: INSECURE_AL2 } }], {
      "kubelet-read-only-port": "advisory",
    });
    assert.equal(status, 0, stdout);
    assert.match(policiesSection(stdout), /- \[advisory\] \[severity: high\] {2}kubelet-read-only-port {2}\(aws:ec2:LaunchTemplate: workers\)/);
  });
});

describe("--policy-pack-config level remediate: the CLI applies kubelet-guard's fix", () => {
  const FIXED_AL2 = b64("#!/bin/bash\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--read-only-port=0'\n");
  it("pulumi preview reports the remediation and passes", () => {
    const { status, stdout } = run("preview", [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: INSECURE_AL2 } }], {
      "kubelet-read-only-port": "remediate",
    });
    assert.doesNotMatch(stdout, /\[mandatory\]/);
    assert.equal(status, 0, stdout);
    // the CLI counts the resources each remediating policy changed
    assert.equal(policiesSection(stdout), expectedSection("✅", "[remediate]  kubelet-read-only-port  (1 resource)"));
  });
  it("what cannot be fixed for certain (a value computed at boot) fails the preview as mandatory", () => {
    const computed = b64('#!/bin/bash\nPORT=10255\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args "--read-only-port=$PORT"\n');
    const { status, stdout } = run("preview", [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: computed } }], {
      "kubelet-read-only-port": "remediate",
    });
    assert.equal(status, 1, stdout);
    assert.match(policiesSection(stdout), /- \[mandatory\] \[severity: high\] {2}kubelet-read-only-port {2}\(aws:ec2:LaunchTemplate: workers\)/);
  });
  it("pulumi up deploys the fixed user data: only --read-only-port's value changed", () => {
    const { status, stdout, created, dir, env } = run(
      "up",
      [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: INSECURE_AL2 } }],
      {
        "kubelet-read-only-port": "remediate",
      },
    );
    assert.equal(status, 0, stdout);
    assert.deepEqual(created, ["workers"]);
    const exported = spawnSync(pulumiBinary(), ["stack", "export", "--stack", "dev"], { cwd: dir, env, encoding: "utf8", timeout: 120_000 });
    const resources = (JSON.parse(exported.stdout) as { deployment: { resources: { type: string; inputs: Record<string, unknown> }[] } }).deployment.resources;
    assert.equal(resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")?.inputs.userData, FIXED_AL2);
  });
});

describe("pulumi up --policy-pack", () => {
  it("a mandatory violation stops the update before the provider's create is called", () => {
    const { status, stdout, created } = run("up", [
      { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: INSECURE_AL2 } },
      {
        type: "gcp:container/nodePool:NodePool",
        name: "pool",
        props: { nodeConfig: { kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE", podPidsLimit: 4096 } } },
      },
    ]);
    assert.equal(status, 1, stdout);
    assert.match(policiesSection(stdout), /\[mandatory\] \[severity: high\] {2}kubelet-read-only-port {2}\(aws:ec2:LaunchTemplate: workers\)/);
    assert.ok(!created.includes("workers"), `created: ${created.join(", ")}`);
  });
  it("a compliant program is created (the stand-in's create log works)", () => {
    const { status, stdout, created } = run("up", [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: SECURE_AL2 } }]);
    assert.equal(status, 0, stdout);
    assert.deepEqual(created, ["workers"]);
  });
  it("pulumi policy analyze --stack reads a deployed stack's state: a finding lowered to advisory at up is mandatory again", () => {
    const deployed = run("up", [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "workers", props: { userData: INSECURE_AL2 } }], {
      "kubelet-read-only-port": "advisory",
    });
    assert.equal(deployed.status, 0, deployed.stdout);
    assert.deepEqual(deployed.created, ["workers"]);
    const analyzed = spawnSync(pulumiBinary(), ["policy", "analyze", "--stack", "dev", "--policy-pack", launcher], {
      cwd: deployed.dir,
      env: deployed.env,
      encoding: "utf8",
      timeout: 300_000,
    });
    assert.equal(analyzed.status, 1, analyzed.stdout + analyzed.stderr);
    assert.match(analyzed.stdout, /\[mandatory\] \[severity: high\] {2}kubelet-read-only-port {2}\(aws:ec2:LaunchTemplate: workers\)/);
    assert.match(
      analyzed.stdout,
      /user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0/,
    );
  });
});
