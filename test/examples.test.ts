/** The example programs, scanned by `kubelet-guard scan` under Pulumi's mocks through the built pack. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { scan } from "./helpers/scan";

const EXAMPLES = ["eks-al2023-nodeadm", "eks-al2-self-managed", "eks-bottlerocket", "eks-components", "aks", "gke", "kubeadm-gce", "karpenter", "cluster-api"];

interface JsonReport {
  programs: {
    dir: string;
    error?: string;
    resources: { type: string; name: string; findings: { policy: string; level: string; message: string; suppressed?: { reason: string } }[] }[];
  }[];
  mandatory: number;
}

const rows = (report: JsonReport) =>
  report.programs.flatMap((p) => p.resources.flatMap((r) => r.findings.map((f) => [path.basename(p.dir), r.name, f.policy, f.level, f.message])));

/** What each example's "violating" stack must produce, exactly. */
const VIOLATIONS = [
  [
    "eks-al2023-nodeadm",
    "al2023-workers",
    "kubelet-anonymous-auth",
    "mandatory",
    "user data part 1 (application/node.eks.aws) line 15: authentication.anonymous.enabled: true lets unauthenticated requests reach the kubelet API; set authentication.anonymous.enabled: false",
  ],
  [
    "eks-al2023-nodeadm",
    "al2023-workers",
    "kubelet-read-only-port",
    "mandatory",
    "user data part 1 (application/node.eks.aws) line 12: readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
  ],
  [
    "eks-al2023-nodeadm",
    "al2023-workers",
    "kubelet-streaming-connection-idle-timeout",
    "mandatory",
    "user data part 1 (application/node.eks.aws) line 17: --streaming-connection-idle-timeout=0 disables the idle timeout, so idle streaming connections stay open for ever; set --streaming-connection-idle-timeout to a non-zero duration",
  ],
  [
    "eks-al2-self-managed",
    "al2-workers",
    "kubelet-anonymous-auth",
    "mandatory",
    "user data part 1 (text/x-shellscript) line 7: --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false",
  ],
  [
    "eks-al2-self-managed",
    "al2-workers",
    "kubelet-read-only-port",
    "mandatory",
    "user data part 1 (text/x-shellscript) line 7: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
  ],
  [
    "eks-al2-self-managed",
    "al2-workers",
    "kubelet-config-file-permissions",
    "mandatory",
    "user data part 1 (text/x-shellscript) line 3: chmod 666 /etc/kubernetes/kubelet/kubelet-config.json leaves the kubelet config file /etc/kubernetes/kubelet/kubelet-config.json with mode 666, looser than 644; chmod 644 /etc/kubernetes/kubelet/kubelet-config.json",
  ],
  [
    "eks-bottlerocket",
    "bottlerocket-workers",
    "kubelet-anonymous-auth",
    "mandatory",
    "user data line 2: standalone-mode = true lets unauthenticated requests reach the kubelet API; remove settings.kubernetes.standalone-mode = true (it turns on anonymous auth)",
  ],
  [
    "eks-bottlerocket",
    "bottlerocket-workers",
    "kubelet-authorization-mode",
    "mandatory",
    "user data line 2: standalone-mode = true authorizes every request to the kubelet API; remove settings.kubernetes.standalone-mode = true (it sets AlwaysAllow)",
  ],
  [
    "eks-components",
    "al2-managed",
    "kubelet-read-only-port",
    "mandatory",
    "kubeletExtraArgs: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
  ],
  [
    "eks-components",
    "bottlerocket",
    "kubelet-anonymous-auth",
    "mandatory",
    "bottlerocketSettings: standalone-mode = true lets unauthenticated requests reach the kubelet API; remove settings.kubernetes.standalone-mode = true (it turns on anonymous auth)",
  ],
  [
    "eks-components",
    "bottlerocket",
    "kubelet-authorization-mode",
    "mandatory",
    "bottlerocketSettings: standalone-mode = true authorizes every request to the kubelet API; remove settings.kubernetes.standalone-mode = true (it sets AlwaysAllow)",
  ],
  [
    "aks",
    "aks",
    "kubelet-pod-pids-limit",
    "advisory",
    "agentPoolProfiles[1].kubeletConfig.podMaxPids: -1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set podMaxPids to a positive limit",
  ],
  [
    "gke",
    "gke",
    "kubelet-read-only-port",
    "mandatory",
    'nodePoolDefaults.nodeConfigDefaults.insecureKubeletReadonlyPortEnabled: "TRUE" serves the kubelet API without authentication on port 10255; set insecureKubeletReadonlyPortEnabled to "FALSE"',
  ],
  [
    "gke",
    "general",
    "kubelet-read-only-port",
    "mandatory",
    'nodeConfig.kubeletConfig.insecureKubeletReadonlyPortEnabled: "TRUE" serves the kubelet API without authentication on port 10255; set insecureKubeletReadonlyPortEnabled to "FALSE"',
  ],
  [
    "kubeadm-gce",
    "kubeadm-worker",
    "kubelet-anonymous-auth",
    "mandatory",
    'metadata["startup-script"] line 18 (/etc/kubeadm/join.yaml): --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false',
  ],
  [
    "kubeadm-gce",
    "kubeadm-worker",
    "kubelet-read-only-port",
    "mandatory",
    'metadata["startup-script"] line 5 (/etc/default/kubelet): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0',
  ],
  [
    "kubeadm-gce",
    "kubeadm-worker",
    "kubelet-protect-kernel-defaults",
    "mandatory",
    'metadata["startup-script"] line 5 (/etc/default/kubelet): --protect-kernel-defaults=false lets the kubelet change kernel parameters to the values it wants instead of refusing to start when they differ; remove the flag or set --protect-kernel-defaults=true',
  ],
  [
    "karpenter",
    "default",
    "kubelet-read-only-port",
    "mandatory",
    "spec.userData line 6: readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
  ],
  [
    "cluster-api",
    "workers",
    "kubelet-read-only-port",
    "mandatory",
    "spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
  ],
  [
    "cluster-api",
    "workers",
    "kubelet-streaming-connection-idle-timeout",
    "mandatory",
    "spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs: --streaming-connection-idle-timeout=0 disables the idle timeout, so idle streaming connections stay open for ever; set --streaming-connection-idle-timeout to a non-zero duration",
  ],
];

