/**
 * The commands a boot script runs, as the node runs them (policypack/boot/script.ts): what they
 * write, copy, fetch, chmod and chown, and the scripts they start. Sources: bash(1) (source, eval,
 * declare -x, temporary assignments, -c), coreutils (chmod symbolic modes, chown OWNER[:GROUP],
 * printf, echo -n/-e), curl(1) -o/--output, wget(1) -O/--output-document, aws s3 cp, jq(1), sed(1),
 * kubeadm join (cmd/kubeadm/app/phases/kubelet: it writes /var/lib/kubelet/config.yaml).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyMode } from "../../policypack/boot/script";
import { ANONYMOUS, findings } from "../helpers/userdata";

const CONFIG = "/etc/kubernetes/kubelet/kubelet-config.json";
/** An AL2 node whose user data runs `body` before bootstrap.sh (which starts the kubelet with the AMI's config file). */
const al2 = (body: string): string => `#!/bin/bash\n${body}\n/etc/eks/bootstrap.sh my-cluster\n`;
const JSON_CONFIG = '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":10255}';
const READ_ONLY_IN_CONFIG = (line: number) =>
  `kubelet-read-only-port: user data line ${line} (${CONFIG}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`;
/** The user's file replaces the AMI's, whose clientCAFile it does not repeat. */
const NO_CLIENT_CA =
  'kubelet-client-ca-file: user data line 3: authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle';
const READ_ONLY_FLAG = (line: number) =>
  `kubelet-read-only-port: user data line ${line}: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0`;

describe("commands that write a file", () => {
  it("printf with %s, or with escapes only; echo -n and echo -e: the text they print, located at the command's line", () => {
    for (const write of [
      `printf '%s\\n' '${JSON_CONFIG}' > ${CONFIG}`,
      `printf '${JSON_CONFIG}\\n' > ${CONFIG}`,
      `echo -n '${JSON_CONFIG}' > ${CONFIG}`,
      // echo -e makes three lines of one: every one of them comes from line 2
      `echo -e '${JSON_CONFIG.replace(/,/g, ",\\n")}' > ${CONFIG}`,
    ]) {
      assert.deepEqual(findings(al2(write)), [NO_CLIENT_CA, READ_ONLY_IN_CONFIG(2)], write);
    }
  });
  it("cat copies another file's content; jq edits with an assignment it can apply", () => {
    assert.deepEqual(findings(al2(`cat > /tmp/k.json <<'EOF'\n${JSON_CONFIG}\nEOF\ncat /tmp/k.json > ${CONFIG}`)), [
      'kubelet-client-ca-file: user data line 6: authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle',
      READ_ONLY_IN_CONFIG(3),
    ]);
    assert.deepEqual(findings(al2(`jq '.readOnlyPort = 10255' ${CONFIG} > /tmp/k && mv /tmp/k ${CONFIG}`)), [READ_ONLY_IN_CONFIG(2)]);
    assert.deepEqual(findings(al2(`jq --arg p 10255 '.readOnlyPort = ($p|tonumber)' ${CONFIG} > /tmp/k && mv /tmp/k ${CONFIG}`)), [
      `kubelet-node-config-verifiable: user data line 2: the jq filter on ${CONFIG} is not one the pack can apply, so the result is not visible`,
    ]);
  });
  it("sed substitutes with basic and extended expressions, -e and -E; appends after bootstrap.sh's KUBELET_EXTRA_ARGS= line", () => {
    assert.deepEqual(findings(al2(`sed -i 's/"readOnlyPort": [0-9]*/"readOnlyPort": 10255/' ${CONFIG}`)), [READ_ONLY_IN_CONFIG(2)]);
    assert.deepEqual(findings(al2(`sed -E -e 's/"readOnlyPort": 0/"readOnlyPort": 10255/' -i ${CONFIG}`)), [READ_ONLY_IN_CONFIG(2)]);
    assert.deepEqual(
      findings(`#!/bin/bash\nsed -i '/KUBELET_EXTRA_ARGS=/a KUBELET_EXTRA_ARGS+=" --read-only-port=10255"' /etc/eks/bootstrap.sh\n/etc/eks/bootstrap.sh c\n`),
      [READ_ONLY_FLAG(2)],
    );
  });
});

