import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";

const fixture = (name: string): string => readFileSync(`${__dirname}/../fixtures/userdata/${name}`, "utf8");
const analyze = (value: string, encoding: "plain" | "base64" = "plain") => analyzeUserData({ value, encoding });
const findings = (value: string, encoding: "plain" | "base64" = "plain") => {
  const { node } = analyze(value, encoding);
  return node ? evaluateNode(node).map((f) => [f.policy, f.message]) : [];
};

/** Every format, read from fixtures built from the documented examples: platform and exact findings. */
const EXPECTED: Record<string, { platform: string | null; findings: string[][] }> = {
  // In the style of public eksctl/managed node group user data that edits bootstrap.sh with sed.
  "eksctl-al2-sed-bootstrap.txt": {
    platform: "EKS AL2 (bootstrap.sh)",
    findings: [
      [
        "kubelet-read-only-port",
        "user data part 1 (text/x-shellscript) line 4: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    ],
  },
  // terraform-aws-eks style AL2023 template: a pre-bootstrap jq on the AL2 file name (absent on AL2023), a zero
  // timeout in spec.kubelet.config (defaulted to 4h by the kubelet) and --event-qps=0 (no limit, allowed): quiet.
  "terraform-al2023-prebootstrap.txt": { platform: "EKS AL2023 (nodeadm)", findings: [] },
  // A k8sless-style worker: its own unit name, /opt/bin/kubelet, YAML 1.1 booleans in the config file.
  "k8sless-cloud-init.yaml": {
    platform: "self-managed kubelet",
    findings: [
      [
        "kubelet-anonymous-auth",
        "user data line 10 (/etc/kubernetes/kubelet.yaml): authentication.anonymous.enabled: true lets unauthenticated requests reach the kubelet API; set authentication.anonymous.enabled: false",
      ],
      [
        "kubelet-authorization-mode",
        "user data line 14 (/etc/kubernetes/kubelet.yaml): authorization.mode: AlwaysAllow authorizes every request to the kubelet API; set authorization.mode: Webhook",
      ],
      [
        "kubelet-client-ca-file",
        'user data line 21 (/etc/systemd/system/k8s-kubelet.service): authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle',
      ],
      [
        "kubelet-read-only-port",
        "user data line 15 (/etc/kubernetes/kubelet.yaml): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
      ],
      [
        "kubelet-tls-cert-files",
        "user data line 21 (/etc/systemd/system/k8s-kubelet.service): serverTLSBootstrap not set (kubelet default false) with no serving certificate and key files leaves the kubelet serving a self-signed certificate; set both tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true",
      ],
      [
        "kubelet-pod-pids-limit",
        "user data line 21 (/etc/systemd/system/k8s-kubelet.service): podPidsLimit not set (kubelet default -1) leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set podPidsLimit to a positive limit",
      ],
      [
        "kubelet-config-file-permissions",
        "user data line 4: permissions: '0640' leaves the kubelet config file /etc/kubernetes/kubelet.yaml with mode 640, looser than 600; chmod 600 /etc/kubernetes/kubelet.yaml",
      ],
    ],
  },
  // A kubeadm install guide: the node IP computed at boot stays one unresolved value, not words.
  "kubeadm-guide-ubuntu.sh": {
    platform: "self-managed kubelet",
    findings: [
      [
        "kubelet-protect-kernel-defaults",
        "user data line 7 (/etc/default/kubelet): --protect-kernel-defaults=false lets the kubelet change kernel parameters to the values it wants instead of refusing to start when they differ; remove the flag or set --protect-kernel-defaults=true",
      ],
    ],
  },
  "al2-cloudposse-no-blank-line.txt": {
    platform: "EKS AL2 (bootstrap.sh)",
    findings: [
      [
        "kubelet-read-only-port",
        "user data part 1 (text/x-shellscript) line 4: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    ],
  },
  "kubeadm-ubuntu.sh": {
    platform: "self-managed kubelet",
    findings: [
      [
        "kubelet-node-config-verifiable",
        "user data line 10 (/etc/default/kubelet): --read-only-port=$(computed-at-boot) depends on $(computed-at-boot) that is not visible, so read-only-port cannot be checked",
      ],
    ],
  },
  "windows-managed.ps1": {
    platform: "EKS Windows",
    findings: [
      ["kubelet-anonymous-auth", "user data line 5: --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false"],
    ],
  },
  "al2-env-only.sh": {
    platform: "EKS AL2 (bootstrap.sh)",
    findings: [
      [
        "kubelet-streaming-connection-idle-timeout",
        "user data line 2: --streaming-connection-idle-timeout=0 disables the idle timeout, so idle streaming connections stay open for ever; set --streaming-connection-idle-timeout to a non-zero duration",
      ],
      [
        "kubelet-make-iptables-util-chains",
        "user data line 2: --make-iptables-util-chains=false stops the kubelet keeping the iptables rules pods depend on in line with pod networking; remove the flag or set --make-iptables-util-chains=true",
      ],
    ],
  },
  "al2-env-vars.sh": {
    platform: "EKS AL2 (bootstrap.sh)",
    findings: [
      ["kubelet-anonymous-auth", "user data line 4: --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false"],
      [
        "kubelet-authorization-mode",
        "user data line 4: --authorization-mode=AlwaysAllow authorizes every request to the kubelet API; set --authorization-mode=Webhook",
      ],
    ],
  },
  "al2-jq.sh": {
    platform: "EKS AL2 (bootstrap.sh)",
    // The AMI's kubelet-config.json keeps serverTLSBootstrap: true, which needs the gate the jq edit turns off:
    // the kubelet exits (pkg/kubelet/apis/config/validation/validation.go), so that is the one finding.
    findings: [
      [
        "kubelet-rotate-server-certificates",
        "user data line 5 (/etc/kubernetes/kubelet/kubelet-config.json): the kubelet would refuse to start: featureGates.RotateKubeletServerCertificate: false turns off the RotateKubeletServerCertificate gate that serverTLSBootstrap (--rotate-server-certificates) requires",
      ],
    ],
  },
  "al2-mime-extra-args.txt": {
    platform: "EKS AL2 (bootstrap.sh)",
    findings: [
      [
        "kubelet-read-only-port",
        "user data part 1 (text/x-shellscript) line 7: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    ],
  },
  "al2023-nodeadm.txt": {
    platform: "EKS AL2023 (nodeadm)",
    findings: [
      [
        "kubelet-anonymous-auth",
        "user data part 1 (application/node.eks.aws) line 15: authentication.anonymous.enabled: true lets unauthenticated requests reach the kubelet API; set authentication.anonymous.enabled: false",
      ],
      [
        "kubelet-streaming-connection-idle-timeout",
        "user data part 2 (application/node.eks.aws) line 9: --streaming-connection-idle-timeout=0s disables the idle timeout, so idle streaming connections stay open for ever; set --streaming-connection-idle-timeout to a non-zero duration",
      ],
      [
        "kubelet-tls-cipher-suites",
        "user data part 2 (application/node.eks.aws) line 10: --tls-cipher-suites=TLS_RSA_WITH_AES_128_CBC_SHA offers cipher suites outside the allowed list (TLS_RSA_WITH_AES_128_CBC_SHA); limit --tls-cipher-suites to the allowed suites",
      ],
      [
        "kubelet-node-config-verifiable",
        "user data part 3 (text/x-shellscript) line 2: calls /etc/eks/bootstrap.sh, which on AL2023 (nodeadm) nodes only prints an error and exits 1, so its arguments never reach the kubelet; configure the kubelet through the NodeConfig instead",
      ],
    ],
  },
  "bottlerocket-standalone.toml": {
    platform: "Bottlerocket",
    findings: [
      [
        "kubelet-anonymous-auth",
        "user data line 1: standalone-mode = true lets unauthenticated requests reach the kubelet API; remove settings.kubernetes.standalone-mode = true (it turns on anonymous auth)",
      ],
      [
        "kubelet-authorization-mode",
        "user data line 1: standalone-mode = true authorizes every request to the kubelet API; remove settings.kubernetes.standalone-mode = true (it sets AlwaysAllow)",
      ],
    ],
  },
  "bottlerocket.toml": {
    platform: "Bottlerocket",
    findings: [
      [
        "kubelet-pod-pids-limit",
        "user data line 6: pod-pids-limit = -1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set settings.kubernetes.pod-pids-limit to a positive limit",
      ],
      [
        "kubelet-seccomp-default",
        "user data line 7: seccomp-default = false runs containers without a seccomp profile unless they set one; set settings.kubernetes.seccomp-default = true",
      ],
      ["kubelet-node-config-verifiable", "user data line 9: bootstrap container setup runs code on the host that the pack cannot see"],
    ],
  },
  "cloud-init-kubeadm.yaml": {
    platform: "self-managed kubelet",
    findings: [
      [
        "kubelet-anonymous-auth",
        "user data line 5 (/etc/default/kubelet): --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false",
      ],
      [
        "kubelet-read-only-port",
        "user data line 12 (/etc/kubeadm/join.yaml): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
      [
        "kubelet-rotate-certificates",
        "user data line 13 (/etc/kubeadm/join.yaml): --rotate-certificates=false turns off rotation of the kubelet's client certificate; remove the flag or set --rotate-certificates=true",
      ],
      [
        "kubelet-config-file-permissions",
        "user data line 15: permissions: '0666' leaves the kubelet kubeconfig /var/lib/kubelet/kubeconfig with mode 666, looser than 600; chmod 600 /var/lib/kubelet/kubeconfig",
      ],
      [
        "kubelet-config-file-permissions",
        "user data line 16: owner: ubuntu:ubuntu makes ubuntu:ubuntu the owner of the kubelet kubeconfig /var/lib/kubelet/kubeconfig; chown root:root /var/lib/kubelet/kubeconfig",
      ],
      [
        "kubelet-node-config-verifiable",
        "user data line 21: pipes a script downloaded at boot by curl into a shell, so what it does to the kubelet is not visible",
      ],
    ],
  },
  "flags-only.sh": {
    platform: "self-managed kubelet",
    findings: [],
  },
  "not-kubelet.sh": {
    platform: null,
    findings: [],
  },
  "self-managed-unit.sh": {
    platform: "self-managed kubelet",
    findings: [
      [
        "kubelet-make-iptables-util-chains",
        "user data line 15 (/etc/kubernetes/kubelet-config.yaml): makeIPTablesUtilChains: false stops the kubelet keeping the iptables rules pods depend on in line with pod networking; set makeIPTablesUtilChains: true",
      ],
      [
        "kubelet-seccomp-default",
        "user data line 28 (/etc/systemd/system/kubelet.service.d/20-extra.conf): --seccomp-default=false runs containers without a seccomp profile unless they set one; set --seccomp-default=true",
      ],
      [
        "kubelet-config-file-permissions",
        "user data line 30: chmod 644 /etc/systemd/system/kubelet.service leaves the kubelet service file /etc/systemd/system/kubelet.service with mode 644, looser than 600; chmod 600 /etc/systemd/system/kubelet.service",
      ],
    ],
  },
  "windows.ps1": {
    platform: "EKS Windows",
    findings: [
      [
        "kubelet-read-only-port",
        "user data line 3: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    ],
  },
};

describe("user data formats", () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(name, () => {
      const { node } = analyze(fixture(name));
      assert.equal(node?.platform ?? null, expected.platform);
      assert.deepEqual(findings(fixture(name)), expected.findings);
    });
  }
  it("reads the same user data base64-encoded and gzipped", () => {
    const text = fixture("al2-mime-extra-args.txt");
    assert.deepEqual(findings(gzipSync(text).toString("base64"), "base64"), EXPECTED["al2-mime-extra-args.txt"].findings);
  });
});
