/**
 * How the node builder turns what the boot did into the kubelet's sources (policypack/boot/node-builder.ts),
 * checked against the programs that do it on a node: bash(1) (only exported variables reach a child process:
 * `export`, `export -n`, `declare -x`/`+x`, `set -a`/`+a`; a descriptor before `>` redirects that descriptor),
 * checked live against bash itself; amazon-eks-ami AL2 bootstrap.sh (every option takes the next word, any
 * other word is positional, KUBELET_EXTRA_ARGS from the environment unless --kubelet-extra-args is given);
 * the kubeadm packages' 10-kubeadm.conf (EnvironmentFile= /var/lib/kubelet/kubeadm-flags.env,
 * /etc/default/kubelet, /etc/sysconfig/kubelet) and kubeadm's kubeletExtraArgs (a map in v1beta3, a list of
 * name/value in v1beta4, only in Init/JoinConfiguration); k3s pkg/configfilearg (kubelet-arg as a string or a
 * list, values passed as text).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bashChildSees } from "../helpers/oracles";
import { ANONYMOUS, analyze, file, lines, READ_ONLY } from "../helpers/userdata";

const UNVERIFIABLE = (where: string, message: string) => `kubelet-node-config-verifiable: ${where}: ${message}`;
const CONFIG = "/etc/kubernetes/kubelet/kubelet-config.json";
const AL2 = "EKS AL2 (bootstrap.sh)";

describe("what bootstrap.sh sees of KUBELET_EXTRA_ARGS (bash(1), checked live against bash)", () => {
  const FLAG = "--read-only-port=10255";
  const scripts = [
    `KUBELET_EXTRA_ARGS=${FLAG}`,
    `export KUBELET_EXTRA_ARGS=${FLAG}`,
    `KUBELET_EXTRA_ARGS=${FLAG}\nexport KUBELET_EXTRA_ARGS`,
    `KUBELET_EXTRA_ARGS=${FLAG}\nexport -n KUBELET_EXTRA_ARGS`,
    `export KUBELET_EXTRA_ARGS=${FLAG}\nexport -n KUBELET_EXTRA_ARGS OTHER=1`,
    `declare -rx KUBELET_EXTRA_ARGS=${FLAG}`,
    `declare -r KUBELET_EXTRA_ARGS=${FLAG}`,
    `declare -x KUBELET_EXTRA_ARGS=${FLAG}\ndeclare +x KUBELET_EXTRA_ARGS`,
    `set -a\nKUBELET_EXTRA_ARGS=${FLAG}`,
    `set -o allexport\nKUBELET_EXTRA_ARGS=${FLAG}`,
    `set -o errexit\nKUBELET_EXTRA_ARGS=${FLAG}`,
    `set -a\nKUBELET_EXTRA_ARGS=${FLAG}\nset +a`,
    `KUBELET_EXTRA_ARGS=${FLAG}\nset -ea`,
    `set -a\nset +o allexport\nKUBELET_EXTRA_ARGS=${FLAG}`,
    `set -eua\nKUBELET_EXTRA_ARGS=${FLAG}\ndeclare +x KUBELET_EXTRA_ARGS`,
  ];
  const seen = bashChildSees(scripts, "KUBELET_EXTRA_ARGS");
  it("the oracle sees both outcomes", () => {
    assert.ok(seen.includes(FLAG) && seen.includes(undefined));
  });
  scripts.forEach((script, k) => {
    it(script.replace(/\n/g, "; "), () => {
      const line = script.split("\n").findIndex((l) => l.includes(FLAG)) + 2;
      const expected = seen[k] === FLAG ? [READ_ONLY(`user data line ${line}`)] : [];
      assert.deepEqual(analyze(lines("#!/bin/bash", script, "/etc/eks/bootstrap.sh my-cluster")), { platform: AL2, findings: expected });
    });
  });
});

describe("bootstrap.sh's arguments (amazon-eks-ami bootstrap.sh)", () => {
  const boot = (...body: string[]) => analyze(lines("#!/bin/bash", ...body));
  it("a cluster-name variable first is the cluster name; any other word computed at boot may be options", () => {
    assert.deepEqual(boot("/etc/eks/bootstrap.sh $CLUSTER_NAME --kubelet-extra-args '--read-only-port=10255'").findings, [READ_ONLY("user data line 2")]);
    assert.deepEqual(boot("/etc/eks/bootstrap.sh ${EKS_CLUSTER} --b64-cluster-ca x").findings, []);
    for (const [args, word] of [
      ["my-cluster $FLAGS", "$FLAGS"],
      ["${FLAGS}", "${FLAGS}"],
      ["my-cluster $CLUSTER", "$CLUSTER"],
    ])
      assert.deepEqual(boot(`/etc/eks/bootstrap.sh ${args}`).findings, [
        UNVERIFIABLE("user data line 2", `bootstrap.sh is given ${word}, which is not visible, so the kubelet flags it may pass cannot be checked`),
      ]);
  });
  it("--kubelet-extra-args=… is a positional word, reported; an empty value writes no extra-args drop-in", () => {
    assert.deepEqual(boot("/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args=--read-only-port=10255").findings, [
      UNVERIFIABLE(
        "user data line 2",
        "bootstrap.sh does not read --kubelet-extra-args=…, so these flags never reach the kubelet (the word is taken as a positional argument, the cluster name if it comes first); pass them as the next argument: --kubelet-extra-args '…'",
      ),
    ]);
    assert.deepEqual(boot("export KUBELET_EXTRA_ARGS=--read-only-port=10255", "/etc/eks/bootstrap.sh c --kubelet-extra-args '' --b64-cluster-ca x"), {
      platform: AL2,
      findings: [],
    });
  });
  it("lines a script adds to bootstrap.sh after its KUBELET_EXTRA_ARGS= line: `+=` appends, `=` replaces, $KUBELET_EXTRA_ARGS is the value so far; any other line is reported", () => {
    const edited = (line: string) =>
      boot(`sed -i '/^KUBELET_EXTRA_ARGS=/a ${line}' /etc/eks/bootstrap.sh`, "/etc/eks/bootstrap.sh c --kubelet-extra-args '--anonymous-auth=true'").findings;
    const both = [ANONYMOUS("user data line 2"), READ_ONLY("user data line 2")];
    assert.deepEqual(edited('KUBELET_EXTRA_ARGS+=" --read-only-port=10255"'), both);
    assert.deepEqual(edited('KUBELET_EXTRA_ARGS="$KUBELET_EXTRA_ARGS --read-only-port=10255"'), both);
    assert.deepEqual(edited('KUBELET_EXTRA_ARGS="--read-only-port=10255"'), [READ_ONLY("user data line 2")]);
    assert.deepEqual(edited('OTHER="--read-only-port=10255"'), [
      ANONYMOUS("user data line 3"),
      UNVERIFIABLE("user data line 2", "sed edits /etc/eks/bootstrap.sh in a way the pack cannot work out, so its effect on the kubelet is not known"),
    ]);
  });
});

describe("where a command's output goes (bash(1) redirections)", () => {
  const JSON_CONFIG = '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":10255}';
  const NO_CLIENT_CA =
    'kubelet-client-ca-file: user data line 3: authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle';
  const written = (command: string) => analyze(lines("#!/bin/bash", command, "/etc/eks/bootstrap.sh c")).findings;
  const READ_ONLY_IN_CONFIG = `kubelet-read-only-port: user data line 2 (${CONFIG}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`;
  it(">, >|, &> and 1> write standard output to the file", () => {
    for (const op of [">", ">|", "&>", "1>"]) assert.deepEqual(written(`echo '${JSON_CONFIG}' ${op} ${CONFIG}`), [NO_CLIENT_CA, READ_ONLY_IN_CONFIG], op);
  });
  it("2> writes the command's error output, which the pack does not model; /dev/null is no file", () => {
    assert.deepEqual(written(`echo '${JSON_CONFIG}' 2> ${CONFIG}`), [
      UNVERIFIABLE("user data line 2", `${CONFIG} is written with content the pack cannot work out; none of the kubelet settings in it can be checked`),
    ]);
    assert.deepEqual(written(`echo '${JSON_CONFIG}' > /dev/null`), []);
  });
  it("tee -a appends; sudo and env before tee are prefixes, with their options", () => {
    assert.deepEqual(
      analyze(
        lines(
          "#!/bin/bash",
          `echo '{"readOnlyPort":10255,' > ${CONFIG}`,
          `echo '"kind":"KubeletConfiguration"}' | tee -a ${CONFIG}`,
          "/etc/eks/bootstrap.sh c",
        ),
      ).findings,
      [
        UNVERIFIABLE(
          `user data line 3 (${CONFIG})`,
          `the kubelet would refuse to start: the config file ${CONFIG} has no apiVersion/kind; write apiVersion: kubelet.config.k8s.io/v1beta1 and kind: KubeletConfiguration`,
        ),
      ],
    );
    assert.deepEqual(written(`sudo -u root env A=1 tee ${CONFIG} <<'EOF'\n${JSON_CONFIG}\nEOF`), [
      NO_CLIENT_CA.replace("line 3", "line 5"),
      READ_ONLY_IN_CONFIG.replace("line 2", "line 3"),
    ]);
  });
});

describe("files the kubeadm packages' 10-kubeadm.conf reads, written with no visible launcher", () => {
  it("KUBELET_EXTRA_ARGS, KUBELET_ARGS and KUBELET_KUBEADM_ARGS are flags, each at its own line; other variables are not", () => {
    assert.deepEqual(
      analyze(
        lines(
          "#!/bin/bash",
          ...file(
            "/etc/default/kubelet",
            'KUBELET_EXTRA_ARGS="--read-only-port=10255"',
            "KUBELET_ARGS=--anonymous-auth=true",
            "OTHER_ARGS=--protect-kernel-defaults=false",
          ),
        ),
      ),
      {
        platform: "self-managed kubelet",
        findings: [ANONYMOUS("user data line 4 (/etc/default/kubelet)"), READ_ONLY("user data line 3 (/etc/default/kubelet)")],
      },
    );
    assert.deepEqual(
      analyze(
        lines(
          "#!/bin/bash",
          `echo 'KUBELET_KUBEADM_ARGS="--read-only-port=10255"' > /var/lib/kubelet/kubeadm-flags.env`,
          "echo 'KUBELET_EXTRA_ARGS=--anonymous-auth=true' > /etc/sysconfig/kubelet",
        ),
      ).findings,
      [ANONYMOUS("user data line 3 (/etc/sysconfig/kubelet)"), READ_ONLY("user data line 2 (/var/lib/kubelet/kubeadm-flags.env)")],
    );
  });
  it("a file downloaded at boot is reported, as is a kubelet config file that is not one object", () => {
    assert.deepEqual(analyze(lines("#!/bin/bash", "wget -O /etc/sysconfig/kubelet https://example.com/k")).findings, [
      UNVERIFIABLE(
        "user data line 2",
        "/etc/sysconfig/kubelet is downloaded at boot by wget, so its content is not visible; none of the kubelet flags in it can be checked",
      ),
    ]);
    const config = "/var/lib/kubelet/config.yaml";
    for (const [content, why] of [
      [["readOnlyPort: 10255", "---", "readOnlyPort: 0"], " as one YAML or JSON object"],
      [["- readOnlyPort: 10255"], " as one YAML or JSON object"],
      [["{readOnlyPort: 10255"], " (Flow map must end with a })"],
    ] as const)
      assert.deepEqual(analyze(lines("#!/bin/bash", ...file(config, ...content))).findings, [
        UNVERIFIABLE(`user data line 2 (${config})`, `the kubelet config file ${config} cannot be parsed${why}`),
      ]);
    assert.deepEqual(
      analyze(
        lines("#!/bin/bash", ...file(config, "kind: KubeletConfiguration", "readOnlyPort: 10255", "authentication:", "  anonymous:", "    enabled: true")),
      ).findings,
      [
        `kubelet-anonymous-auth: user data line 7 (${config}): authentication.anonymous.enabled: true lets unauthenticated requests reach the kubelet API; set authentication.anonymous.enabled: false`,
        `kubelet-read-only-port: user data line 4 (${config}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`,
      ],
    );
  });
});

describe("kubeadm's nodeRegistration.kubeletExtraArgs (kubeadm v1beta3 map, v1beta4 list)", () => {
  const kubeadm = (command: string, ...docs: string[]) =>
    analyze(lines("#!/bin/bash", ...file("/etc/kubeadm/k.yaml", ...docs), `kubeadm ${command} --config /etc/kubeadm/k.yaml`)).findings;
  const where = (line: number) => `user data line ${line} (/etc/kubeadm/k.yaml)`;
  /** A v1beta4 JoinConfiguration whose kubeletExtraArgs list is `entries` (and any documents after it). */
  const joinV1beta4 = (...entries: string[]) =>
    kubeadm("join", "apiVersion: kubeadm.k8s.io/v1beta4", "kind: JoinConfiguration", "nodeRegistration:", "  kubeletExtraArgs:", ...entries);
  it("v1beta4: each {name, value} is a flag at its own line; an entry with no name is skipped; other kinds are not read", () => {
    assert.deepEqual(
      joinV1beta4(
        "    - value: '10255'",
        "    - name: anonymous-auth",
        "      value: 'true'",
        "---",
        "apiVersion: kubeadm.k8s.io/v1beta4",
        "kind: ClusterConfiguration",
        "nodeRegistration:",
        "  kubeletExtraArgs:",
        "    - name: read-only-port",
        "      value: '10255'",
      ),
      [ANONYMOUS(where(8))],
    );
  });
  it("v1beta4: a name with no value is the flag with an empty value, which the kubelet refuses", () => {
    assert.deepEqual(joinV1beta4("    - name: read-only-port"), [
      `kubelet-read-only-port: ${where(7)}: the kubelet would refuse to start: invalid argument "" for "--read-only-port" flag: strconv.ParseInt: parsing "": invalid syntax`,
    ]);
  });
  it("v1beta3 in an InitConfiguration: a map of flags", () => {
    assert.deepEqual(
      kubeadm("init", "apiVersion: kubeadm.k8s.io/v1beta3", "kind: InitConfiguration", "nodeRegistration:", "  kubeletExtraArgs:", "    read-only-port: 10255"),
      [READ_ONLY(where(7))],
    );
  });
});