describe("files fetched at boot: what the kubelet reads from them cannot be checked, and says so", () => {
  const hidden = (by: string) =>
    `kubelet-node-config-verifiable: user data line 2: ${CONFIG} is downloaded at boot ${by}, so its content is not visible; none of the kubelet settings in it can be checked`;
  for (const [fetch, by] of [
    [`curl -o ${CONFIG} https://example.com/k.json`, "by curl"],
    [`curl -sSo ${CONFIG} https://example.com/k.json`, "by curl"],
    [`curl -sS --output ${CONFIG} https://example.com/k.json`, "by curl"],
    [`curl -o${CONFIG} https://example.com/k.json`, "by curl"],
    [`wget -O ${CONFIG} https://example.com/k.json`, "by wget"],
    [`wget -qO ${CONFIG} https://example.com/k.json`, "by wget"],
    [`wget --output-document=${CONFIG} https://example.com/k.json`, "by wget"],
    [`aws s3 cp s3://bucket/k.json ${CONFIG}`, "from S3"],
  ]) {
    it(fetch.split(" http")[0].split(" s3://")[0], () => assert.deepEqual(findings(al2(fetch)), [hidden(by)]));
  }
  it("- is standard output, not a file: the AMI's own config file stays", () => {
    assert.deepEqual(findings(al2("curl -o - https://example.com/k.json > /tmp/k")), []);
    assert.deepEqual(findings(al2("wget -qO- https://example.com/k.json > /tmp/k")), []);
  });
  it("kubeadm join writes /var/lib/kubelet/config.yaml from the cluster, over what the user data wrote there before", () => {
    const script = `#!/bin/bash\ncat > /var/lib/kubelet/config.yaml <<'EOF'\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\nEOF\nkubeadm join 10.0.0.1:6443 --token abc --discovery-token-ca-cert-hash sha256:0\n`;
    assert.deepEqual(findings(script), []);
  });
});

describe("ownership and modes", () => {
  it("chown OWNER[:GROUP]: a kubelet config file not owned by root:root", () => {
    assert.deepEqual(findings(al2(`chown nobody:nogroup ${CONFIG}`)), [
      `kubelet-config-file-permissions: user data line 2: chown nobody:nogroup ${CONFIG} makes nobody:nogroup the owner of the kubelet config file ${CONFIG}; chown root:root ${CONFIG}`,
    ]);
    assert.deepEqual(findings(al2(`chown nobody ${CONFIG}`)), [
      `kubelet-config-file-permissions: user data line 2: chown nobody ${CONFIG} makes nobody the owner of the kubelet config file ${CONFIG}; chown root:root ${CONFIG}`,
    ]);
    assert.deepEqual(findings(al2(`chown root ${CONFIG}`)), []);
  });
  it("chmod: symbolic modes over the file's mode; a mode left partly unknown is not guessed", () => {
    assert.deepEqual(findings(al2(`chmod a=rw ${CONFIG}`)), [
      `kubelet-config-file-permissions: user data line 2: chmod a=rw ${CONFIG} leaves the kubelet config file ${CONFIG} with mode 666, looser than 644; chmod 644 ${CONFIG}`,
    ]);
    assert.deepEqual(findings(al2(`chmod 600 ${CONFIG}; chmod o+r ${CONFIG}`)), []);
    // the AMI file's own mode is not modelled: g=r leaves u and o unknown, so no mode is claimed
    assert.deepEqual(findings(al2(`chmod g=r ${CONFIG}`)), []);
  });
  it("applyMode follows chmod(1) clause by clause", () => {
    const cases: [mode: string, current: number | undefined, result: number | undefined][] = [
      ["640", undefined, 0o640],
      ["0755", 0o600, 0o755],
      ["u=rw,go=r", undefined, 0o644],
      ["g+w", 0o644, 0o664],
      ["o-r", 0o644, 0o640],
      ["a+x", 0o644, 0o755],
      ["+x", 0o600, 0o711],
      ["=r", 0o777, 0o444],
      ["go=", 0o755, 0o700],
      ["u=rwx,g=rx,o=", undefined, 0o750],
      ["g+w", undefined, undefined],
      ["u=rw", undefined, undefined],
      ["u+z", 0o644, undefined],
    ];
    for (const [mode, current, result] of cases) assert.equal(applyMode(mode, current), result, `${mode} on ${current?.toString(8)}`);
  });
});

