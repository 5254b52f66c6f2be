/**
 * Differential testing of the pack's kubelet layer against the kubelet's own
 * code (oracle/kubelet): seeded, generated start-ups — command lines in every
 * pflag form, config files and drop-ins with YAML 1.1 spellings, zero values
 * the defaulter resets, nulls, wrong types, unknown fields, missing
 * apiVersion/kind — are fed to both, and every CIS-relevant effective value
 * and "would refuse to start" must agree; then the pack's rule verdicts must
 * agree with CIS's text applied to the kubelet's values (cis-expectations.ts).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { computeEffectiveView, refusalOf, type EffectiveView } from "../../policypack/kubelet/effective";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { parseGoDuration } from "../../policypack/kubelet/values";
import { startup } from "../helpers/kubelet";
import { CIS_EXPECTATIONS, expectedViolations } from "./cis-expectations";

export interface StartUp {
  argv: string[];
  files: Record<string, string>;
}

interface OracleAnswer {
  starts: boolean;
  error?: string;
  config?: Record<string, unknown>;
}

/** mulberry32: small, seeded, reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONFIG = "etc/kubelet/config.yaml";
const DIR = "etc/kubelet/conf.d";
const GOOD_CIPHER = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

/** Values per config field: typical, zero, YAML 1.1 spellings, wrong types, null. */
const FIELD_VALUES: Record<string, string[]> = {
  "authentication.anonymous.enabled": ["true", "false", "on", "off", "yes", "No", "y", "n", "TRUE", "null", '"false"', "0"],
  "authentication.webhook.enabled": ["true", "false", "off", "null"],
  "authorization.mode": ["Webhook", "AlwaysAllow", '""', "Webhook,AlwaysAllow", "Node", "null", "on"],
  "authentication.x509.clientCAFile": ["/etc/ca.crt", '""', "null"],
  readOnlyPort: ["0", "10255", "-1", "70000", '"10255"', "null", "0x2807", "0o17", "1_000", "1.5", "1:30"],
  streamingConnectionIdleTimeout: ["0s", '"0"', "4h", "5h", "30m", "0", '""', "0m0s", "null", "1:30", "-1s"],
  makeIPTablesUtilChains: ["true", "false", "off", "null"],
  protectKernelDefaults: ["true", "false", "yes", "null"],
  eventRecordQPS: ["0", "5", "-1", "50", "null", '"5"'],
  tlsCertFile: ["/c.crt", '""'],
  tlsPrivateKeyFile: ["/c.key", '""'],
  rotateCertificates: ["true", "false", "on"],
  serverTLSBootstrap: ["true", "false", "null"],
  "featureGates.RotateKubeletServerCertificate": ["true", "false", "off", "null"],
  "featureGates.DynamicResourceAllocation": ["true"],
  "featureGates.NoSuchGate": ["true"],
  tlsCipherSuites: [`[${GOOD_CIPHER}]`, "[TLS_RSA_WITH_AES_128_GCM_SHA256]", "[NOT_A_CIPHER]", "[]", "null"],
  podPidsLimit: ["-1", "0", "4096", "-7", "null"],
  seccompDefault: ["true", "false", "null"],
  unknownField: ["1"],
  // A null parent removes (drop-in) or zeroes (config file) every field under it.
  authentication: ["null"],
  // Not a map: the decoder refuses it unless a later drop-in writes a map over it.
  featureGates: ["null", "[RotateKubeletServerCertificate]", "5", "{}"],
};

const FLAG_VALUES: Record<string, string[]> = {
  "anonymous-auth": ["true", "false", "0", "F", "yes"],
  "authentication-token-webhook": ["true", "false"],
  "authorization-mode": ["Webhook", "AlwaysAllow", "", "Webhook,AlwaysAllow"],
  "client-ca-file": ["/ca.crt", ""],
  "read-only-port": ["0", "10255", "-1", "0x0", "abc", "70000"],
  "streaming-connection-idle-timeout": ["0", "0s", "4h", "5h", "5", "-1s"],
  "make-iptables-util-chains": ["true", "false"],
  "protect-kernel-defaults": ["true", "false"],
  "hostname-override": ["node-1", ""],
  "event-qps": ["0", "5", "-1", "x"],
  "tls-cert-file": ["/c.crt"],
  "tls-private-key-file": ["/c.key"],
  "rotate-certificates": ["true", "false"],
  "rotate-server-certificates": ["true", "false"],
  "feature-gates": [
    "RotateKubeletServerCertificate=true",
    "RotateKubeletServerCertificate=false",
    "RotateKubeletServerCertificate=true,",
    " RotateKubeletServerCertificate = false ",
    "NoSuchGate=true",
    "RotateKubeletServerCertificate",
    "DynamicResourceAllocation=true,RotateKubeletServerCertificate=0",
    "",
  ],
  "tls-cipher-suites": [GOOD_CIPHER, "NOT_A_CIPHER", `${GOOD_CIPHER},TLS_RSA_WITH_AES_128_GCM_SHA256`],
  "pod-max-pids": ["-1", "0", "100", "-5"],
  "seccomp-default": ["true", "false"],
  "max-pods": ["20", "x"],
};
const BOOL_FLAGS = new Set([
  "anonymous-auth",
  "authentication-token-webhook",
  "make-iptables-util-chains",
  "protect-kernel-defaults",
  "rotate-certificates",
  "rotate-server-certificates",
  "seccomp-default",
]);

