/**
 * The node's boot: image files and programs as data, user data applied as
 * changes, systemd building the kubelet's exec line (policypack/boot).
 * Sources: amazon-eks-ami templates/al2/runtime/bootstrap.sh and
 * kubelet-containerd.service (0ab84280), nodeadm internal/kubelet/config.go
 * and environment.go, systemd.service(5)/systemd.exec(5)/systemd.unit(5), bash(1).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";

const findings = (script: string, policy?: string): string[] => {
  const { node } = analyzeUserData({ value: script, encoding: "plain" });
  return (node ? evaluateNode(node) : []).filter((f) => !policy || f.policy === policy).map((f) => f.message);
};
const lines = (...l: string[]): string => `${l.join("\n")}\n`;
const READ_ONLY = "kubelet-read-only-port";

describe("EKS AL2: bootstrap.sh as a program (amazon-eks-ami bootstrap.sh, kubelet-containerd.service)", () => {
  it("lets a user drop-in's Environment=KUBELET_EXTRA_ARGS reach the unit's $KUBELET_EXTRA_ARGS when bootstrap.sh writes none", () => {
    const script = lines(
      "#!/bin/bash",
      "cat > /etc/systemd/system/kubelet.service.d/20-mine.conf <<'EOF'",
      "[Service]",
      "Environment='KUBELET_EXTRA_ARGS=--read-only-port=10255'",
      "EOF",
      "/etc/eks/bootstrap.sh my-cluster",
    );
    assert.deepEqual(findings(script, READ_ONLY), [
      "user data line 4 (/etc/systemd/system/kubelet.service.d/20-mine.conf): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("applies drop-ins by name: bootstrap.sh's 30-kubelet-extra-args.conf replaces a user 20-…, a user 40-… replaces it", () => {
    const dropIn = (name: string, args: string) => [
      `cat > /etc/systemd/system/kubelet.service.d/${name} <<'EOF'`,
      "[Service]",
      `Environment='KUBELET_EXTRA_ARGS=${args}'`,
      "EOF",
    ];
    const before = lines("#!/bin/bash", ...dropIn("20-mine.conf", "--read-only-port=10255"), "/etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=20'");
    assert.deepEqual(findings(before, READ_ONLY), []);
    const after = lines("#!/bin/bash", ...dropIn("40-mine.conf", "--read-only-port=10255"), "/etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=20'");
    assert.equal(findings(after, READ_ONLY).length, 1);
  });
  it("gives every option its value word: --enable-docker-bridge takes a following --kubelet-extra-args as its value", () => {
    assert.deepEqual(findings("#!/bin/bash\n/etc/eks/bootstrap.sh --enable-docker-bridge --kubelet-extra-args '--read-only-port=10255' c\n", READ_ONLY), []);
    assert.equal(
      findings("#!/bin/bash\n/etc/eks/bootstrap.sh --enable-docker-bridge true --kubelet-extra-args '--read-only-port=10255' c\n", READ_ONLY).length,
      1,
    );
  });
  it("reads KUBELET_EXTRA_ARGS from the environment only when it is exported", () => {
    assert.deepEqual(findings("#!/bin/bash\nKUBELET_EXTRA_ARGS=--read-only-port=10255\n/etc/eks/bootstrap.sh c\n", READ_ONLY), []);
    assert.equal(findings("#!/bin/bash\nexport KUBELET_EXTRA_ARGS=--read-only-port=10255\n/etc/eks/bootstrap.sh c\n", READ_ONLY).length, 1);
    assert.equal(findings("#!/bin/bash\nset -a\nKUBELET_EXTRA_ARGS=--read-only-port=10255\n/etc/eks/bootstrap.sh c\n", READ_ONLY).length, 1);
    assert.equal(findings("#!/bin/bash\nKUBELET_EXTRA_ARGS=--read-only-port=10255 /etc/eks/bootstrap.sh c\n", READ_ONLY).length, 1);
  });
  it("applies a sed that adds KUBELET_EXTRA_ARGS+=… after bootstrap.sh's KUBELET_EXTRA_ARGS= line (a public user-data pattern)", () => {
    const script = lines(
      "#!/bin/bash",
      `sed -i '/^KUBELET_EXTRA_ARGS=/a KUBELET_EXTRA_ARGS+=" --read-only-port=10255"' /etc/eks/bootstrap.sh`,
      "/etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=20'",
    );
    assert.deepEqual(findings(script, READ_ONLY), [
      "user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("reads bootstrap.sh run through a shell, and says when its arguments are computed at boot", () => {
    assert.equal(findings("#!/bin/bash\nbash /etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n", READ_ONLY).length, 1);
    assert.deepEqual(findings("#!/bin/bash\n/etc/eks/bootstrap.sh ${ClusterName} ${BootstrapArguments}\n"), [
      "user data line 2: bootstrap.sh is given ${BootstrapArguments}, which is not visible, so the kubelet flags it may pass cannot be checked",
    ]);
  });
  it("says that lines appended to bootstrap.sh run after it has started the kubelet, and do not change it", () => {
    const script = "#!/bin/bash\necho 'KUBELET_EXTRA_ARGS=--read-only-port=10255' >> /etc/eks/bootstrap.sh\n/etc/eks/bootstrap.sh c\n";
    assert.deepEqual(findings(script, READ_ONLY), []);
    assert.deepEqual(findings(script), [
      "user data line 2: appends to /etc/eks/bootstrap.sh, which runs the appended lines only after it has started the kubelet, so they do not change it",
    ]);
  });
  it("lets a user's own --config replace the AMI's kubelet-config.json (the last --config wins, server.go)", () => {
    const script = lines(
      "#!/bin/bash",
      "cat > /etc/kubernetes/mine.yaml <<'EOF'",
      "apiVersion: kubelet.config.k8s.io/v1beta1",
      "kind: KubeletConfiguration",
      "authentication:",
      "  x509:",
      "    clientCAFile: /etc/kubernetes/pki/ca.crt",
      "EOF",
      "/etc/eks/bootstrap.sh c --kubelet-extra-args '--config=/etc/kubernetes/mine.yaml'",
    );
    // The AMI's file sets readOnlyPort 0 and serverTLSBootstrap; the user's file leaves them at the v1beta1 defaults.
    assert.deepEqual(findings(script, READ_ONLY), []);
    assert.deepEqual(findings(script.replace("kind: KubeletConfiguration", "kind: KubeletConfiguration\nreadOnlyPort: 10255"), READ_ONLY), [
      "user data line 5 (/etc/kubernetes/mine.yaml): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0",
    ]);
  });
  it("applies a sed -i to the AMI's kubelet-config.json on the image's real text", () => {
    const script = lines(
      "#!/bin/bash",
      `sed -i 's/"readOnlyPort": 0,/"readOnlyPort": 10255,/' /etc/kubernetes/kubelet/kubelet-config.json`,
      "/etc/eks/bootstrap.sh c",
    );
    assert.equal(findings(script, READ_ONLY).length, 1);
  });
});

describe("systemd builds the exec line (systemd.service(5), systemd.exec(5), systemd.unit(5))", () => {
  const unit = (name: string, execStart: string, extra: string[] = []) => [
    `cat > /etc/systemd/system/${name} <<'EOF'`,
    "[Service]",
    ...extra,
    `ExecStart=${execStart}`,
    "EOF",
  ];
  it("finds the kubelet in any unit, whatever its name or launcher", () => {
    for (const exec of [
      "/opt/bin/kubelet --read-only-port=10255",
      "/usr/local/bin/hyperkube kubelet --read-only-port=10255",
      "/usr/lib/coreos/kubelet-wrapper --read-only-port=10255",
      "/usr/bin/docker run --rm --net=host -v /etc/kubernetes:/etc/kubernetes registry.k8s.io/kubelet:v1.34.0 kubelet --read-only-port=10255",
    ]) {
      assert.equal(findings(lines("#!/bin/bash", ...unit("k8s-kubelet.service", exec)), READ_ONLY).length, 1, exec);
    }
    assert.deepEqual(findings(lines("#!/bin/bash", ...unit("k8s-kubelet.service", "/usr/bin/kubectl proxy --port=10255"))), []);
  });
  it("does not pass the argv[0] of an @-prefixed ExecStart as an argument", () => {
    assert.equal(findings(lines("#!/bin/bash", ...unit("kubelet.service", "@/usr/bin/kubelet kubelet --read-only-port=10255")), READ_ONLY).length, 1);
    // The flags after argv[0] are read: the port is set, not left at the flags-only default.
    assert.deepEqual(findings(lines("#!/bin/bash", ...unit("kubelet.service", "@/usr/bin/kubelet kubelet --read-only-port=0")), READ_ONLY), []);
  });
  it("orders drop-ins by byte value (strcmp), not by locale", () => {
    const dropIn = (name: string, port: number) => [
      `cat > /etc/systemd/system/kubelet.service.d/${name} <<'EOF'`,
      "[Service]",
      `Environment="PORT=--read-only-port=${port}"`,
      "EOF",
    ];
    // "10-B.conf" sorts before "10-a.conf" in byte order: 10-a's value is the last.
    const script = lines("#!/bin/bash", ...unit("kubelet.service", "/usr/bin/kubelet $PORT"), ...dropIn("10-a.conf", 0), ...dropIn("10-B.conf", 10255));
    assert.deepEqual(findings(script, READ_ONLY), []);
  });
  it("lets EnvironmentFile= override Environment= for the same variable, whatever their order", () => {
    const script = lines(
      "#!/bin/bash",
      "echo 'ARGS=--read-only-port=10255' > /etc/kubelet.env",
      ...unit("kubelet.service", "/usr/bin/kubelet $ARGS", ["EnvironmentFile=/etc/kubelet.env", "Environment=ARGS=--read-only-port=0"]),
    );
    assert.deepEqual(findings(script, READ_ONLY), [
      "user data line 2 (/etc/kubelet.env): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("splits $VAR at whitespace but passes ${VAR} as one argument", () => {
    const env = ['Environment="ARGS=--read-only-port=10255 --anonymous-auth=false"'];
    assert.equal(findings(lines("#!/bin/bash", ...unit("kubelet.service", "/usr/bin/kubelet $ARGS", env)), READ_ONLY).length, 1);
    const braced = findings(lines("#!/bin/bash", ...unit("kubelet.service", "/usr/bin/kubelet ${ARGS}", env)));
    assert.equal(braced.length, 1);
    assert.match(braced[0], /would refuse to start: invalid argument "10255 --anonymous-auth=false" for "--read-only-port" flag/);
  });
});

describe("kubeadm nodes: the packages' unit and 10-kubeadm.conf (kubernetes/release packages), kubeadm-flags.env", () => {
  const join = (extraArgs: string) =>
    [
      "cat > /etc/kubeadm/join.yaml <<'EOF'",
      "apiVersion: kubeadm.k8s.io/v1beta3",
      "kind: JoinConfiguration",
      "nodeRegistration:",
      "  kubeletExtraArgs:",
      `    ${extraArgs}`,
      "EOF",
      "kubeadm join --config /etc/kubeadm/join.yaml",
    ].join("\n");
  it("puts $KUBELET_EXTRA_ARGS (/etc/default/kubelet) after $KUBELET_KUBEADM_ARGS (kubeletExtraArgs), so the former wins", () => {
    const script = lines("#!/bin/bash", "echo 'KUBELET_EXTRA_ARGS=--read-only-port=0' > /etc/default/kubelet", join('read-only-port: "10255"'));
    assert.deepEqual(findings(script, READ_ONLY), []);
    assert.deepEqual(findings(lines("#!/bin/bash", join('read-only-port: "10255"')), READ_ONLY), [
      "user data line 7 (/etc/kubeadm/join.yaml): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("lets a user drop-in's Environment= reach the kubeadm unit's $KUBELET_EXTRA_ARGS", () => {
    const script = lines(
      "#!/bin/bash",
      "cat > /etc/systemd/system/kubelet.service.d/20-mine.conf <<'EOF'",
      "[Service]",
      'Environment="KUBELET_EXTRA_ARGS=--read-only-port=10255"',
      "EOF",
      "kubeadm join 10.0.0.1:6443 --token t",
    );
    assert.equal(findings(script, READ_ONLY).length, 1);
  });
});

describe("cloud-init (cloudinit/config: write_files, then runcmd) and units the user data starts", () => {
  it("runs a script write_files placed, started by a oneshot unit from runcmd, and points at the script's own line", () => {
    const cloudConfig = [
      "#cloud-config",
      "write_files:",
      "  - path: /usr/local/bin/kubelet-setup.sh",
      "    permissions: '0755'",
      "    content: |",
      "      #!/bin/bash",
      "      echo 'KUBELET_EXTRA_ARGS=--read-only-port=10255' > /etc/default/kubelet",
      "  - path: /etc/systemd/system/kubelet-setup.service",
      "    content: |",
      "      [Service]",
      "      Type=oneshot",
      "      ExecStart=/bin/bash /usr/local/bin/kubelet-setup.sh",
      "runcmd:",
      "  - systemctl enable --now kubelet-setup.service",
      "  - kubeadm join 10.0.0.1:6443 --token t",
      "",
    ].join("\n");
    assert.deepEqual(findings(cloudConfig, READ_ONLY), [
      "user data line 7 (/etc/default/kubelet): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
    assert.deepEqual(findings(cloudConfig.replace("enable --now", "enable"), READ_ONLY), []);
  });
});

describe("k3s and RKE2: their kubelet (k3s pkg/daemons/agent agent_linux.go) and the install script (docs.k3s.io configuration)", () => {
  it("reads --kubelet-arg given to the install script after `sh -s -`, in INSTALL_K3S_EXEC, and on the k3s command line", () => {
    assert.deepEqual(findings("#!/bin/bash\ncurl -sfL https://get.k3s.io | K3S_TOKEN=t sh -s - agent --kubelet-arg=read-only-port=10255\n", READ_ONLY), [
      "user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
    assert.equal(
      findings('#!/bin/bash\ncurl -sfL https://get.k3s.io | INSTALL_K3S_EXEC="agent --kubelet-arg read-only-port=10255" sh -\n', READ_ONLY).length,
      1,
    );
    assert.equal(findings("#!/bin/bash\nk3s agent --server https://s:6443 --kubelet-arg=read-only-port=10255\n", READ_ONLY).length, 1);
  });
  it("reads kubelet-arg from /etc/rancher/<distro>/config.yaml", () => {
    const script = lines(
      "#!/bin/bash",
      "mkdir -p /etc/rancher/rke2",
      "cat > /etc/rancher/rke2/config.yaml <<'EOF'",
      "kubelet-arg:",
      "  - anonymous-auth=true",
      "EOF",
      "curl -sfL https://get.rke2.io | INSTALL_RKE2_TYPE=agent sh -",
    );
    assert.deepEqual(findings(script, "kubelet-anonymous-auth"), [
      "user data line 5 (/etc/rancher/rke2/config.yaml): --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false",
    ]);
  });
  it("is quiet on a plain install: k3s sets --read-only-port=0 and its own configuration, which is not guessed", () => {
    assert.deepEqual(findings("#!/bin/bash\ncurl -sfL https://get.k3s.io | sh -\n"), []);
  });
});

describe("shell semantics (bash(1))", () => {
  it("uses the default of ${VAR:-d} for an empty value, and of ${VAR-d} only for an unset one", () => {
    assert.equal(findings('#!/bin/bash\nP=""\nkubelet --read-only-port=${P:-10255}\n', READ_ONLY).length, 1);
    assert.match(findings('#!/bin/bash\nP=""\nkubelet --read-only-port=${P-10255}\n', READ_ONLY)[0], /invalid argument "" for "--read-only-port"/);
    assert.deepEqual(findings("#!/bin/bash\nP=0\nkubelet --read-only-port=${P:-10255} --config=/c\n", READ_ONLY), []);
  });
  it("runs a function's body only where the function is called", () => {
    const define = "configure() {\n  kubelet --read-only-port=10255\n}\n";
    assert.deepEqual(findings(`#!/bin/bash\n${define}kubelet --read-only-port=0 --config=/c\n`, READ_ONLY), []);
    assert.equal(findings(`#!/bin/bash\n${define}configure\n`, READ_ONLY).length, 1);
    assert.equal(findings("#!/bin/bash\nfunction configure {\n  kubelet --read-only-port=10255\n}\nconfigure\n", READ_ONLY).length, 1);
  });
  it("keeps the file name when cp, mv or install copy into a directory (coreutils)", () => {
    const write = "cat > /tmp/kubelet.yaml <<'EOF'\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\nEOF\n";
    for (const copy of [
      "cp /tmp/kubelet.yaml /etc/kubernetes/",
      "mv /tmp/kubelet.yaml /etc/kubernetes",
      "install -m 0600 -t /etc/kubernetes /tmp/kubelet.yaml",
    ])
      assert.equal(findings(`#!/bin/bash\n${write}${copy}\nkubelet --config=/etc/kubernetes/kubelet.yaml\n`, READ_ONLY).length, 1, copy);
  });
  it("gives a file install copies mode 0755 unless -m says otherwise", () => {
    const script = "#!/bin/bash\ninstall /tmp/c.yaml /var/lib/kubelet/config.yaml\nkubelet --config=/var/lib/kubelet/config.yaml\n";
    assert.deepEqual(findings(script, "kubelet-config-file-permissions"), [
      "user data line 2: install (mode 755 unless -m is given) /var/lib/kubelet/config.yaml leaves the kubelet config file /var/lib/kubelet/config.yaml with mode 755, looser than 600; chmod 600 /var/lib/kubelet/config.yaml",
    ]);
  });
  it("stops at exit", () => {
    assert.deepEqual(findings("#!/bin/bash\nkubelet --read-only-port=0\nexit 0\nkubelet --read-only-port=10255\n", READ_ONLY), []);
  });
});

describe("EKS AL2023: nodeadm (nodeadm internal/kubelet/config.go, environment.go)", () => {
  const nodeConfig = (kubelet: string) => `---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: c\n  kubelet:\n${kubelet}`;
  const mime = (...parts: [string, string][]) =>
    `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n${parts.map(([type, body]) => `--B\nContent-Type: ${type}\n\n${body}\n`).join("")}--B--\n`;
  const userDropIn = [
    "text/x-shellscript",
    "#!/bin/bash\ncat > /etc/kubernetes/kubelet/config.json.d/50-mine.conf <<'EOF'\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\nEOF",
  ] as [string, string];
  it("never reads user drop-ins when nodeadm passes no --config-dir (no spec.kubelet.config)", () => {
    assert.deepEqual(findings(mime(["application/node.eks.aws", nodeConfig("    flags: [--max-pods=20]")], userDropIn), READ_ONLY), []);
  });
  it("reads them in name order around 40-nodeadm.conf when spec.kubelet.config is set", () => {
    assert.equal(findings(mime(["application/node.eks.aws", nodeConfig("    config:\n      maxPods: 20")], userDropIn), READ_ONLY).length, 1);
  });
  it("puts spec.kubelet.flags after nodeadm's own flags, so a user's --config there wins", () => {
    const script = [
      "text/x-shellscript",
      "#!/bin/bash\ncat > /etc/mine.yaml <<'EOF'\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\nEOF",
    ] as [string, string];
    assert.equal(findings(mime(script, ["application/node.eks.aws", nodeConfig("    flags: [--config=/etc/mine.yaml]")]), READ_ONLY).length, 1);
  });
});

describe("systemd's unit files, exactly (systemd.unit(5) load path and drop-ins, systemd.service(5), systemd.exec(5))", () => {
  const write = (path: string, ...body: string[]) => [`cat > ${path} <<'EOF'`, ...body, "EOF"];
  const run = (...l: string[]) => findings(lines("#!/bin/bash", ...l), READ_ONLY);
  const kubelet = (flags: string) => ["[Service]", `ExecStart=/usr/bin/kubelet ${flags}`];
  const FINDING = (line: number, file: string) =>
    `user data line ${line} (${file}): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0`;
  it("a unit in /etc/systemd/system masks the same unit in /usr/lib/systemd/system, and /run the one in /lib", () => {
    assert.deepEqual(
      run(
        ...write("/usr/lib/systemd/system/kubelet.service", ...kubelet("--read-only-port=10255")),
        ...write("/etc/systemd/system/kubelet.service", ...kubelet("--read-only-port=0")),
      ),
      [],
    );
    assert.deepEqual(
      run(
        ...write("/run/systemd/system/kubelet.service", ...kubelet("--read-only-port=10255")),
        ...write("/lib/systemd/system/kubelet.service", ...kubelet("--read-only-port=0")),
      ),
      [FINDING(4, "/run/systemd/system/kubelet.service")],
    );
  });
  it("a drop-in in /etc replaces the same-named drop-in elsewhere; drop-ins of all directories apply in name order", () => {
    const dropIn = (dir: string, name: string, port: number) =>
      write(`${dir}/kubelet.service.d/${name}`, "[Service]", `Environment=PORT=--read-only-port=${port}`);
    const unit = write("/usr/lib/systemd/system/kubelet.service", "[Service]", "ExecStart=/usr/bin/kubelet $PORT");
    assert.deepEqual(run(...unit, ...dropIn("/etc/systemd/system", "50-port.conf", 0), ...dropIn("/usr/lib/systemd/system", "50-port.conf", 10255)), []);
    assert.deepEqual(run(...unit, ...dropIn("/usr/lib/systemd/system", "60-port.conf", 10255), ...dropIn("/etc/systemd/system", "50-port.conf", 0)), [
      FINDING(8, "/usr/lib/systemd/system/kubelet.service.d/60-port.conf"),
    ]);
  });
  it("reads only [Service], skips # and ; comments and blank lines, and joins backslash continuations", () => {
    assert.deepEqual(
      run(
        ...write(
          "/etc/systemd/system/kubelet.service",
          "[Unit]",
          "ExecStart=/usr/bin/kubelet --read-only-port=10255",
          "[Service]",
          "; ExecStart=/usr/bin/kubelet --read-only-port=10255",
          "# ExecStart=/usr/bin/kubelet --read-only-port=10255",
          "",
          "ExecStart=/usr/bin/kubelet \\",
          "  --anonymous-auth=false \\",
          "  --read-only-port=0",
          "[Install]",
          "ExecStart=/usr/bin/kubelet --read-only-port=10255",
        ),
      ),
      [],
    );
    assert.deepEqual(run(...write("/etc/systemd/system/kubelet.service", "[Service]", "ExecStart=/usr/bin/kubelet \\", "  --read-only-port=10255")), [
      FINDING(4, "/etc/systemd/system/kubelet.service"),
    ]);
  });
  it("Environment= takes several quoted assignments; an empty EnvironmentFile= empties the list", () => {
    assert.deepEqual(
      run(
        ...write(
          "/etc/systemd/system/kubelet.service",
          "[Service]",
          'Environment="A=--anonymous-auth=false" "PORT=--read-only-port=10255"',
          "ExecStart=/usr/bin/kubelet $A $PORT",
        ),
      ),
      [FINDING(4, "/etc/systemd/system/kubelet.service")],
    );
    const reset = run(
      "echo 'PORT=--read-only-port=10255' > /etc/kubelet.env",
      ...write(
        "/etc/systemd/system/kubelet.service",
        "[Service]",
        "EnvironmentFile=/etc/kubelet.env",
        "EnvironmentFile=",
        "Environment=PORT=--read-only-port=0",
        "ExecStart=/usr/bin/kubelet $PORT",
      ),
    );
    assert.deepEqual(reset, []);
  });
  it("ExecStart prefixes (-, +, !) and launchers (env, nice) still run the kubelet; a shell or another program does not", () => {
    for (const exec of [
      "-/usr/bin/kubelet",
      "+/usr/bin/kubelet",
      "!/usr/bin/kubelet",
      "/usr/bin/env /usr/bin/kubelet",
      "/usr/bin/nice -n 5 /usr/bin/kubelet",
    ]) {
      assert.deepEqual(
        run(...write("/etc/systemd/system/kubelet.service", "[Service]", `ExecStart=${exec} --read-only-port=10255`)),
        [FINDING(4, "/etc/systemd/system/kubelet.service")],
        exec,
      );
    }
    assert.deepEqual(run(...write("/etc/systemd/system/kubelet.service", "[Service]", "ExecStart=/usr/bin/kubeletctl --read-only-port=10255")), []);
    assert.deepEqual(
      run(...write("/etc/systemd/system/kubelet.service", "[Service]", "ExecStart=/usr/bin/python3 /usr/bin/kubelet --read-only-port=10255")),
      [],
    );
  });
  it("an unset $VAR in ExecStart expands to nothing", () => {
    assert.deepEqual(run(...write("/etc/systemd/system/kubelet.service", "[Service]", "ExecStart=/usr/bin/kubelet $UNSET --read-only-port=10255")), [
      FINDING(4, "/etc/systemd/system/kubelet.service"),
    ]);
  });
  it("a drop-in or environment file that is not visible leaves unknown what it may set, never the kubelet's defaults", () => {
    const all = (...l: string[]) => findings(lines("#!/bin/bash", ...l));
    const unit = (...body: string[]) => write("/etc/systemd/system/kubelet.service", "[Service]", ...body);
    assert.deepEqual(
      all("curl -o /etc/systemd/system/kubelet.service.d/20-x.conf https://example.com/x.conf", ...unit("ExecStart=/usr/bin/kubelet --read-only-port=0")),
      [
        "user data line 2: the unit file /etc/systemd/system/kubelet.service.d/20-x.conf is downloaded at boot by curl, so its content is not visible",
        "user data line 5 (/etc/systemd/system/kubelet.service): the ExecStart= of kubelet.service depends on /etc/systemd/system/kubelet.service.d/20-x.conf that is not visible, so no kubelet setting can be checked",
      ],
    );
    // A flag after the unknown variable still decides its setting.
    const env = all(
      "curl -o /etc/kubelet.env https://example.com/x.env",
      ...unit("EnvironmentFile=/etc/kubelet.env", "ExecStart=/usr/bin/kubelet $ARGS --read-only-port=10255"),
    );
    assert.equal(env[0], FINDING(6, "/etc/systemd/system/kubelet.service"));
    assert.equal(
      env[1],
      "user data line 2: /etc/kubelet.env is downloaded at boot by curl, so its content is not visible; none of the kubelet flags in it can be checked",
    );
    assert.match(
      env[2],
      /^user data line 6 \(\/etc\/systemd\/system\/kubelet.service\): \$ARGS depends on \/etc\/kubelet.env that is not visible, so anonymous-auth, /,
    );
    assert.equal(env.length, 3);
  });
});