describe("scripts that start other scripts and pass them the environment", () => {
  const env = "cat > /tmp/env.sh <<'EOF'\nexport KUBELET_EXTRA_ARGS=--read-only-port=10255\nEOF";
  it("source and . run a file the user data wrote, in the same shell", () => {
    assert.deepEqual(findings(`#!/bin/bash\n${env}\n. /tmp/env.sh\n/etc/eks/bootstrap.sh c\n`), [READ_ONLY_FLAG(3)]);
    assert.deepEqual(findings(`#!/bin/bash\n${env}\nsource /tmp/env.sh\n/etc/eks/bootstrap.sh c\n`), [READ_ONLY_FLAG(3)]);
  });
  it("eval, bash -c and a written script run as commands", () => {
    const start = "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'";
    assert.deepEqual(findings(`#!/bin/bash\neval "${start}"\n`), [READ_ONLY_FLAG(2)]);
    assert.deepEqual(findings(`#!/bin/bash\nbash -c "${start}"\n`), [READ_ONLY_FLAG(2)]);
    assert.deepEqual(findings(`#!/bin/bash\ncat > /tmp/run.sh <<'EOF'\n${start}\nEOF\nchmod +x /tmp/run.sh\n/tmp/run.sh\n`), [READ_ONLY_FLAG(3)]);
  });
  it("a bootstrap.sh the user data wrote itself is that script, called by path or through bash, not the AMI's program", () => {
    // bash(1): a command name with a slash runs the file at that path, whatever the AMI shipped there before.
    const own = (write: string, call: string) => findings(`#!/bin/bash\n${write}\n${call} c --kubelet-extra-args '--anonymous-auth=true'\n`);
    const script = "cat > /etc/eks/bootstrap.sh <<'EOF'\necho nothing\nEOF";
    for (const call of ["/etc/eks/bootstrap.sh", "bash /etc/eks/bootstrap.sh"]) assert.deepEqual(own(script, call), []);
    assert.deepEqual(own("", "/etc/eks/bootstrap.sh"), [ANONYMOUS("user data line 3")]);
    // lines appended to the AMI's script leave it the AMI's program (they run after it has started the kubelet)
    for (const call of ["/etc/eks/bootstrap.sh", "bash /etc/eks/bootstrap.sh"])
      assert.deepEqual(own("echo 'echo done' >> /etc/eks/bootstrap.sh", call), [ANONYMOUS("user data line 3")]);
    // coreutils cp: SOURCE DIRECTORY copies to DIRECTORY/SOURCE's name, so this replaces /etc/eks/bootstrap.sh.
    const copied = "cat > /tmp/bootstrap.sh <<'EOF'\necho nothing\nEOF\ncp /tmp/bootstrap.sh /etc/eks";
    assert.deepEqual(own(copied, "/etc/eks/bootstrap.sh"), []);
    // the same copy to a path that is not a directory on the AMI leaves bootstrap.sh as shipped
    assert.deepEqual(own(copied.replace("/etc/eks", "/etc/eks-bootstrap"), "/etc/eks/bootstrap.sh"), [ANONYMOUS("user data line 6")]);
  });
  it("a variable reaches bootstrap.sh when exported (declare -x), set for the one command, or set by env", () => {
    assert.deepEqual(findings("#!/bin/bash\nKUBELET_EXTRA_ARGS=--read-only-port=10255\ndeclare -x KUBELET_EXTRA_ARGS\n/etc/eks/bootstrap.sh c\n"), [
      READ_ONLY_FLAG(2),
    ]);
    assert.deepEqual(findings("#!/bin/bash\nKUBELET_EXTRA_ARGS=--read-only-port=10255 /etc/eks/bootstrap.sh c\n"), [READ_ONLY_FLAG(2)]);
    assert.deepEqual(findings("#!/bin/bash\nenv KUBELET_EXTRA_ARGS=--read-only-port=10255 /etc/eks/bootstrap.sh c\n"), [READ_ONLY_FLAG(2)]);
    // not exported: bootstrap.sh does not see it
    assert.deepEqual(findings("#!/bin/bash\nKUBELET_EXTRA_ARGS=--read-only-port=10255\n/etc/eks/bootstrap.sh c\n"), []);
  });
});