/** A YAML body setting some fields, nested as the kubelet's types nest them. */
function yamlBody(pick: <T>(xs: readonly T[]) => T, chance: (p: number) => boolean): string {
  const tree: Record<string, unknown> = {};
  for (const [path, values] of Object.entries(FIELD_VALUES)) {
    if (!chance(0.18)) continue;
    const keys = path.split(".");
    let node = tree;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = pick(values);
  }
  const lines: string[] = [];
  const emit = (node: Record<string, unknown>, indent: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === "string") lines.push(`${indent}${key}: ${value}`);
      else {
        lines.push(`${indent}${key}:`);
        emit(value as Record<string, unknown>, `${indent}  `);
      }
    }
  };
  emit(tree, "");
  // Duplicate keys: the decoder keeps the last.
  if (chance(0.05) && lines.length) lines.push(lines[0].startsWith(" ") ? "readOnlyPort: 0" : lines[0]);
  return lines.length ? `${lines.join("\n")}\n` : "";
}

function document(pick: <T>(xs: readonly T[]) => T, chance: (p: number) => boolean): string {
  const header = chance(0.06) ? (chance(0.5) ? "" : "kind: KubeletConfiguration\n") : "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
  return header + yamlBody(pick, chance);
}

export function generate(seed: number): StartUp {
  const rnd = random(seed);
  const chance = (p: number) => rnd() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const argv: string[] = [];
  const files: Record<string, string> = {};
  if (chance(0.6)) {
    files[CONFIG] = document(pick, chance);
    argv.push(pick([`--config=${CONFIG}`, `--config ${CONFIG}`, `--config=./${CONFIG}`]));
    if (chance(0.1)) {
      argv.push("--config=etc/kubelet/other.yaml");
      files["etc/kubelet/other.yaml"] = document(pick, chance);
    }
  }
  if (chance(0.45)) {
    argv.push(pick([`--config-dir=${DIR}`, `--config-dir ${DIR}`, `--config_dir=${DIR}`]));
    const names = ["10-a.conf", "20-b.conf", "b.conf", "b/x.conf", "b/c/y.conf", "z.conf.bak", ".conf", "a.json"];
    const count = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < count; i++) files[`${DIR}/${pick(names)}`] = document(pick, chance);
  }
  const flagCount = Math.floor(rnd() * 5);
  for (let i = 0; i < flagCount; i++) {
    const name = pick(Object.keys(FLAG_VALUES));
    const value = pick(FLAG_VALUES[name]);
    const spelled = chance(0.1) ? name.replaceAll("-", "_") : name;
    if (BOOL_FLAGS.has(name) && chance(0.2)) argv.push(`--${spelled}`);
    else if (BOOL_FLAGS.has(name) && chance(0.05)) argv.push(`--${spelled}`, value);
    else if (!BOOL_FLAGS.has(name) && chance(0.3) && value !== "") argv.push(`--${spelled}`, value);
    else argv.push(`--${spelled}=${value}`);
  }
  if (chance(0.03))
    argv.push(
      pick([
        "stray",
        "--",
        "--no-such-flag=1",
        "-v=2",
        "--v=3",
        "-anonymous-auth=false",
        "-v",
        "-h",
        "-h=false",
        "-h=0",
        "-h=no",
        "-hv3",
        "--help=false",
        "--version=false",
      ]),
    );
  if (chance(0.03)) argv.push(pick(["--", "-v3"]), pick(["--read-only-port=10255", "x"]));
  if (chance(0.02)) argv.push(`--feature-gates=RotateKubeletServerCertificate=false`, `--feature-gates=RotateKubeletServerCertificate=true`);
  if (chance(0.02)) argv.push("--kubeconfig", "--read-only-port=10255");
  return { argv: argv.flatMap((a) => (a.startsWith("--config ") || a.startsWith("--config-dir ") ? a.split(" ") : [a])), files };
}

const nanos = (v: unknown): number | undefined => {
  const d = parseGoDuration(String(v));
  return d.ok ? d.value : undefined;
};

