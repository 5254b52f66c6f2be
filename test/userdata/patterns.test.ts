import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";
import { aliasBomb } from "../helpers/documents";

const run = (text: string) => {
  const { node, unverifiable } = analyzeUserData({ value: text, encoding: "plain" });
  return { node, unverifiable, findings: node ? evaluateNode(node) : [] };
};
const messages = (text: string, policy?: string) =>
  run(text)
    .findings.filter((f) => !policy || f.policy === policy)
    .map((f) => f.message);
const policies = (text: string) => run(text).findings.map((f) => f.policy);

describe("EKS AL2 bootstrap.sh", () => {
  it("reads an unquoted single-flag --kubelet-extra-args (as @pulumi/eks writes it)", () => {
    assert.deepEqual(messages("#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args --read-only-port=10255\n", "kubelet-read-only-port"), [
      "user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("reads double-quoted extra args with resolved variables", () => {
    assert.ok(
      policies('#!/bin/bash\nPORT=10255\n/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=${PORT}"\n').includes("kubelet-read-only-port"),
    );
  });
  it("reports extra args that depend on variables it cannot see", () => {
    assert.deepEqual(messages('#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=$PORT"\n', "kubelet-node-config-verifiable"), [
      "user data line 2: --read-only-port=$PORT depends on $PORT that is not visible, so read-only-port cannot be checked",
    ]);
  });
  it("reports --kubelet-extra-args=… which bootstrap.sh does not read", () => {
    assert.match(
      messages("#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args=--read-only-port=10255\n").join("\n"),
      /bootstrap\.sh does not read --kubelet-extra-args=/,
    );
  });
  it("is silent on the AMI's secure defaults", () =>
    assert.deepEqual(messages("#!/bin/bash\n/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--max-pods=110'\n"), []));
  it("lets a later flag override an earlier one", () => {
    assert.deepEqual(messages("#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--anonymous-auth=true --anonymous-auth=false'\n"), []);
  });
  it("reads a script that writes the whole kubelet-config.json before bootstrap.sh", () => {
    const script = [
      "#!/bin/bash",
      "cat > /etc/kubernetes/kubelet/kubelet-config.json <<EOF",
      '{"kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1",',
      ' "authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},',
      ' "serverTLSBootstrap": true}',
      "EOF",
      "/etc/eks/bootstrap.sh c",
      "",
    ].join("\n");
    // The file replaces the AMI's, so the kubelet's own config-file defaults apply to what it leaves out.
    assert.deepEqual(policies(script), []);
    assert.deepEqual(policies(script.replace('"serverTLSBootstrap": true', '"readOnlyPort": 10255')), ["kubelet-read-only-port"]);
  });
  it("applies sed -i substitutions to files the script wrote, such as a user drop-in the AL2 unit reads", () => {
    const script = [
      "#!/bin/bash",
      "cat > /etc/systemd/system/kubelet.service.d/20-extra.conf <<'EOF'",
      "[Service]",
      "Environment='KUBELET_EXTRA_ARGS=--read-only-port=0'",
      "EOF",
      "sed -i 's/--read-only-port=0/--read-only-port=10255/' /etc/systemd/system/kubelet.service.d/20-extra.conf",
      "/etc/eks/bootstrap.sh c",
      "",
    ].join("\n");
    assert.deepEqual(messages(script, "kubelet-read-only-port"), [
      "user data line 6 (/etc/systemd/system/kubelet.service.d/20-extra.conf): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("says that the AL2 kubelet unit reads no /etc/sysconfig/kubelet (amazon-eks-ami kubelet-containerd.service)", () => {
    const script = `#!/bin/bash\necho 'KUBELET_EXTRA_ARGS="--read-only-port=10255"' > /etc/sysconfig/kubelet\n/etc/eks/bootstrap.sh c\n`;
    assert.deepEqual(messages(script, "kubelet-read-only-port"), []);
    assert.deepEqual(messages(script, "kubelet-node-config-verifiable"), [
      "user data line 2 (/etc/sysconfig/kubelet): KUBELET_EXTRA_ARGS is set in /etc/sysconfig/kubelet, which the kubelet's unit does not read, so these flags never reach the kubelet",
    ]);
  });
  it("says when a sed edit of a kubelet file cannot be worked out", () => {
    assert.match(
      messages("#!/bin/bash\nsed -i '/x509/d' /etc/kubernetes/kubelet/kubelet-config.json\n/etc/eks/bootstrap.sh c\n").join("\n"),
      /sed edits \/etc\/kubernetes\/kubelet\/kubelet-config\.json/,
    );
  });
});

describe("shell patterns", () => {
  it("reads <<-EOF heredocs, tee and symbolic chmod", () => {
    const script = [
      "#!/bin/bash",
      "\tcat <<-EOF | tee /var/lib/kubelet/config.yaml",
      "\tapiVersion: kubelet.config.k8s.io/v1beta1",
      "\tkind: KubeletConfiguration",
      "\treadOnlyPort: 10255",
      "\tEOF",
      "chmod go+w /var/lib/kubelet/config.yaml",
      "kubelet --config=/var/lib/kubelet/config.yaml",
      "",
    ].join("\n");
    const found = run(script).findings.map((f) => [f.policy, f.message]);
    assert.deepEqual(
      found.filter(([p]) => p === "kubelet-read-only-port" || p === "kubelet-config-file-permissions"),
      [
        [
          "kubelet-read-only-port",
          "user data line 5 (/var/lib/kubelet/config.yaml): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
        ],
        [
          "kubelet-config-file-permissions",
          "user data line 7: chmod go+w /var/lib/kubelet/config.yaml leaves the kubelet config file /var/lib/kubelet/config.yaml with mode 666, looser than 600; chmod 600 /var/lib/kubelet/config.yaml",
        ],
      ],
    );
  });
  it("reads a direct kubelet invocation with no --config as flags-only", () => {
    assert.deepEqual(
      new Set(policies("#!/bin/bash\nkubelet --kubeconfig=/k &\n")),
      new Set([
        "kubelet-anonymous-auth",
        "kubelet-authorization-mode",
        "kubelet-client-ca-file",
        "kubelet-read-only-port",
        "kubelet-tls-cert-files",
        "kubelet-pod-pids-limit",
      ]),
    );
  });
  it("treats a kubelet whose --config file is not visible as partly unknown", () => {
    assert.deepEqual(policies("#!/bin/bash\n/usr/bin/kubelet --config=/etc/k.yaml --read-only-port=10255\n"), ["kubelet-read-only-port"]);
  });
  it("follows scripts the user data writes and runs", () => {
    const script = ["#!/bin/bash", "cat > /opt/start.sh <<'EOF'", "kubelet --anonymous-auth=true --config=/c", "EOF", "bash /opt/start.sh", ""].join("\n");
    assert.ok(policies(script).includes("kubelet-anonymous-auth"));
  });
  it("reports scripts fetched at boot only when the node runs a kubelet", () => {
    const fetched = "#!/bin/bash\ncurl -o /opt/x.sh https://example.com/x.sh\nbash /opt/x.sh\n";
    assert.equal(run(fetched).node, undefined);
    assert.match(messages(`${fetched}/etc/eks/bootstrap.sh c\n`).join("\n"), /runs \/opt\/x\.sh, which is downloaded at boot by curl/);
  });
  it("is not applicable to user data with no sign of a kubelet", () => {
    assert.equal(run("#!/bin/bash\nyum install -y httpd\necho kubelet-free > /etc/motd\n").node, undefined);
    assert.equal(run("#cloud-config\npackages: [nginx]\n").node, undefined);
  });
});

describe("conditionals", () => {
  it("does not guess a variable set differently in two branches", () => {
    const script = [
      "#!/bin/bash",
      'if [ "$(uname -m)" = "aarch64" ]; then',
      '  EXTRA="--read-only-port=10255"',
      "else",
      '  EXTRA="--read-only-port=0"',
      "fi",
      '/etc/eks/bootstrap.sh c --kubelet-extra-args "$EXTRA"',
      "",
    ].join("\n");
    assert.deepEqual(messages(script), ["user data line 7: $EXTRA is not visible, so no kubelet setting can be checked"]);
  });
  it("keeps a variable known when a branch sets the value it already had", () => {
    const script = [
      "#!/bin/bash",
      "EXTRA=--read-only-port=10255",
      "if true; then",
      "  EXTRA=--read-only-port=10255",
      "fi",
      '/etc/eks/bootstrap.sh c --kubelet-extra-args "$EXTRA"',
      "",
    ];
    assert.deepEqual(policies(script.join("\n")), ["kubelet-read-only-port"]);
  });
  it("treats a default set only when unset as unknown, and an unconditional set as known again", () => {
    const script = ["#!/bin/bash", '[ -z "$ARGS" ] && ARGS="--anonymous-auth=true"', '/etc/eks/bootstrap.sh c --kubelet-extra-args "$ARGS"', ""];
    assert.deepEqual(policies(script.join("\n")), ["kubelet-node-config-verifiable"]);
    script.splice(2, 0, 'ARGS="--anonymous-auth=true"');
    assert.deepEqual(policies(script.join("\n")), ["kubelet-anonymous-auth"]);
  });
  it("reports settings in a branch that may run", () => {
    const script = ["#!/bin/bash", "if [ -f /etc/debug ]; then", "  /etc/eks/bootstrap.sh c --kubelet-extra-args '--anonymous-auth=true'", "fi", ""];
    assert.deepEqual(policies(script.join("\n")), ["kubelet-anonymous-auth"]);
  });
});

describe("systemd units and environment files", () => {
  it("applies drop-ins in file-name order, an empty ExecStart resetting the list", () => {
    const script = [
      "#!/bin/bash",
      "cat > /etc/systemd/system/kubelet.service.d/90-late.conf <<'EOF'",
      "[Service]",
      'Environment="EXTRA=--read-only-port=10255"',
      "EOF",
      "cat > /etc/systemd/system/kubelet.service.d/10-early.conf <<'EOF'",
      "[Service]",
      "ExecStart=",
      "ExecStart=/usr/bin/kubelet --config=/etc/kubernetes/kubelet/kubelet-config.json $EXTRA",
      "EOF",
      "",
    ].join("\n");
    assert.deepEqual(messages(script, "kubelet-read-only-port"), [
      "user data line 4 (/etc/systemd/system/kubelet.service.d/90-late.conf): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("reads KUBELET_EXTRA_ARGS from /etc/default/kubelet for kubeadm nodes, where the rest of the config is the cluster's", () => {
    const script = "#!/bin/bash\necho 'KUBELET_EXTRA_ARGS=--protect-kernel-defaults=false' > /etc/default/kubelet\nkubeadm join 10.0.0.1:6443 --token t\n";
    assert.deepEqual(policies(script), ["kubelet-protect-kernel-defaults"]);
  });
});

describe("cloud-init", () => {
  it("decodes b64 and gzip write_files content", () => {
    const content = gzipSync("KUBELET_EXTRA_ARGS=--anonymous-auth=true\n").toString("base64");
    const config = `#cloud-config\nwrite_files:\n  - path: /etc/default/kubelet\n    encoding: gz+b64\n    content: ${content}\nruncmd:\n  - kubeadm join x\n`;
    assert.deepEqual(messages(config, "kubelet-anonymous-auth"), [
      "user data line 5 (/etc/default/kubelet): --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false",
    ]);
  });
  it("runs bootcmd before write_files and runcmd", () => {
    const config = "#cloud-config\nbootcmd:\n  - echo 'KUBELET_EXTRA_ARGS=--anonymous-auth=true' > /etc/default/kubelet\nruncmd:\n  - kubeadm join x\n";
    assert.deepEqual(policies(config), ["kubelet-anonymous-auth"]);
  });
  it("reports #include URLs it cannot read", () => {
    const mime = [
      "MIME-Version: 1.0",
      "Content-Type: multipart/mixed; boundary=B",
      "",
      "--B",
      "Content-Type: text/x-include-url",
      "",
      "https://example.com/kubelet.sh",
      "--B",
      "Content-Type: text/x-shellscript",
      "",
      "#!/bin/bash",
      "/etc/eks/bootstrap.sh c",
      "--B--",
      "",
    ].join("\n");
    assert.deepEqual(messages(mime, "kubelet-node-config-verifiable"), [
      "user data part 1 (text/x-include-url): cloud-init fetches the content of #include URLs at boot, so it is not visible",
    ]);
  });
});

describe("nodeadm", () => {
  it("reads NodeConfig as JSON", () => {
    const json = JSON.stringify({ apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: { kubelet: { config: { makeIPTablesUtilChains: false } } } });
    assert.deepEqual(policies(json), ["kubelet-make-iptables-util-chains"]);
  });
  it("lets later NodeConfig parts and flags win", () => {
    const parts = (a: string, b: string) =>
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: application/node.eks.aws\n\n${a}\n--B\nContent-Type: application/node.eks.aws\n\n${b}\n--B--\n`;
    const doc = (kubelet: string) => `apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n${kubelet}`;
    assert.deepEqual(policies(parts(doc("    config:\n      readOnlyPort: 10255"), doc("    config:\n      readOnlyPort: 0"))), []);
    assert.deepEqual(policies(parts(doc("    config:\n      readOnlyPort: 0"), doc("    flags: ['--read-only-port=10255']"))), ["kubelet-read-only-port"]);
  });
  it("reports a NodeConfig that does not parse", () => {
    assert.match(messages("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: [unclosed\n").join("\n"), /not valid YAML or JSON/);
  });
  it("bounds YAML alias expansion", () => {
    assert.match(messages(aliasBomb()).join("\n"), /alias/i);
  });
});

describe("Bottlerocket", () => {
  it("does not interpret kubelet-extra-config, which is not a Bottlerocket setting (bottlerocket-core-kit kubelet-config template)", () => {
    const extra = Buffer.from("readOnlyPort: 10255\n").toString("base64");
    assert.deepEqual(messages(`[settings.kubernetes]\nkubelet-extra-config = "${extra}"\n`), [
      "user data line 2: settings.kubernetes.kubelet-extra-config is not a Bottlerocket setting (its kubelet config template has no such input), so it does not configure the kubelet",
    ]);
  });
  it("passes hostname-override as the kubelet flag (kubelet-exec-start-conf)", () => {
    assert.deepEqual(policies('[settings.kubernetes]\nhostname-override = "node-a"\n'), ["kubelet-hostname-override"]);
  });
  it("serves with server-certificate and server-key instead of server TLS bootstrap (kubelet-config template)", () => {
    assert.deepEqual(policies('[settings.kubernetes]\nserver-certificate = "Y2VydA=="\nserver-key = "a2V5"\n'), []);
    assert.deepEqual(policies("[settings.kubernetes]\nserver-tls-bootstrap = false\n"), ["kubelet-tls-cert-files"]);
  });
  it("is silent on its hard-coded secure defaults", () => assert.deepEqual(policies('[settings.kubernetes]\ncluster-name = "c"\nmax-pods = 1_500\n'), []));
  it("reports superpowered host containers", () => {
    assert.deepEqual(messages("[settings.host-containers.admin]\nenabled = true\nsuperpowered = true\n[settings.kubernetes]\n"), [
      "user data line 1: host container admin runs superpowered with code the pack cannot see",
    ]);
  });
});