describe("the shell's own rules for what reaches bootstrap.sh (bash(1): export, declare, set -a, exit, functions, pipelines)", () => {
  const EXTRA = "KUBELET_EXTRA_ARGS=--read-only-port=10255";
  const run = (...body: string[]) => findings(`#!/bin/bash\n${body.join("\n")}\n/etc/eks/bootstrap.sh c\n`);
  it("declare/typeset -x (alone or with other letters) and readonly/local export only with -x; export NAME exports a set variable", () => {
    for (const exporting of [`declare -x ${EXTRA}`, `typeset -x ${EXTRA}`, `declare -rx ${EXTRA}`, `${EXTRA}; export KUBELET_EXTRA_ARGS`])
      assert.deepEqual(run(exporting), [READ_ONLY_FLAG(2)], exporting);
    for (const local of [`declare ${EXTRA}`, `readonly ${EXTRA}`, `typeset -r ${EXTRA}`, `declare -- ${EXTRA}`, `${EXTRA}; declare -x OTHER`])
      assert.deepEqual(run(local), [], local);
  });
  it("set -a and set -o allexport export every later assignment; other options do not", () => {
    assert.deepEqual(run("set -ea", EXTRA), [READ_ONLY_FLAG(3)]);
    assert.deepEqual(run("set -o allexport", EXTRA), [READ_ONLY_FLAG(3)]);
    assert.deepEqual(run("set -o errexit", EXTRA), []);
    assert.deepEqual(run("set -e -x", EXTRA), []);
  });
  it("an assignment in a branch that may not run leaves the variable unknown only if it was set before", () => {
    assert.deepEqual(run("export KUBELET_EXTRA_ARGS=--max-pods=20", `if false; then export ${EXTRA}; fi`).length, 1);
    assert.deepEqual(run(`export ${EXTRA}`, "export KUBELET_EXTRA_ARGS=--max-pods=20"), []);
  });
  it("exit ends the script unless it is conditional; a function runs where it is called, and only then", () => {
    assert.deepEqual(findings(`#!/bin/bash\nexit 0\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n`), []);
    assert.deepEqual(findings(`#!/bin/bash\n[ -f /x ] || exit 0\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n`), [
      READ_ONLY_FLAG(3),
    ]);
    const fn = "start() {\n  /etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n}";
    assert.deepEqual(findings(`#!/bin/bash\n${fn}\n`), []);
    assert.deepEqual(findings(`#!/bin/bash\n${fn}\nstart\n`), [READ_ONLY_FLAG(3)]);
    assert.deepEqual(findings(`#!/bin/bash\nquit() {\n  exit 1\n}\nquit\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n`), []);
  });
  it("sudo, nohup, env and exec run the command after them, with env's and sudo's assignments", () => {
    const start = "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'";
    for (const prefix of ["sudo", "sudo -E", "sudo -u root", "nohup", "exec", "command", "time", "nice -n 5", "env -u HOME"])
      assert.deepEqual(findings(`#!/bin/bash\n${prefix} ${start}\n`), [READ_ONLY_FLAG(2)], prefix);
    assert.deepEqual(findings(`#!/bin/bash\nsudo -E ${EXTRA} /etc/eks/bootstrap.sh c\n`), [READ_ONLY_FLAG(2)]);
  });
});

