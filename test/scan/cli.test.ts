/** The `kubelet-guard` command line: help, version, the policy list, errors, exit codes and SARIF. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { HELP } from "../../policypack/cli/main";
import { RULES } from "../../policypack/kubelet/rules";
import { kubeletGuard, ROOT, scan } from "../helpers/scan";

const USAGE_HINT = "Run kubelet-guard --help for usage.\n";
const scratch: string[] = [];
after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A program directory inside the repository, so that it finds @pulumi/pulumi as a real program does in its node_modules. */
function program(files: Record<string, string>): string {
  mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, ".bench", "program-"));
  scratch.push(dir);
  writeFileSync(path.join(dir, "Pulumi.yaml"), "name: scratch\nruntime: nodejs\n");
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function configFile(config: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubelet-guard-config-"));
  scratch.push(dir);
  const file = path.join(dir, "config.json");
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
}

describe("help, version and the policy list", () => {
  it("--help lists every option, the formats and the exit codes, on stdout with status 0", async () => {
    const { code, stdout } = await kubeletGuard(["--help"]);
    assert.equal(code, 0);
    assert.equal(stdout, HELP);
    for (const text of [
      "--format text|json|sarif",
      "--config <file>",
      "--stack <name>",
      "-h, --help",
      "-V, --version",
      "kubelet-guard policies",
      "PULUMI_NODEJS_TRANSPILE_ONLY",
    ]) {
      assert.ok(stdout.includes(text), text);
    }
    for (const status of ["0  no mandatory finding", "1  at least one mandatory finding", "2  usage or config error", "3  a program could not run"]) {
      assert.ok(stdout.includes(status), status);
    }
    assert.match(stdout, /kubelet-guard scan <program-dir>\.\.\. \[--format text\|json\|sarif\] \[--config <file>\] \[--stack <name>\]/);
  });
  it("--version prints the package version", async () => {
    const { code, stdout } = await kubeletGuard(["--version"]);
    assert.equal(code, 0);
    assert.equal(stdout, `${(JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version}\n`);
  });
  it("policies lists each policy with its level, severity and CIS ids per benchmark", async () => {
    const { code, stdout } = await kubeletGuard(["policies"]);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split("\n");
    assert.equal(lines.length, RULES.length + 1);
    // CIS Kubernetes Benchmark 1.12 4.2.4 / EKS 1.8 3.2.4: the read-only port.
    assert.match(stdout, /\nkubelet-read-only-port +mandatory +high +generic 4\.2\.4, eks 3\.2\.4, aks 3\.2\.4, gke 3\.2\.4\n/);
    const json = JSON.parse((await kubeletGuard(["policies", "--format", "json"])).stdout) as { name: string; cis: Record<string, string> }[];
    assert.deepEqual(
      json.find((p) => p.name === "kubelet-anonymous-auth"),
      {
        name: "kubelet-anonymous-auth",
        title: "Kubelet anonymous authentication is disabled",
        level: "mandatory",
        severity: "critical",
        cis: { generic: "4.2.1", eks: "3.2.1", aks: "3.2.1", gke: "3.2.1" },
      },
    );
  });
});

describe("usage errors: status 2, one clear line on stderr, nothing scanned", () => {
  const cases: [string, string[], string][] = [
    ["no command", [], "no command given"],
    ["an unknown command", ["check", "examples/gke"], 'unknown command "check" (commands: scan, policies)'],
    ["scan without a directory", ["scan"], "scan needs at least one program directory"],
    ["a missing directory", ["scan", "examples/nope"], "examples/nope: no such directory"],
    [
      "a file, not a directory",
      ["scan", "examples/policy-config.json"],
      "examples/policy-config.json: not a directory (give the directory of a Pulumi program)",
    ],
    ["a directory with no Pulumi program", ["scan", "docs"], "docs: no Pulumi program here (no Pulumi.yaml)"],
    ["a bad --format", ["scan", "examples/gke", "--format", "yaml"], '--format must be text, json or sarif, not "yaml"'],
    [
      "an unknown option",
      ["scan", "examples/gke", "--frmat", "json"],
      "Unknown option '--frmat'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--frmat\"",
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const { code, stdout, stderr } = await kubeletGuard(args);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.equal(stderr, `kubelet-guard: ${message}\n${USAGE_HINT}`);
    });
  }
});

