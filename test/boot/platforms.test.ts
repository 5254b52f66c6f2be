/**
 * How each platform hands the kubelet its settings (policypack/boot/node-builder.ts), checked against the
 * programs' sources: k3s pkg/configfilearg/parser.go (readConfigFile, dotDFiles: config.yaml, then
 * config.yaml.d/*.yaml|*.yml by name; `key+` appends, any other key replaces) and pkg/util/args.go (GetArgs:
 * a kubelet-arg replaces k3s's own argument of that name); kubeadm cmd/kubeadm/app/util/config
 * joinconfiguration.go (join reads only the JoinConfiguration), kubeadm v1beta4 kubeletExtraArgs as a list of
 * name/value; amazon-eks-ami bootstrap.sh (options, usage on -h) and the AL2023 bootstrap.sh stub;
 * nodeadm api/v1alpha1 (spec.kubelet.flags is a list of strings); the EKS Windows Start-EKSBootstrap.ps1
 * -KubeletExtraArgs; the kubeadm packages' 10-kubeadm.conf (EnvironmentFile=-/etc/default/kubelet).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANONYMOUS, analyze, file, lines, READ_ONLY } from "../helpers/userdata";

const K3S = "/etc/rancher/k3s/config.yaml";

describe("k3s and RKE2 configuration files (k3s pkg/configfilearg parser.go)", () => {
  it("a drop-in's kubelet-arg replaces config.yaml's list; kubelet-arg+ appends to it", () => {
    const withDropIn = (name: string, key: string, arg: string) =>
      analyze(lines("#!/bin/bash", ...file(K3S, 'kubelet-arg: "read-only-port=10255"'), ...file(`${K3S}.d/${name}`, `${key}:`, `  - "${arg}"`), "k3s agent"));
    assert.deepEqual(withDropIn("10-a.yaml", "kubelet-arg", "anonymous-auth=false"), { platform: "k3s", findings: [] });
    const appended = withDropIn("10-a.yml", "kubelet-arg+", "anonymous-auth=true");
    assert.deepEqual(appended.findings, [ANONYMOUS(`user data line 7 (${K3S}.d/10-a.yml)`), READ_ONLY(`user data line 3 (${K3S})`)]);
  });
  it("reads drop-ins in name order, only *.yaml and *.yml directly in config.yaml.d", () => {
    const script = lines(
      "#!/bin/bash",
      ...file(`${K3S}.d/20-b.YAML`, 'kubelet-arg: ["read-only-port=10255"]'),
      ...file(`${K3S}.d/10-a.yaml`, 'kubelet-arg: ["read-only-port=0"]'),
      ...file(`${K3S}.d/30-c.txt`, 'kubelet-arg: ["read-only-port=0"]'),
      ...file(`${K3S}.d/sub/40-d.yaml`, 'kubelet-arg: ["read-only-port=0"]'),
      "k3s agent",
    );
    assert.deepEqual(analyze(script).findings, [READ_ONLY(`user data line 3 (${K3S}.d/20-b.YAML)`)]);
  });
  it("puts config-file values before command-line ones; a kubelet-arg overrides k3s's own --protect-kernel-defaults in any order", () => {
    const script = lines(
      "#!/bin/bash",
      ...file("/etc/rancher/rke2/config.yaml", 'kubelet-arg: ["anonymous-auth=true", "protect-kernel-defaults=false"]', "protect-kernel-defaults: yes"),
      "curl -sfL https://get.rke2.io | sh -s - agent --kubelet-arg anonymous-auth=false --protect-kernel-defaults",
    );
    const { platform, findings } = analyze(script);
    assert.equal(platform, "RKE2");
    assert.deepEqual(findings, [
      "kubelet-protect-kernel-defaults: user data line 3 (/etc/rancher/rke2/config.yaml): --protect-kernel-defaults=false lets the kubelet change kernel parameters to the values it wants instead of refusing to start when they differ; remove the flag or set --protect-kernel-defaults=true",
    ]);
  });
  it("passes numbers as text (convert.ToString) and says so when a value is not text; stops on a file k3s cannot parse", () => {
    assert.deepEqual(analyze(lines("#!/bin/bash", ...file(K3S, "kubelet-arg:", "  - 5"), "k3s agent")).findings, [
      `kubelet-node-config-verifiable: user data line 4 (${K3S}): the kubelet would refuse to start: unknown flag: --5 (not a flag of kubelet v1.34.4 or v1.37.2)`,
    ]);
    assert.deepEqual(analyze(lines("#!/bin/bash", ...file(K3S, "kubelet-arg:", "  - {a: b}"), "k3s agent")).findings, [
      `kubelet-node-config-verifiable: user data line 4 (${K3S}): kubelet-arg in ${K3S} has a value that is not text, so what k3s passes the kubelet is not visible`,
    ]);
    assert.deepEqual(analyze(lines("#!/bin/bash", ...file(K3S, "kubelet-arg: ["), "k3s agent")).findings, [
      `kubelet-node-config-verifiable: user data line 2 (${K3S}): k3s would not start: ${K3S} cannot be parsed (Flow sequence in block collection must be sufficiently indented and end with a ])`,
    ]);
    assert.deepEqual(analyze(lines("#!/bin/bash", ...file(K3S, "just text"), "k3s agent")).findings, [
      `kubelet-node-config-verifiable: user data line 2 (${K3S}): k3s would not start: ${K3S} is not a YAML mapping`,
    ]);
    assert.deepEqual(
      analyze(lines("#!/bin/bash", "curl -o /etc/rancher/rke2/config.yaml https://example.com/c.yaml", "curl -sfL https://get.rke2.io | sh -")).findings,
      [
        "kubelet-node-config-verifiable: user data line 2: /etc/rancher/rke2/config.yaml is downloaded at boot by curl, so its content is not visible; none of the kubelet arguments in it can be checked",
      ],
    );
  });
});

describe("kubeadm (cmd/kubeadm)", () => {
  const join = (...docs: string[]) => lines("#!/bin/bash", ...file("/etc/kubeadm/join.yaml", ...docs), "kubeadm join --config=/etc/kubeadm/join.yaml");
  it("reads v1beta4 kubeletExtraArgs as a list of name and value", () => {
    const script = join(
      "apiVersion: kubeadm.k8s.io/v1beta4",
      "kind: JoinConfiguration",
      "nodeRegistration:",
      "  kubeletExtraArgs:",
      "    - name: read-only-port",
      '      value: "10255"',
      "    - name: anonymous-auth",
      '      value: "false"',
    );
    assert.deepEqual(analyze(script), { platform: "self-managed kubelet", findings: [READ_ONLY("user data line 7 (/etc/kubeadm/join.yaml)")] });
  });
  it("join ignores a KubeletConfiguration document, and says so; init applies it", () => {
    const docs = ["kind: JoinConfiguration", "---", "apiVersion: kubelet.config.k8s.io/v1beta1", "kind: KubeletConfiguration", "readOnlyPort: 10255"];
    assert.deepEqual(analyze(join("apiVersion: kubeadm.k8s.io/v1beta3", ...docs)).findings, [
      "kubelet-node-config-verifiable: user data line 7 (/etc/kubeadm/join.yaml): kubeadm join ignores this KubeletConfiguration document: the kubelet gets the cluster's configuration (the kubelet-config ConfigMap written at kubeadm init) instead",
    ]);
    const init = join("apiVersion: kubeadm.k8s.io/v1beta3", ...docs)
      .replace("kind: JoinConfiguration", "kind: InitConfiguration")
      .replace("kubeadm join", "kubeadm init");
    assert.deepEqual(analyze(init).findings, [
      "kubelet-read-only-port: user data line 8 (/etc/kubeadm/join.yaml): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
    ]);
  });
  it("says when its config file is missing or cannot be parsed; other subcommands start no kubelet", () => {
    assert.deepEqual(analyze("#!/bin/bash\nkubeadm join --config /etc/kubeadm/missing.yaml\n").findings, [
      "kubelet-node-config-verifiable: user data line 2: kubeadm reads /etc/kubeadm/missing.yaml, which the user data does not write visibly",
    ]);
    assert.deepEqual(analyze(join("kind: JoinConfiguration", "nodeRegistration: {kubeletExtraArgs: [")).findings, [
      "kubelet-node-config-verifiable: user data line 2: the kubeadm config /etc/kubeadm/join.yaml cannot be parsed (Flow sequence in block collection must be sufficiently indented and end with a ])",
    ]);
    assert.deepEqual(analyze("#!/bin/bash\nkubeadm reset -f\n"), { platform: undefined, findings: [] });
  });
  it("reads KUBELET_EXTRA_ARGS from /etc/default/kubelet; says when it is not visible", () => {
    const join = "kubeadm join 10.0.0.1:6443 --token t";
    // systemd reads the file with its own parser (src/basic/env-file.c), not a shell: "export KUBELET_EXTRA_ARGS"
    // is a name with a blank, which src/core/execute.c drops (strv_env_clean_with_callback), so no flag arrives.
    assert.deepEqual(analyze(lines("#!/bin/bash", ...file("/etc/default/kubelet", 'export KUBELET_EXTRA_ARGS="--read-only-port=10255"'), join)).findings, [
      'kubelet-node-config-verifiable: user data line 3 (/etc/default/kubelet): systemd reads /etc/default/kubelet without shell syntax, so "export KUBELET_EXTRA_ARGS" is not a variable name and it ignores the line: nothing in it reaches the kubelet',
    ]);
    assert.deepEqual(analyze(lines("#!/bin/bash", ...file("/etc/default/kubelet", "KUBELET_EXTRA_ARGS=--read-only-port=10255"), join)).findings, [
      READ_ONLY("user data line 3 (/etc/default/kubelet)"),
    ]);
    assert.deepEqual(analyze(lines("#!/bin/bash", "curl -o /etc/default/kubelet https://example.com/k", join)).findings, [
      "kubelet-node-config-verifiable: user data line 2: /etc/default/kubelet is downloaded at boot by curl, so its content is not visible; none of the kubelet flags in it can be checked",
      "kubelet-node-config-verifiable: kubeadm packages /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf line 8 (/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf): $KUBELET_EXTRA_ARGS depends on /etc/default/kubelet that is not visible, so no kubelet setting can be checked",
    ]);
  });
  it("on AL2, flags in an environment file the kubelet unit never reads have no effect, and say so", () => {
    assert.deepEqual(
      analyze(lines("#!/bin/bash", ...file("/etc/default/kubelet", "KUBELET_EXTRA_ARGS=--read-only-port=10255"), "/etc/eks/bootstrap.sh c")).findings,
      [
        "kubelet-node-config-verifiable: user data line 3 (/etc/default/kubelet): KUBELET_EXTRA_ARGS is set in /etc/default/kubelet, which the kubelet's unit does not read, so these flags never reach the kubelet",
      ],
    );
  });
});

describe("EKS: bootstrap.sh's arguments, AL2023 and Windows", () => {
  it("bootstrap.sh -h prints its usage and starts nothing; a cluster-name variable is not a hidden option; other hidden words are", () => {
    assert.deepEqual(analyze("#!/bin/bash\n/etc/eks/bootstrap.sh -h --kubelet-extra-args '--read-only-port=10255'\n").findings, []);
    assert.deepEqual(analyze("#!/bin/bash\n/etc/eks/bootstrap.sh --help --kubelet-extra-args '--read-only-port=10255'\n").findings, []);
    assert.deepEqual(analyze("#!/bin/bash\n/etc/eks/bootstrap.sh ${CLUSTER_NAME} --kubelet-extra-args '--read-only-port=10255'\n"), {
      platform: "EKS AL2 (bootstrap.sh)",
      findings: [READ_ONLY("user data line 2")],
    });
    assert.deepEqual(analyze("#!/bin/bash\n/etc/eks/bootstrap.sh c $EXTRA\n").findings, [
      "kubelet-node-config-verifiable: user data line 2: bootstrap.sh is given $EXTRA, which is not visible, so the kubelet flags it may pass cannot be checked",
    ]);
    assert.deepEqual(analyze("#!/bin/bash\n/etc/eks/bootstrap.sh $CLUSTER $EXTRA\n").findings.length, 1);
    assert.deepEqual(analyze("#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args=--read-only-port=10255\n").findings, [
      "kubelet-node-config-verifiable: user data line 2: bootstrap.sh does not read --kubelet-extra-args=…, so these flags never reach the kubelet (the word is taken as a positional argument, the cluster name if it comes first); pass them as the next argument: --kubelet-extra-args '…'",
    ]);
  });
  it("AL2023: bootstrap.sh only exits 1, nodeadm reads the NodeConfig, whose flags must be strings", () => {
    const userData = lines(
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="B"',
      "",
      "--B",
      "Content-Type: application/node.eks.aws",
      "",
      "apiVersion: node.eks.aws/v1alpha1",
      "kind: NodeConfig",
      "spec:",
      "  kubelet:",
      "    flags:",
      "      - --read-only-port=10255",
      "      - 7",
      "--B",
      "Content-Type: text/x-shellscript",
      "",
      "#!/bin/bash",
      "/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--anonymous-auth=true'",
      "--B--",
    );
    assert.deepEqual(analyze(userData), {
      platform: "EKS AL2023 (nodeadm)",
      findings: [
        READ_ONLY("user data part 1 (application/node.eks.aws) line 6"),
        "kubelet-node-config-verifiable: user data part 1 (application/node.eks.aws) line 7: spec.kubelet.flags[1] is not a string, so nodeadm rejects the NodeConfig",
        "kubelet-node-config-verifiable: user data part 2 (text/x-shellscript) line 2: calls /etc/eks/bootstrap.sh, which on AL2023 (nodeadm) nodes only prints an error and exits 1, so its arguments never reach the kubelet; configure the kubelet through the NodeConfig instead",
      ],
    });
  });
  it("Windows: Start-EKSBootstrap.ps1 -KubeletExtraArgs (any case) reaches the kubelet", () => {
    const ps = (args: string) =>
      lines(
        "<powershell>",
        '[string]$EKSBootstrapScriptFile = "$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1"',
        `& $EKSBootstrapScriptFile -EKSClusterName "c" ${args} 3>&1`,
        "</powershell>",
      );
    assert.deepEqual(analyze(ps('-KubeletExtraArgs "--read-only-port=10255 --anonymous-auth=true"')), {
      platform: "EKS Windows",
      findings: [ANONYMOUS("user data line 3"), READ_ONLY("user data line 3")],
    });
    assert.deepEqual(analyze(ps('-kubeletextraargs "--read-only-port=10255"')).findings, [READ_ONLY("user data line 3")]);
    assert.deepEqual(analyze(ps("")), { platform: "EKS Windows", findings: [] });
  });
  it("Windows: the script called by path or through variables that hold it, with ` continuing a line; another script is not it", () => {
    const windows = (...body: string[]) => analyze(lines("<powershell>", ...body, "</powershell>"));
    assert.deepEqual(
      windows(
        '$base = "$env:ProgramFiles\\Amazon\\EKS"',
        '$script = "$base\\Start-EKSBootstrap.ps1"',
        "& $script -EKSClusterName c `",
        "  -KubeletExtraArgs '--read-only-port=10255'",
      ),
      { platform: "EKS Windows", findings: [READ_ONLY("user data line 4")] },
    );
    assert.deepEqual(
      windows("& \"C:\\Program Files\\Amazon\\EKS\\Start-EKSBootstrap.ps1\" -EKSClusterName c -KubeletExtraArgs '--read-only-port=10255'").findings,
      [READ_ONLY("user data line 2")],
    );
    assert.deepEqual(
      windows(
        '[string]$File = "$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1"',
        "$Second = $File",
        '& $second -EKSClusterName c -KubeletExtraArgs "--anonymous-auth=true"',
      ).findings,
      [ANONYMOUS("user data line 4")],
    );
    // a backtick inside a line is an escape, not a continuation; assignments with or without spaces and a cast
    assert.deepEqual(
      windows(
        'Write-Host "starting`n"',
        '  [string] $s="$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1"',
        "& $s -EKSClusterName c -KubeletExtraArgs '--read-only-port=10255'",
      ).findings,
      [READ_ONLY("user data line 4")],
    );
    assert.deepEqual(windows('$other = "C:\\tools\\setup.ps1"', "& $other -KubeletExtraArgs '--read-only-port=10255'"), { platform: undefined, findings: [] });
  });
});

describe("the kubelet's files", () => {
  it("a config file moved into place replaces the AMI's; one copied out leaves it", () => {
    const config = '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":10255}';
    assert.deepEqual(
      analyze(lines("#!/bin/bash", ...file("/tmp/k.json", config), "mv /tmp/k.json /etc/kubernetes/kubelet/kubelet-config.json", "/etc/eks/bootstrap.sh c"))
        .findings,
      [
        'kubelet-client-ca-file: user data line 6: authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle',
        "kubelet-read-only-port: user data line 3 (/etc/kubernetes/kubelet/kubelet-config.json): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
      ],
    );
    assert.deepEqual(analyze(lines("#!/bin/bash", "cp /etc/kubernetes/kubelet/kubelet-config.json /tmp/k.json", "/etc/eks/bootstrap.sh c")).findings, []);
  });
  it("knows each file's role by its well-known path or the kubelet's own flags, with EKS's and the generic benchmark's modes", () => {
    assert.deepEqual(
      analyze(
        lines(
          "#!/bin/bash",
          "chmod 666 /var/lib/kubelet/kubeconfig /etc/kubernetes/pki/ca.crt /etc/kubernetes/kubelet/kubelet-config.json /tmp/other",
          "chown nobody /etc/kubernetes/kubelet.conf",
          "/etc/eks/bootstrap.sh c",
        ),
      ).findings,
      [
        "kubelet-config-file-permissions: user data line 2: chmod 666 /var/lib/kubelet/kubeconfig leaves the kubelet kubeconfig /var/lib/kubelet/kubeconfig with mode 666, looser than 644; chmod 644 /var/lib/kubelet/kubeconfig",
        "kubelet-config-file-permissions: user data line 2: chmod 666 /etc/kubernetes/kubelet/kubelet-config.json leaves the kubelet config file /etc/kubernetes/kubelet/kubelet-config.json with mode 666, looser than 644; chmod 644 /etc/kubernetes/kubelet/kubelet-config.json",
        "kubelet-config-file-permissions: user data line 3: chown nobody /etc/kubernetes/kubelet.conf makes nobody the owner of the kubelet kubeconfig /etc/kubernetes/kubelet.conf; chown root:root /etc/kubernetes/kubelet.conf",
      ],
    );
    assert.deepEqual(
      analyze(
        lines("#!/bin/bash", "/usr/bin/kubelet --kubeconfig=/etc/my/kc --config=/etc/my/cfg.yaml &", "chmod 644 /etc/my/kc /etc/my/cfg.yaml /etc/my/other"),
      ).findings,
      [
        "kubelet-config-file-permissions: user data line 3: chmod 644 /etc/my/kc leaves the kubelet kubeconfig /etc/my/kc with mode 644, looser than 600; chmod 600 /etc/my/kc",
        "kubelet-config-file-permissions: user data line 3: chmod 644 /etc/my/cfg.yaml leaves the kubelet config file /etc/my/cfg.yaml with mode 644, looser than 600; chmod 600 /etc/my/cfg.yaml",
      ],
    );
  });
  it("a unit under /lib or /usr/lib runs the kubelet; a file in a subdirectory of the drop-in directory is not a drop-in", () => {
    for (const dir of ["/lib", "/usr/lib", "/etc"]) {
      const { platform, findings } = analyze(
        lines("#!/bin/bash", ...file(`${dir}/systemd/system/kubelet.service`, "[Service]", "ExecStart=/usr/bin/kubelet --read-only-port=10255")),
      );
      assert.equal(platform, "self-managed kubelet", dir);
      assert.ok(findings.includes(READ_ONLY(`user data line 4 (${dir}/systemd/system/kubelet.service)`)), dir);
    }
    assert.deepEqual(analyze(lines("#!/bin/bash", ...file("/usr/lib/systemd/system/kubelet.service.d/x/10.conf", "[Service]", "ExecStart=/usr/bin/kubelet"))), {
      platform: undefined,
      findings: [],
    });
  });
});

describe("the well-known kubelet files (kube-bench cfg: cis node.yaml, eks, gke and aks config.yaml)", () => {
  const roles: [path: string, role: string, limit: string][] = [
    ["/var/lib/kubelet/config.yaml", "kubelet config file", "600"],
    ["/var/lib/kubelet/config.yml", "kubelet config file", "600"],
    ["/etc/kubernetes/kubelet-config.yaml", "kubelet config file", "600"],
    ["/etc/kubernetes/kubelet/config.yaml", "kubelet config file", "600"],
    ["/etc/kubernetes/kubelet/kubelet-config.yaml", "kubelet config file", "600"],
    ["/etc/kubernetes/kubelet/kubelet-config.json", "kubelet config file", "600"],
    ["/home/kubernetes/kubelet-config.yaml", "kubelet config file", "600"],
    ["/etc/default/kubeletconfig.json", "kubelet config file", "600"],
    ["/etc/kubernetes/kubelet/config.json.d/10-mine.conf", "kubelet config file", "600"],
    ["/var/lib/kubelet/kubeconfig", "kubelet kubeconfig", "600"],
    ["/etc/kubernetes/kubelet.conf", "kubelet kubeconfig", "600"],
    ["/etc/kubernetes/kubelet/kubeconfig", "kubelet kubeconfig", "600"],
    ["/etc/kubernetes/bootstrap-kubelet.conf", "kubelet kubeconfig", "600"],
    ["/etc/systemd/system/kubelet.service", "kubelet service file", "600"],
    ["/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", "kubelet service file", "600"],
    ["/lib/systemd/system/kubelet.service", "kubelet service file", "600"],
    ["/etc/kubernetes/pki/ca.crt", "kubelet client CA file", "644"],
  ];
  for (const [path, role, limit] of roles) {
    it(`${path}: the ${role}, mode ${limit} or stricter on a kubeadm node; a chmod alone makes the node one to check`, () => {
      const chmod = `kubelet-config-file-permissions: user data line 2: chmod 666 ${path} leaves the ${role} ${path} with mode 666, looser than ${limit}; chmod ${limit} ${path}`;
      assert.ok(analyze(lines("#!/bin/bash", `chmod 666 ${path}`, "kubeadm join 10.0.0.1:6443 --token t")).findings.includes(chmod));
      assert.ok(analyze(lines("#!/bin/bash", `chmod 666 ${path}`)).findings.includes(chmod));
      // one letter off is not the kubelet's file
      assert.deepEqual(analyze(lines("#!/bin/bash", `chmod 666 ${path}x`)), { platform: undefined, findings: [] });
    });
  }
});