describe("commands that write files, by their own manuals", () => {
  const CONFIG_JSON = JSON_CONFIG;
  it("tee writes every file it is given and appends with -a or --append", () => {
    assert.deepEqual(findings(al2(`echo '${CONFIG_JSON}' | tee /tmp/copy ${CONFIG} > /dev/null`)), [NO_CLIENT_CA, READ_ONLY_IN_CONFIG(2)]);
    for (const append of ["-a", "--append"]) assert.deepEqual(findings(al2(`echo '{"x": 1}' | tee ${append} ${CONFIG}`)).length, 1, append);
  });
  it("a redirection writes (>, >|, &>) or appends (>>) the command's output; /dev/null and input redirections write nothing", () => {
    for (const op of [">", ">|", "&>"]) assert.deepEqual(findings(al2(`echo '${CONFIG_JSON}' ${op} ${CONFIG}`)), [NO_CLIENT_CA, READ_ONLY_IN_CONFIG(2)], op);
    assert.deepEqual(findings(al2(`echo '${CONFIG_JSON}' > /dev/null`)), []);
    assert.deepEqual(findings(al2(`cat < ${CONFIG}`)), []);
  });
  it("echo: -n drops the newline, -e reads escapes, -E does not, and a word that is not only those letters is printed", () => {
    assert.deepEqual(findings(al2(`echo -E '${CONFIG_JSON.replace(/,/g, ",\\n")}' > ${CONFIG}`)).length, 1);
    assert.deepEqual(findings(al2(`echo -ne '${CONFIG_JSON}' > ${CONFIG}`)), [NO_CLIENT_CA, READ_ONLY_IN_CONFIG(2)]);
    assert.deepEqual(findings(al2(`echo -x '${CONFIG_JSON}' > ${CONFIG}`)).length, 1);
  });
  it("aws s3 cp: the destination after the S3 source, past options and their values; a directory gets the key's name", () => {
    const hidden = (path: string) =>
      `kubelet-node-config-verifiable: user data line 2: ${path} is downloaded at boot from S3, so its content is not visible; none of the kubelet settings in it can be checked`;
    assert.deepEqual(findings(al2(`aws s3 cp --region us-east-1 --quiet s3://bucket/k.json ${CONFIG}`)), [hidden(CONFIG)]);
    assert.deepEqual(findings(al2(`aws --region=us-east-1 s3 cp s3://bucket/kubelet-config.json /etc/kubernetes/kubelet/`)), [hidden(CONFIG)]);
    assert.deepEqual(findings(al2(`aws s3 cp s3://bucket/k.json - > /tmp/k`)), []);
    assert.deepEqual(findings(al2(`aws s3 cp ${CONFIG} s3://bucket/k.json`)), []);
    assert.deepEqual(findings(al2(`aws s3 ls s3://bucket/ ${CONFIG}`)), []);
  });
});