describe("kubelet-guard scan on the examples", () => {
  it("reports exactly the expected violations on the violating stacks, exit 1", async () => {
    const { code, stdout } = await scan([...EXAMPLES.map((e) => `examples/${e}`), "--stack", "violating", "--format", "json"]);
    assert.equal(code, 1);
    assert.deepEqual(rows(JSON.parse(stdout) as JsonReport), VIOLATIONS);
  });
  it("reports nothing on the compliant stacks, exit 0", async () => {
    const { code, stdout } = await scan([...EXAMPLES.map((e) => `examples/${e}`), "--stack", "compliant", "--format", "json"]);
    assert.deepEqual(rows(JSON.parse(stdout) as JsonReport), []);
    assert.equal(code, 0);
  });
  it("applies a --policy-pack-config file: levels, thresholds, exclusions and a live exemption", async () => {
    // The example file's exemption, renewed to a year from the test's clock, so that the test holds on any date.
    const config = JSON.parse(readFileSync("examples/policy-config.json", "utf8")) as Record<string, { exemptions?: { expires: string }[] }>;
    const nextYear = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    for (const exemption of config["kubelet-read-only-port"].exemptions!) exemption.expires = nextYear;
    const dir = mkdtempSync(path.join(os.tmpdir(), "kubelet-guard-config-"));
    writeFileSync(path.join(dir, "policy-config.json"), JSON.stringify(config));
    const { stdout } = await scan([
      "examples/eks-al2-self-managed",
      "examples/eks-bottlerocket",
      "--stack",
      "violating",
      "--format",
      "json",
      "--config",
      path.join(dir, "policy-config.json"),
    ]);
    rmSync(dir, { recursive: true, force: true });
    const report = JSON.parse(stdout) as JsonReport;
    const found = report.programs.flatMap((p) =>
      p.resources.flatMap((r) => r.findings.map((f) => `${r.name} ${f.policy} ${f.suppressed ? `suppressed (${f.suppressed.reason})` : f.level}`)),
    );
    // al2-workers is exempt from kubelet-read-only-port (for another year): shown as suppressed, not counted;
    // maxIdleTimeout 2h makes the kubelet's 4h default too long on both platforms.
    assert.deepEqual(found, [
      "al2-workers kubelet-anonymous-auth mandatory",
      `al2-workers kubelet-read-only-port suppressed (exempted by "al2-workers" until ${nextYear}: metrics agent moves off :10255 (OPS-1234))`,
      "al2-workers kubelet-streaming-connection-idle-timeout mandatory",
      "al2-workers kubelet-config-file-permissions mandatory",
      "bottlerocket-workers kubelet-anonymous-auth mandatory",
      "bottlerocket-workers kubelet-authorization-mode mandatory",
      "bottlerocket-workers kubelet-streaming-connection-idle-timeout mandatory",
    ]);
  });
});