describe("--config is checked like the Pulumi CLI checks --policy-pack-config, and stricter on names and keys", () => {
  const cases: [string, unknown, string[]][] = [
    // pulumi/pulumi pkg/resource/analyzer/config.go: validatePolicyConfig with gojsonschema's wording
    [
      "a number where the schema wants a duration string",
      { "kubelet-streaming-connection-idle-timeout": { maxIdleTimeout: 3600 } },
      ["kubelet-streaming-connection-idle-timeout: maxIdleTimeout: Invalid type. Expected: string, given: integer"],
    ],
    [
      "a misspelled policy",
      { "kubelet-read-only-prot": "advisory" },
      ['kubelet-read-only-prot: no such policy in kubelet-guard (did you mean "kubelet-read-only-port"?); `kubelet-guard policies` lists them'],
    ],
    // config.go parsePolicyConfigs / extractEnforcementLevel
    ["a level the CLI does not know", { all: "warn" }, ['parsing enforcement level for "all": "warn" is not a valid enforcement level']],
    [
      "a level that is not a string",
      { "kubelet-read-only-port": { enforcementLevel: 1 } },
      ['parsing enforcement level for "kubelet-read-only-port": 1 is not a valid enforcement level; must be a string'],
    ],
    [
      "a misspelled key",
      { "kubelet-streaming-connection-idle-timeout": { maxIdleTimout: "2h" } },
      ["kubelet-streaming-connection-idle-timeout: Additional property maxIdleTimout is not allowed"],
    ],
    [
      "an exemption without a reason and with a bad date",
      { "kubelet-read-only-port": { exemptions: [{ resource: "x", expires: "30/06/2027" }] } },
      [
        "kubelet-read-only-port: exemptions.0: reason is required",
        "kubelet-read-only-port: exemptions.0.expires: Does not match pattern '^\\d{4}-\\d{2}-\\d{2}$'",
      ],
    ],
    ["a versioned file of an unknown version", { version: 3, policies: {} }, ["policy pack config version 3 isn't supported; try upgrading the Pulumi CLI"]],
    [
      "a versioned file with a bad policy",
      { version: 2, policies: { "kubelet-pod-pid-limit": { maximum: "many" } } },
      ['kubelet-pod-pid-limit: no such policy in kubelet-guard (did you mean "kubelet-pod-pids-limit"?); `kubelet-guard policies` lists them'],
    ],
  ];
  for (const [what, config, errors] of cases) {
    it(what, async () => {
      const file = configFile(config);
      const { code, stdout, stderr } = await scan(["examples/gke", "--config", file]);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.equal(stderr, `kubelet-guard: invalid policy pack config ${file}:\n${errors.map((e) => `  ${e}\n`).join("")}${USAGE_HINT}`);
    });
  }
  it("a file that is not JSON", async () => {
    const file = configFile("{ all: mandatory }");
    const { code, stderr } = await scan(["examples/gke", "--config", file]);
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`^kubelet-guard: cannot read the policy pack config ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*JSON`));
  });
  it("a valid versioned file applies", async () => {
    const file = configFile({ version: 2, policies: { "kubelet-read-only-port": "advisory" } });
    const { code, stdout } = await scan(["examples/gke", "--stack", "violating", "--config", file]);
    assert.equal(code, 0);
    assert.match(stdout, /0 mandatory, 2 advisory findings/);
  });
});

describe("programs that cannot run: status 3, every program still scanned", () => {
  it("reports the program's own error and the other programs' findings", async () => {
    const broken = program({ "index.ts": 'throw new Error("the program is broken on purpose");\n' });
    const { code, stdout } = await scan([broken, "examples/gke", "--stack", "violating"]);
    assert.equal(code, 3);
    assert.match(stdout, /the program could not run:\n.*the program is broken on purpose/);
    assert.doesNotMatch(stdout, /run-program\.js/);
    assert.match(stdout, /2 mandatory, 0 advisory findings; 1 program\(s\) could not run/);
  });
  it("reports type errors as pulumi preview does (ts-node's TSError), unless PULUMI_NODEJS_TRANSPILE_ONLY is true", async () => {
    const dir = program({ "index.ts": 'import * as pulumi from "@pulumi/pulumi";\nconst port: number = "10255";\nexport const out = pulumi.output(port);\n' });
    const checked = await scan([dir], { typeCheck: true });
    assert.equal(checked.code, 3);
    assert.ok(
      checked.stdout.includes(
        "TSError: \u2a2f Unable to compile TypeScript:\n        index.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'.",
      ),
      checked.stdout,
    );
    assert.equal((await scan([dir])).code, 0);
  });
  it("says how to fix a program whose dependencies are not installed", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kubelet-guard-no-deps-"));
    scratch.push(dir);
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: no-deps\nruntime: nodejs\n");
    writeFileSync(path.join(dir, "index.ts"), "export {};\n");
    const { code, stdout } = await scan([dir]);
    assert.equal(code, 3);
    assert.match(stdout, /cannot find @pulumi\/pulumi from .*: install the program's dependencies first \(npm install\)/);
  });
});

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; helpUri: string; properties: Record<string, unknown> }[] } };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
      suppressions?: { kind: string; justification: string }[];
    }[];
  }[];
}