describe("cp, mv and install (coreutils), sed options, systemctl (systemctl(1))", () => {
  const staged = (...commands: string[]) => al2(`echo '${JSON_CONFIG}' > /tmp/kubelet-config.json\n${commands.join("\n")}`);
  const placed = (line: number) => [
    `kubelet-client-ca-file: user data line ${line}: authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle`,
    READ_ONLY_IN_CONFIG(2),
  ];
  it("copies to SOURCE DEST, into a DIRECTORY given last or with -t, or into a directory made before", () => {
    assert.deepEqual(findings(staged(`cp /tmp/kubelet-config.json ${CONFIG}`)), placed(4));
    assert.deepEqual(findings(staged("cp -t /etc/kubernetes/kubelet /tmp/kubelet-config.json")), placed(4));
    assert.deepEqual(findings(staged("cp -rt /etc/kubernetes/kubelet /tmp/kubelet-config.json")), placed(4));
    assert.deepEqual(findings(staged("cp --target-directory=/etc/kubernetes/kubelet/ /tmp/kubelet-config.json")), placed(4));
    assert.deepEqual(findings(staged("cp /tmp/other /tmp/kubelet-config.json /etc/kubernetes/kubelet/")), placed(4));
    assert.deepEqual(findings(staged("mkdir -p /etc/kubernetes/kubelet/", "cp /tmp/kubelet-config.json /etc/kubernetes/kubelet")), placed(5));
    // the AMI ships /etc/kubernetes/kubelet as a directory (amazon-eks-ami), so the file goes into it
    assert.deepEqual(findings(staged("cp /tmp/kubelet-config.json /etc/kubernetes/kubelet")), placed(4));
  });
  it("mv takes the source away; a later copy of it copies what is not there", () => {
    assert.deepEqual(findings(al2(`echo '${JSON_CONFIG}' > /tmp/k.json\nmv /tmp/k.json /tmp/j.json\ncp /tmp/k.json ${CONFIG}`)), [
      `kubelet-node-config-verifiable: user data line 4: ${CONFIG} is replaced by /tmp/k.json, whose content is not visible; none of the kubelet settings in it can be checked`,
    ]);
    assert.deepEqual(findings(al2(`echo '${JSON_CONFIG}' > /tmp/k.json\ncp /tmp/k.json /tmp/j.json\ncp /tmp/k.json ${CONFIG}`)), placed(5));
  });
  it("install: mode 755 unless -m (also -m644 and --mode=644), owner and group from -o and -g, -d makes directories only", () => {
    const mode = (text: string, value: string) =>
      `kubelet-config-file-permissions: user data line 3: ${text} ${CONFIG} leaves the kubelet config file ${CONFIG} with mode ${value}, looser than 644; chmod 644 ${CONFIG}`;
    assert.deepEqual(findings(staged(`install /tmp/kubelet-config.json ${CONFIG}`)), [...placed(4), mode("install (mode 755 unless -m is given)", "755")]);
    assert.deepEqual(findings(staged(`install -m 666 /tmp/kubelet-config.json ${CONFIG}`)), [...placed(4), mode("install -m 666", "666")]);
    for (const option of ["-m 0644", "-m644", "--mode=644", "--mode 0600", "-Dm644", "-Dm 0600"])
      assert.deepEqual(findings(staged(`install ${option} /tmp/kubelet-config.json ${CONFIG}`)), placed(4), option);
    assert.deepEqual(findings(staged(`install -m 600 -o nobody /tmp/kubelet-config.json ${CONFIG}`)), [
      ...placed(4),
      `kubelet-config-file-permissions: user data line 3: install -o nobody ${CONFIG} makes nobody:root the owner of the kubelet config file ${CONFIG}; chown root:root ${CONFIG}`,
    ]);
    assert.deepEqual(findings(staged(`install -m 600 --owner=root -g root /tmp/kubelet-config.json ${CONFIG}`)), placed(4));
    assert.deepEqual(findings(staged("install -d /etc/kubernetes/kubelet", "cp /tmp/kubelet-config.json /etc/kubernetes/kubelet")), placed(5));
  });
  it("sed changes a file only in place (-i, -i.bak, --in-place); -E and -r read extended expressions; -e and ; give several", () => {
    const to10255 = (options: string, script = 's/"readOnlyPort": [0-9]+/"readOnlyPort": 10255/') => findings(al2(`sed ${options} '${script}' ${CONFIG}`));
    for (const options of ["-i -E", "-r -i", "--in-place -E", "-i.bak -r"]) assert.deepEqual(to10255(options), [READ_ONLY_IN_CONFIG(2)], options);
    assert.deepEqual(to10255("-E"), []);
    assert.deepEqual(to10255("-i"), [], "+ is a literal in a basic expression");
    assert.deepEqual(to10255("-i -e", 's/"x"/"y"/; s/"readOnlyPort": 0/"readOnlyPort": 10255/'), [READ_ONLY_IN_CONFIG(2)]);
    assert.deepEqual(to10255("-i", "/readOnlyPort/d"), [
      `kubelet-node-config-verifiable: user data line 2: sed edits ${CONFIG}, whose result the pack cannot work out`,
    ]);
  });
  it("systemctl start, restart and enable --now run a unit's ExecStart script then; enable alone does not", () => {
    const unit = (verb: string) =>
      al2(
        [
          "cat > /etc/systemd/system/setup.service <<'EOF'",
          "[Service]",
          "ExecStart=/bin/bash /opt/setup.sh",
          "EOF",
          "cat > /opt/setup.sh <<'EOF'",
          `echo '${JSON_CONFIG}' > ${CONFIG}`,
          "EOF",
          `systemctl ${verb} setup.service`,
        ].join("\n"),
      );
    for (const verb of ["start", "restart", "enable --now", "--no-block start"]) assert.equal(findings(unit(verb)).length, 2, verb);
    for (const verb of ["enable", "stop", "daemon-reload"]) assert.deepEqual(findings(unit(verb)), [], verb);
  });
});