/** The pack's answer in the oracle's terms. */
export function packAnswer(view: EffectiveView): OracleAnswer {
  const refusal = refusalOf(view);
  if (refusal) return { starts: false, error: refusal.message };
  const get = (name: string): unknown => {
    const s = view.settings.get(name);
    return s?.state === "known" ? s.value : `unknown (${s?.state === "unknown" ? s.reason : "missing"})`;
  };
  const gate = view.gates.get("RotateKubeletServerCertificate");
  const ciphers = get("tls-cipher-suites");
  return {
    starts: true,
    config: {
      anonymousAuth: get("anonymous-auth"),
      webhookAuthentication: get("authentication-token-webhook"),
      authorizationMode: get("authorization-mode"),
      clientCAFile: get("client-ca-file"),
      readOnlyPort: get("read-only-port"),
      streamingConnectionIdleTimeoutNs: nanos(get("streaming-connection-idle-timeout")),
      makeIPTablesUtilChains: get("make-iptables-util-chains"),
      protectKernelDefaults: get("protect-kernel-defaults"),
      hostnameOverride: get("hostname-override"),
      eventRecordQPS: get("event-qps"),
      tlsCertFile: get("tls-cert-file"),
      tlsPrivateKeyFile: get("tls-private-key-file"),
      rotateCertificates: get("rotate-certificates"),
      serverTLSBootstrap: get("rotate-server-certificates"),
      rotateKubeletServerCertificate: gate?.state === "known" ? gate.value : "unknown",
      tlsCipherSuites: ciphers,
      podPidsLimit: get("pod-max-pids"),
      seccompDefault: get("seccomp-default"),
    },
  };
}

/** Differences between the oracle's and the pack's answers; empty when they agree. */
export function compare(oracle: OracleAnswer, pack: OracleAnswer): string[] {
  if (oracle.starts !== pack.starts) return [`starts: kubelet ${oracle.starts} (${oracle.error ?? "ok"}), pack ${pack.starts} (${pack.error ?? "ok"})`];
  if (!oracle.starts) return [];
  const diffs: string[] = [];
  for (const [key, expected] of Object.entries(pack.config!)) {
    // A nil and an empty cipher list are the same to the kubelet (Go's defaults).
    const actual = key === "tlsCipherSuites" ? (oracle.config![key] ?? []) : oracle.config![key];
    if (JSON.stringify(actual) !== JSON.stringify(expected)) diffs.push(`${key}: kubelet ${JSON.stringify(actual)}, pack ${JSON.stringify(expected)}`);
  }
  return diffs;
}

/** The policies among CIS_EXPECTATIONS the pack's rule catalog reports for a start-up, on the generic benchmark. */
function packViolations(sources: ReturnType<typeof startup>): string[] {
  const findings = evaluateNode({ platform: "oracle", benchmark: "generic", sources, files: [], unverifiable: [], problems: [] });
  return [...new Set(findings.map((f) => f.policy).filter((p) => p in CIS_EXPECTATIONS))].sort();
}

/** The rule layer against CIS's text over the kubelet's own effective values. */
function compareVerdicts(config: Record<string, unknown>, pack: string[]): string[] {
  const expected = expectedViolations(config);
  return JSON.stringify(expected) === JSON.stringify(pack) ? [] : [`CIS verdicts: expected [${expected.join(", ")}], pack [${pack.join(", ")}]`];
}

/** Runs start-ups through one oracle binary; answers come back in order. */
export async function askOracle(binary: string, cases: readonly StartUp[]): Promise<OracleAnswer[]> {
  const child = spawn(binary, [], { stdio: ["pipe", "pipe", "inherit"] });
  const answers: OracleAnswer[] = [];
  const lines = createInterface({ input: child.stdout });
  const done = new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => answers.push(JSON.parse(line) as OracleAnswer));
    child.on("error", reject);
    child.stdin.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`oracle exited ${code}`))));
  });
  for (const c of cases) {
    if (!child.stdin.write(`${JSON.stringify(c)}\n`)) await new Promise((r) => child.stdin.once("drain", r));
  }
  child.stdin.end();
  await done;
  return answers;
}

export interface Comparison {
  compared: number;
  disagreements: { seed: number; startUp: StartUp; diffs: string[] }[];
}

export async function runDifferential(binary: string, firstSeed: number, count: number, batch = 2000): Promise<Comparison> {
  const result: Comparison = { compared: 0, disagreements: [] };
  for (let start = 0; start < count; start += batch) {
    const seeds = Array.from({ length: Math.min(batch, count - start) }, (_, i) => firstSeed + start + i);
    const cases = seeds.map(generate);
    const answers = await askOracle(binary, cases);
    cases.forEach((c, i) => {
      const sources = startup(c.argv, c.files);
      const diffs = compare(answers[i], packAnswer(computeEffectiveView(sources)));
      if (!diffs.length && answers[i].starts) diffs.push(...compareVerdicts(answers[i].config!, packViolations(sources)));
      result.compared++;
      if (diffs.length) result.disagreements.push({ seed: seeds[i], startUp: c, diffs });
    });
  }
  return result;
}