describe("progress", () => {
  // script(1) from util-linux gives the command a terminal; stdout goes to /dev/null, stderr to the pipe.
  const hasScript = (() => {
    try {
      execFileSync("script", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it("is written to stderr when stderr is a terminal, one line per program", { skip: !hasScript && "script(1) is not installed" }, () => {
    const command = `PULUMI_NODEJS_TRANSPILE_ONLY=true ${JSON.stringify(process.execPath)} bin/policypack/cli/main.js scan examples/gke examples/aks --stack compliant 2>&1 >/dev/null`;
    const out = execFileSync("script", ["-qec", command, "/dev/null"], { cwd: ROOT, encoding: "utf8" });
    assert.deepEqual(out.replace(/\r/g, "").trimEnd().split("\n"), [
      "kubelet-guard: scanning examples/gke (1/2)…",
      "kubelet-guard: scanning examples/aks (2/2)…",
    ]);
  });
});

describe("SARIF 2.1.0", () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validSarif = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/sarif-schema-2.1.0.json"), "utf8")) as object);
  const lineOf = (file: string, text: string): number =>
    readFileSync(path.join(ROOT, file), "utf8")
      .split("\n")
      .findIndex((l) => l.includes(text)) + 1;

  it("is valid against the OASIS schema, with each result on the line that declares the resource", async () => {
    const { stdout, stderr } = await scan(["examples/gke", "--stack", "violating", "--format", "sarif"]);
    assert.equal(stderr, "", "no progress lines when stderr is not a terminal");
    const log = JSON.parse(stdout) as SarifLog;
    assert.ok(validSarif(log), JSON.stringify(validSarif.errors));
    assert.deepEqual(
      log.runs[0].results.map((r) => [
        r.ruleId,
        r.level,
        r.locations[0].physicalLocation.artifactLocation.uri,
        r.locations[0].physicalLocation.region?.startLine,
      ]),
      [
        ["kubelet-read-only-port", "error", "examples/gke/index.ts", lineOf("examples/gke/index.ts", 'new gcp.container.Cluster("gke"')],
        ["kubelet-read-only-port", "error", "examples/gke/index.ts", lineOf("examples/gke/index.ts", 'new gcp.container.NodePool("general"')],
      ],
    );
  });
  it("gives every rule CIS ids per benchmark, a security-severity and a helpUri whose anchor exists", async () => {
    const log = JSON.parse((await scan(["examples/gke", "--stack", "compliant", "--format", "sarif"])).stdout) as SarifLog;
    const docs = readFileSync(path.join(ROOT, "docs/policies.md"), "utf8");
    const rules = log.runs[0].tool.driver.rules;
    assert.equal(rules.length, RULES.length);
    for (const rule of rules) {
      const anchor = rule.helpUri.split("#")[1];
      assert.ok(rule.helpUri.includes("/docs/policies.md#") && docs.includes(`\n## ${anchor}\n`), rule.helpUri);
      assert.match(String(rule.properties["security-severity"]), /^\d\.\d$/);
      assert.deepEqual(rule.properties.cis, RULES.find((r) => r.policy === rule.id)!.refs);
    }
    // CIS 1.12 4.2.1 (anonymous auth) is the catalog's critical: GitHub's "critical" band starts at 9.0.
    assert.ok(Number(rules.find((r) => r.id === "kubelet-anonymous-auth")!.properties["security-severity"]) >= 9);
  });
  it("shows an exempted finding as a suppression with its reason, and names the user-data line", async () => {
    const config = JSON.parse(readFileSync(path.join(ROOT, "examples/policy-config.json"), "utf8")) as Record<string, { exemptions?: { expires?: string }[] }>;
    delete config["kubelet-read-only-port"].exemptions![0].expires;
    const { code, stdout } = await scan(["examples/eks-al2-self-managed", "--stack", "violating", "--format", "sarif", "--config", configFile(config)]);
    assert.equal(code, 1);
    const log = JSON.parse(stdout) as SarifLog;
    assert.ok(validSarif(log), JSON.stringify(validSarif.errors));
    const readOnly = log.runs[0].results.filter((r) => r.ruleId === "kubelet-read-only-port");
    assert.equal(readOnly.length, 1);
    assert.deepEqual(readOnly[0].suppressions, [
      { kind: "external", status: "accepted", justification: 'exempted by "al2-workers": metrics agent moves off :10255 (OPS-1234)' },
    ]);
    assert.match(
      readOnly[0].message.text,
      /^aws:ec2\/launchTemplate:LaunchTemplate al2-workers: user data part 1 \(text\/x-shellscript\) line \d+: --read-only-port=10255/,
    );
    assert.equal(
      readOnly[0].locations[0].physicalLocation.region?.startLine,
      lineOf("examples/eks-al2-self-managed/index.ts", 'new aws.ec2.LaunchTemplate("al2-workers"'),
    );
  });
});