describe("shells reading a script from a pipe or a file (bash(1) -c, -s, and the k3s/RKE2 installers' INSTALL_*_EXEC)", () => {
  const K3S_READ_ONLY = READ_ONLY_FLAG;
  it("sh -s: options end at -, -- or the first other word, and every word after goes to the script", () => {
    assert.deepEqual(findings("#!/bin/bash\ncurl -sfL https://get.k3s.io | sh -s agent --kubelet-arg=read-only-port=10255\n"), [K3S_READ_ONLY(2)]);
    assert.deepEqual(findings("#!/bin/bash\ncurl -sfL https://get.k3s.io | sh -s -- agent --kubelet-arg=read-only-port=10255\n"), [K3S_READ_ONLY(2)]);
    assert.deepEqual(findings("#!/bin/bash\ncurl -sfL https://get.k3s.io | bash -e -s - --kubelet-arg read-only-port=10255\n"), [K3S_READ_ONLY(2)]);
  });
  it("the installer sees INSTALL_K3S_EXEC when it is exported or set for the pipeline's shell, not otherwise", () => {
    const exec = 'INSTALL_K3S_EXEC="agent --kubelet-arg=read-only-port=10255"';
    assert.deepEqual(findings(`#!/bin/bash\nexport ${exec}\ncurl -sfL https://get.k3s.io | sh -\n`), [K3S_READ_ONLY(3)]);
    assert.deepEqual(findings(`#!/bin/bash\nset -a\n${exec}\ncurl -sfL https://get.k3s.io | sh -\n`), [K3S_READ_ONLY(4)]);
    assert.deepEqual(findings(`#!/bin/bash\n${exec}\ncurl -sfL https://get.k3s.io | sh -\n`), []);
    assert.deepEqual(findings('#!/bin/bash\nwget -qO- https://get.rke2.io | INSTALL_RKE2_EXEC="agent --kubelet-arg anonymous-auth=true" sh -\n'), [
      "kubelet-anonymous-auth: user data line 2: --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false",
    ]);
  });
  it("text piped into a shell runs; bash FILE runs bootstrap.sh with the words after it", () => {
    const start = "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'";
    assert.deepEqual(findings(`#!/bin/bash\necho "${start}" | bash\n`), [READ_ONLY_FLAG(2)]);
    assert.deepEqual(findings(`#!/bin/bash\nbash ${start}\n`), [READ_ONLY_FLAG(2)]);
    assert.deepEqual(findings(`#!/bin/bash\nsh -x ${start}\n`), [READ_ONLY_FLAG(2)]);
  });
  it("a script downloaded into a shell on a kubelet node cannot be checked, and says so", () => {
    assert.deepEqual(findings("#!/bin/bash\ncurl -sfL https://example.com/setup.sh | bash\n/etc/eks/bootstrap.sh c\n"), [
      "kubelet-node-config-verifiable: user data line 2: pipes a script downloaded at boot by curl into a shell, so what it does to the kubelet is not visible",
    ]);
  });
});

