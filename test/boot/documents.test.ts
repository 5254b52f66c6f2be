/**
 * Bottlerocket settings as the kubelet gets them (policypack/boot/documents.ts): each setting through
 * bottlerocket-core-kit's kubelet config template (packages/kubernetes-1.31/kubelet-config @a10182f9,
 * kept in test/fixtures/sources/bottlerocket-core-kit), and the settings that run code the pack cannot see.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";
import { BOTTLEROCKET_CLUSTER as cluster, BOTTLEROCKET_TEMPLATE as template, nodeFindings as findings } from "../helpers/userdata";

describe("Bottlerocket settings through the kubelet config template", () => {
  it("a plain cluster join: the template's secure defaults, nothing to report", () => {
    assert.deepEqual(findings(cluster), []);
  });
  it("standalone-mode = true: the template's anonymous auth and AlwaysAllow", () => {
    assert.match(
      template,
      /\{\{#if settings\.kubernetes\.standalone-mode\}\}\naddress: 127\.0\.0\.1\nauthentication:\n {2}anonymous:\n {4}enabled: true\n[\s\S]*?authorization:\n {2}mode: AlwaysAllow\n\{\{else\}\}/,
    );
    assert.deepEqual(findings(`${cluster}standalone-mode = true\n`), [
      "kubelet-anonymous-auth: user data line 5: standalone-mode = true lets unauthenticated requests reach the kubelet API; remove settings.kubernetes.standalone-mode = true (it turns on anonymous auth)",
      "kubelet-authorization-mode: user data line 5: standalone-mode = true authorizes every request to the kubelet API; remove settings.kubernetes.standalone-mode = true (it sets AlwaysAllow)",
    ]);
    assert.deepEqual(findings(`${cluster}standalone-mode = false\n`), []);
  });
  it("pod-pids-limit is podPidsLimit (default 1048576); seccomp-default is seccompDefault; event-qps is eventRecordQPS", () => {
    assert.match(template, /^podPidsLimit: \{\{default 1048576 settings\.kubernetes\.pod-pids-limit\}\}$/m);
    assert.deepEqual(findings(`${cluster}pod-pids-limit = -1\n`), [
      "kubelet-pod-pids-limit: user data line 5: pod-pids-limit = -1 leaves pods without a PID limit, so one pod can exhaust the node's PIDs; set settings.kubernetes.pod-pids-limit to a positive limit",
    ]);
    assert.deepEqual(findings(`${cluster}pod-pids-limit = 4096\n`), []);
    assert.match(template, /^seccompDefault: \{\{default false settings\.kubernetes\.seccomp-default\}\}$/m);
    assert.deepEqual(findings(`${cluster}seccomp-default = true\n`), []);
    assert.match(template, /^eventRecordQPS: \{\{settings\.kubernetes\.event-qps\}\}$/m);
    assert.deepEqual(findings(`${cluster}event-qps = 5\n`), []);
  });
  it("server-tls-bootstrap = false serves a self-signed certificate, unless server-certificate and server-key are given", () => {
    assert.match(
      template,
      /server-certificate\) \(default "" settings\.kubernetes\.server-key\)\)\}\}\ntlsCertFile: "\/etc\/kubernetes\/pki\/kubelet-server\.crt"\ntlsPrivateKeyFile: "\/etc\/kubernetes\/pki\/private\/kubelet-server\.key"\n\{\{else\}\}\nserverTLSBootstrap:/,
    );
    assert.deepEqual(findings(`${cluster}server-tls-bootstrap = false\n`), [
      "kubelet-tls-cert-files: user data line 5: server-tls-bootstrap = false with no serving certificate and key files leaves the kubelet serving a self-signed certificate; set settings.kubernetes.server-tls-bootstrap = true",
    ]);
    assert.deepEqual(findings(`${cluster}server-tls-bootstrap = false\nserver-certificate = "Y2VydA=="\nserver-key = "a2V5"\n`), []);
  });
  it("says what it cannot see: bootstrap containers, enabled superpowered host containers, and a setting Bottlerocket does not have", () => {
    assert.deepEqual(findings(`${cluster}[settings.bootstrap-containers.setup]\nsource = "registry/setup:1"\nmode = "once"\n`), [
      "kubelet-node-config-verifiable: user data line 5: bootstrap container setup runs code on the host that the pack cannot see",
    ]);
    assert.deepEqual(findings(`${cluster}[settings.host-containers.admin]\nenabled = true\nsuperpowered = true\n`), [
      "kubelet-node-config-verifiable: user data line 5: host container admin runs superpowered with code the pack cannot see",
    ]);
    assert.deepEqual(findings(`${cluster}[settings.host-containers.admin]\nenabled = false\nsuperpowered = true\n`), []);
    assert.doesNotMatch(template, /kubelet-extra-config/);
    assert.deepEqual(findings(`${cluster}kubelet-extra-config = "x"\n`), [
      "kubelet-node-config-verifiable: user data line 5: settings.kubernetes.kubelet-extra-config is not a Bottlerocket setting (its kubelet config template has no such input), so it does not configure the kubelet",
    ]);
  });
});

describe("cloud-init write_files (cloudinit/config/cc_write_files.py)", () => {
  const config = (port: number) => `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: ${port}\n`;
  const runcmd = "runcmd:\n  - kubelet --config /etc/kubernetes/k.yaml --anonymous-auth=false --authorization-mode=Webhook --client-ca-file=/etc/ca.crt\n";
  const block = (text: string) => `    content: |\n${text.replace(/^/gm, "      ").trimEnd()}\n`;
  const writeFile = (fields: string) => `#cloud-config\nwrite_files:\n  - path: /etc/kubernetes/k.yaml\n${fields}${runcmd}`;
  const relevant = (text: string) => findings(text).filter((f) => /^kubelet-(read-only-port|config-file-permissions|node-config-verifiable):/.test(f));
  const readOnly = (line: number) =>
    `kubelet-read-only-port: user data line ${line} (/etc/kubernetes/k.yaml): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`;

  it("decodes b64 and gz+b64 content (canonicalize_extraction), located at the content line", () => {
    assert.deepEqual(relevant(writeFile(`    encoding: b64\n    content: ${Buffer.from(config(10255)).toString("base64")}\n`)), [readOnly(5)]);
    assert.deepEqual(relevant(writeFile(`    encoding: gz+b64\n    content: ${gzipSync(config(10255)).toString("base64")}\n`)), [readOnly(5)]);
  });
  it("content that does not decode is reported; an encoding cloud-init does not know is plain text", () => {
    assert.deepEqual(relevant(writeFile('    encoding: base64\n    content: "not base64!"\n')), [
      "kubelet-node-config-verifiable: user data line 3: /etc/kubernetes/k.yaml is written with base64 content that does not decode; none of the kubelet settings in it can be checked",
    ]);
    assert.deepEqual(relevant(writeFile(`    encoding: text/plain\n${block(config(10255))}`)), [readOnly(8)]);
  });
  it("permissions (decode_perms): a string is Python's int(text, 8); an integer (YAML 1.1 reads 0666 as 438), a float or a boolean is the mode itself", () => {
    const loose = (written: string, mode = "666") =>
      `kubelet-config-file-permissions: user data line 4: ${written} leaves the kubelet config file /etc/kubernetes/k.yaml with mode ${mode}, looser than 600; chmod 600 /etc/kubernetes/k.yaml`;
    const permissions = (value: string) => relevant(writeFile(`    permissions: ${value}\n${block(config(0))}`));
    for (const value of ["'0666'", "'666'", "'0o666'", "' +0O6_66 '"]) assert.deepEqual(permissions(value), [loose(`permissions: ${value}`)], value);
    assert.deepEqual(permissions("0666"), [loose("permissions: 0666")]);
    assert.deepEqual(permissions("438"), [loose("permissions: 0666")]);
    assert.deepEqual(permissions("438.9"), [loose("permissions: 0666")]);
    assert.deepEqual(permissions("true"), [loose("permissions: 01", "001")]);
    for (const value of ["'0600'", "384", "0600", "'0o400'", "false"]) assert.deepEqual(permissions(value), [], value);
  });
  it("permissions Python cannot read as octal get cloud-init's default 0644, reported where it is too loose (spaces around digits are read)", () => {
    for (const value of ["'u+rw'", "'0x1a4'", "'0644 '"]) {
      const written = value === "'0644 '" ? "permissions: '0644 '" : `permissions: ${value} (not an octal number, so cloud-init's default 0644)`;
      assert.deepEqual(relevant(writeFile(`    permissions: ${value}\n${block(config(0))}`)), [
        `kubelet-config-file-permissions: user data line 4: ${written} leaves the kubelet config file /etc/kubernetes/k.yaml with mode 644, looser than 600; chmod 600 /etc/kubernetes/k.yaml`,
      ]);
    }
  });
  it("an entry with no path is skipped; content null is an empty file; encodings are case-insensitive, gzip+base64 too", () => {
    assert.deepEqual(relevant(`#cloud-config\nwrite_files:\n  - content: readOnlyPort\n  - path: /etc/kubernetes/k.yaml\n${block(config(10255))}${runcmd}`), [
      readOnly(8),
    ]);
    assert.deepEqual(relevant(writeFile("    content: null\n")), [
      "kubelet-node-config-verifiable: user data line 3 (/etc/kubernetes/k.yaml): the kubelet would refuse to start: the config file /etc/kubernetes/k.yaml is not a KubeletConfiguration object",
    ]);
    assert.deepEqual(relevant(writeFile(`    encoding: BASE64\n    content: ${Buffer.from(config(10255)).toString("base64")}\n`)), [readOnly(5)]);
    assert.deepEqual(relevant(writeFile(`    encoding: gzip+base64\n    content: ${gzipSync(config(10255)).toString("base64")}\n`)), [readOnly(5)]);
    assert.deepEqual(relevant(writeFile(`    encoding: gzip\n    content: ${gzipSync(config(10255)).toString("base64")}\n`)), [
      "kubelet-node-config-verifiable: user data line 3: /etc/kubernetes/k.yaml is written with gzip content that does not decode; none of the kubelet settings in it can be checked",
    ]);
  });
  it("owner: a user alone keeps root's group (extract_usergroup)", () => {
    assert.deepEqual(relevant(writeFile(`    owner: nobody\n${block(config(0))}`)), [
      "kubelet-config-file-permissions: user data line 4: owner: nobody makes nobody:root the owner of the kubelet config file /etc/kubernetes/k.yaml; chown root:root /etc/kubernetes/k.yaml",
    ]);
  });
  it("append: true adds to the file an earlier entry wrote", () => {
    const text = `#cloud-config\nwrite_files:\n  - path: /etc/kubernetes/k.yaml\n    permissions: '0600'\n${block("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n")}  - path: /etc/kubernetes/k.yaml\n    append: true\n${block("readOnlyPort: 10255\n")}${runcmd}`;
    assert.deepEqual(relevant(text), [readOnly(11)]);
  });
});

describe("cloud-init bootcmd and runcmd (cloudinit/util.py shellify, cc_runcmd, cc_bootcmd)", () => {
  const all = (text: string): string[] => {
    const { node } = analyzeUserData({ value: text, encoding: "plain" });
    return node ? evaluateNode(node).map((f) => `${f.policy}: ${f.message}`) : [];
  };
  const READ_ONLY = (line: number) =>
    `kubelet-read-only-port: user data line ${line}: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0`;
  const start = "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'";
  it("a string is a line of shell, a list one command of quoted words, a null (a comment) is skipped", () => {
    assert.deepEqual(all(`#cloud-config\nruncmd:\n  - ${start}\n`), [READ_ONLY(3)]);
    assert.deepEqual(all(`#cloud-config\nruncmd:\n  -\n  - [/etc/eks/bootstrap.sh, c, --kubelet-extra-args, "--read-only-port=10255"]\n`), [READ_ONLY(4)]);
    assert.deepEqual(all(`#cloud-config\nbootcmd:\n  - |\n    echo start\n    ${start}\n`), [READ_ONLY(5)]);
  });
  it("list words are Python's str(): a YAML true is the word True", () => {
    assert.deepEqual(all('#cloud-config\nruncmd:\n  - [kubelet, "--read-only-port=10255", true]\n'), [
      'kubelet-node-config-verifiable: user data line 3: the kubelet would refuse to start: unknown command "True"',
    ]);
  });
  it("an item that is neither (a number, a mapping from a stray colon) fails the module: none of it runs, and that is said", () => {
    assert.deepEqual(all(`#cloud-config\nruncmd:\n  - ${start}\n  - echo done: now\n`), [
      "kubelet-node-config-verifiable: user data line 4: runcmd item 2 is neither a string nor a list, so cloud-init cannot make it a command (util.shellify) and none of runcmd runs",
    ]);
    assert.deepEqual(all(`#cloud-config\nbootcmd:\n  - 20\n  - ${start}\n`), [
      "kubelet-node-config-verifiable: user data line 3: bootcmd item 1 is neither a string nor a list, so cloud-init cannot make it a command (util.shellify) and none of bootcmd runs",
    ]);
    assert.deepEqual(all("#cloud-config\nruncmd:\n  - 20\n  - echo hello\n"), []);
  });
  it("bootcmd runs before write_files, runcmd after: the later write wins", () => {
    const config = (port: number) => `'{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":${port}}'`;
    const kubelet = "  - kubelet --config=/etc/k.json --anonymous-auth=false --authorization-mode=Webhook\n";
    const files = `write_files:\n  - path: /etc/k.json\n    content: ${config(0)}\n`;
    const echo = `  - echo ${config(10255)} > /etc/k.json\n`;
    const text = (module: string) =>
      module === "bootcmd" ? `#cloud-config\nbootcmd:\n${echo}${files}runcmd:\n${kubelet}` : `#cloud-config\nruncmd:\n${echo}${kubelet}${files}`;
    const readOnly = (module: string) => all(text(module)).filter((f) => f.startsWith("kubelet-read-only-port"));
    assert.deepEqual(readOnly("bootcmd"), []);
    assert.deepEqual(readOnly("runcmd"), [
      "kubelet-read-only-port: user data line 3 (/etc/k.json): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
    ]);
  });
  it("a cloud-config that is not YAML is skipped by cloud-init, said only when it concerns a kubelet", () => {
    assert.deepEqual(all(`#cloud-config\nruncmd:\n  - ${start}\n - [\n`), [
      "kubelet-node-config-verifiable: user data: the cloud-config is not valid YAML (A block sequence may not be used as an implicit map key), so cloud-init would skip it",
    ]);
    assert.deepEqual(all("#cloud-config\npackages:\n  - curl\n - [\n"), []);
  });
});

describe("NodeConfig and Bottlerocket documents that cannot be read", () => {
  const all = (text: string): string[] => {
    const { node } = analyzeUserData({ value: text, encoding: "plain" });
    return node ? evaluateNode(node).map((f) => `${f.policy}: ${f.message}`) : [];
  };
  const mime = (type: string, body: string) =>
    `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: ${type}\n\n${body}\n--B--\n`;
  it("a document that is not a node.eks.aws NodeConfig is rejected by nodeadm (api/v1alpha1)", () => {
    const findings = all(mime("application/node.eks.aws", "apiVersion: v1\nkind: ConfigMap\n"));
    assert.ok(
      findings.includes(
        "kubelet-node-config-verifiable: user data part 1 (application/node.eks.aws) line 2: a document in the nodeadm part is not a node.eks.aws NodeConfig, so nodeadm rejects it",
      ),
      findings.join("\n"),
    );
    assert.ok(
      all(mime("application/node.eks.aws", "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: [\n")).some((f) =>
        f.includes("the NodeConfig is not valid YAML or JSON"),
      ),
    );
  });
  it("Bottlerocket settings that are not TOML", () => {
    assert.ok(all('[settings.kubernetes]\ncluster-name = "c"\napi-server = \n').some((f) => f.includes("the Bottlerocket settings are not valid TOML")));
  });
});