describe("k3s's kubelet-arg and protect-kernel-defaults (k3s pkg/configfilearg)", () => {
  const K3S = "/etc/rancher/k3s/config.yaml";
  const k3s = (...body: string[]) => analyze(lines("#!/bin/bash", ...body));
  it("kubelet-arg as one string; protect-kernel-defaults as the text 1", () => {
    assert.deepEqual(k3s(...file(K3S, "kubelet-arg: read-only-port=10255", 'protect-kernel-defaults: "1"'), "k3s agent"), {
      platform: "k3s",
      findings: [READ_ONLY(`user data line 3 (${K3S})`)],
    });
  });
  it("a number in the list is passed as its text, here an unknown flag; an empty kubelet-arg passes nothing", () => {
    assert.deepEqual(k3s(...file(`${K3S}.d/a.yaml`, "kubelet-arg: [1]"), "k3s agent --protect-kernel-defaults").findings, [
      UNVERIFIABLE(`user data line 3 (${K3S}.d/a.yaml)`, "the kubelet would refuse to start: unknown flag: --1 (not a flag of kubelet v1.34.4 or v1.37.2)"),
    ]);
    assert.deepEqual(k3s(...file(K3S, "node-label: [a=b]", "kubelet-arg:"), "k3s agent"), { platform: "k3s", findings: [] });
  });
});