describe("options that take a value, per manual, so the value is not read as a command or a path", () => {
  const start = "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'";
  it("sudo(8), env(1) and nice(1): each option's value comes before the command", () => {
    const options = [
      ...[
        "-u",
        "-g",
        "-C",
        "-D",
        "-h",
        "-p",
        "-r",
        "-t",
        "-U",
        "--user",
        "--group",
        "--close-from",
        "--chdir",
        "--host",
        "--prompt",
        "--role",
        "--type",
        "--other-user",
      ].map((o) => `sudo ${o} x`),
      ...["-u", "-C", "--unset", "--chdir"].map((o) => `env ${o} x`),
      ...["-n", "--adjustment"].map((o) => `nice ${o} 5`),
    ];
    for (const prefix of options) assert.deepEqual(findings(`#!/bin/bash\n${prefix} ${start}\n`), [READ_ONLY_FLAG(2)], prefix);
  });
  it("every POSIX-family shell's -c runs its script; mkdir makes a directory a later cp copies into", () => {
    for (const shell of ["sh", "bash", "dash", "zsh", "ksh", "/bin/sh", "/usr/bin/bash"])
      assert.deepEqual(findings(`#!/bin/bash\n${shell} -c "${start}"\n`), [READ_ONLY_FLAG(2)], shell);
    const config = "/opt/kubelet/kubelet-config.json";
    const staged = (mkdir: string) =>
      findings(
        `#!/bin/bash\n${mkdir}\necho '${JSON_CONFIG}' > /tmp/kubelet-config.json\ncp /tmp/kubelet-config.json /opt/kubelet\nkubelet --config=${config} --anonymous-auth=false --authorization-mode=Webhook --client-ca-file=/etc/ca.crt &\n`,
      ).filter((f) => f.startsWith("kubelet-read-only-port") || f.startsWith("kubelet-node-config-verifiable"));
    assert.deepEqual(staged("mkdir -p /opt/kubelet"), [
      `kubelet-read-only-port: user data line 3 (${config}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`,
    ]);
    assert.notDeepEqual(staged("true"), staged("mkdir -p /opt/kubelet"));
  });
  it("aws s3 cp: the switches take no value (awscli s3 subcommands, global options), so the source and destination follow", () => {
    const hidden = `kubelet-node-config-verifiable: user data line 2: ${CONFIG} is downloaded at boot from S3, so its content is not visible; none of the kubelet settings in it can be checked`;
    for (const s of [
      "--dryrun",
      "--quiet",
      "--only-show-errors",
      "--no-progress",
      "--recursive",
      "--follow-symlinks",
      "--no-follow-symlinks",
      "--no-guess-mime-type",
      "--force-glacier-transfer",
      "--ignore-glacier-warnings",
      "--debug",
      "--no-verify-ssl",
      "--no-paginate",
      "--no-sign-request",
      "--no-cli-pager",
    ])
      assert.deepEqual(findings(al2(`aws s3 cp ${s} s3://bucket/k.json ${CONFIG}`)), [hidden], s);
  });
});
