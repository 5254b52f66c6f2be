/**
 * How the script reader takes a command's words (policypack/boot/script.ts), one case per word form, each from the
 * program that reads it:
 * - options that take a value, in their long forms: sudo(8) (sudo 1.9 src/parse_args.c long_opts: --user, --group,
 *   --close-from, --chdir, --host, --prompt, --role, --type, --other-user, --command-timeout take an argument),
 *   GNU env(1) (--unset, --chdir, --split-string), nice(1) (--adjustment), bash's `exec -a NAME`, coreutils
 *   cp/install (--suffix, --owner, --group; `install --directory` makes directories) and GNU sed (--line-length);
 * - bash(1), ENVIRONMENT: assignments before a command are in that command's environment, so
 *   `KUBELET_EXTRA_ARGS=… bash /etc/eks/bootstrap.sh` hands them to bootstrap.sh; `readonly`, `local` and
 *   `typeset -x` assign like `declare`; `.`/`source` and `eval` run their words in this shell; `$(…)` is the
 *   output of the commands inside; `>|` and `&>` write the file as `>` does; `tee -a`/`--append` appends;
 * - the k3s and RKE2 installers (docs.k3s.io, docs.rke2.io: `curl -sfL https://get.k3s.io | sh -s - ARGS`): the
 *   script at get.k3s.io or get.rke2.io, by http or https, with or without the trailing slash; any other URL is a
 *   script the pack cannot see.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeUserData } from "../../policypack/userdata/index";
import { READ_ONLY, file, findings, lines } from "../helpers/userdata";

const BOOT = "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'";
const CONFIG = "/etc/kubernetes/kubelet/kubelet-config.json";
const INSECURE_CONFIG = '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":10255}';
/** The findings of a config file that replaced the AMI's: its readOnlyPort at `line`, and the client CA it dropped. */
const REPLACED_CONFIG = (line: number, bootLine: number) => [
  `kubelet-client-ca-file: user data line ${bootLine}: authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle`,
  `kubelet-read-only-port: user data line ${line} (${CONFIG}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`,
];
const script = (...body: string[]) => findings(lines("#!/bin/bash", ...body));

describe("long options that take a value, before the command they run", () => {
  const PREFIXES = [
    "sudo --user root",
    "sudo --group root",
    "sudo --close-from 3",
    "sudo --chdir /",
    "sudo --host localhost",
    "sudo --prompt x",
    "sudo --role r",
    "sudo --type t",
    "sudo --other-user root",
    "sudo --command-timeout 60",
    "env --unset HOME",
    "env --chdir /tmp",
    "nice --adjustment 5",
    "exec -a boot",
  ];
  for (const prefix of PREFIXES) {
    it(`${prefix} ${BOOT}`, () => assert.deepEqual(script(`${prefix} ${BOOT}`), [READ_ONLY("user data line 2")]));
  }
  it("env --split-string: the string's words come first", () => {
    assert.deepEqual(script("env --split-string '/etc/eks/bootstrap.sh c --kubelet-extra-args --read-only-port=10255'"), [READ_ONLY("user data line 2")]);
  });
  it("cp --suffix SUFFIX and install --owner/--group NAME: the value is not a file to copy", () => {
    assert.deepEqual(
      script(...file("/tmp/c", INSECURE_CONFIG), `cp --backup --suffix .orig /tmp/c ${CONFIG}`, "/etc/eks/bootstrap.sh c"),
      REPLACED_CONFIG(3, 6),
    );
    assert.ok(
      script(...file("/tmp/c", INSECURE_CONFIG), `install --owner nobody --group nogroup -m 0600 /tmp/c ${CONFIG}`, "/etc/eks/bootstrap.sh c").includes(
        `kubelet-config-file-permissions: user data line 5: install -o nobody -g nogroup ${CONFIG} makes nobody:nogroup the owner of the kubelet config file ${CONFIG}; chown root:root ${CONFIG}`,
      ),
    );
  });
  it("sed --line-length N: N is not the script", () => {
    assert.deepEqual(script(`sed --line-length 80 -i 's/"readOnlyPort": 0/"readOnlyPort": 10255/' ${CONFIG}`, "/etc/eks/bootstrap.sh c"), [
      `kubelet-read-only-port: user data line 2 (${CONFIG}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`,
    ]);
  });
});

describe("variables and the environment bootstrap.sh sees", () => {
  it("an assignment before `bash /etc/eks/bootstrap.sh` is in its environment", () => {
    assert.deepEqual(script("KUBELET_EXTRA_ARGS=--read-only-port=10255 bash /etc/eks/bootstrap.sh c"), [READ_ONLY("user data line 2")]);
    assert.deepEqual(script("KUBELET_EXTRA_ARGS=--read-only-port=10255 sh /etc/eks/bootstrap.sh c"), [READ_ONLY("user data line 2")]);
  });
  it("readonly and local assign; typeset -x exports", () => {
    assert.deepEqual(script("readonly EXTRA='--read-only-port=10255'", '/etc/eks/bootstrap.sh c --kubelet-extra-args "$EXTRA"'), [
      READ_ONLY("user data line 3"),
    ]);
    assert.deepEqual(script("boot() {", "  local EXTRA='--read-only-port=10255'", '  /etc/eks/bootstrap.sh c --kubelet-extra-args "$EXTRA"', "}", "boot"), [
      READ_ONLY("user data line 4"),
    ]);
    assert.deepEqual(script("typeset -x KUBELET_EXTRA_ARGS='--read-only-port=10255'", "/etc/eks/bootstrap.sh c"), [READ_ONLY("user data line 2")]);
    assert.deepEqual(script("typeset KUBELET_EXTRA_ARGS='--read-only-port=10255'", "/etc/eks/bootstrap.sh c"), []);
  });
});

describe("commands whose output or words are another command's", () => {
  it('echo "$(cat FILE)", "$(printf …)" and "$(echo …)" write what the inner command prints', () => {
    assert.deepEqual(script(...file("/tmp/c", INSECURE_CONFIG), `echo "$(cat /tmp/c)" > ${CONFIG}`, "/etc/eks/bootstrap.sh c"), REPLACED_CONFIG(3, 6));
    assert.deepEqual(script(`echo "$(printf '%s' '${INSECURE_CONFIG}')" > ${CONFIG}`, "/etc/eks/bootstrap.sh c"), REPLACED_CONFIG(2, 3));
    assert.deepEqual(script(`echo "$(echo '${INSECURE_CONFIG}')" > ${CONFIG}`, "/etc/eks/bootstrap.sh c"), REPLACED_CONFIG(2, 3));
  });
  it(">| and &> write the file as > does", () => {
    for (const op of [">|", "&>", ">"])
      assert.deepEqual(script(`echo '${INSECURE_CONFIG}' ${op} ${CONFIG}`, "/etc/eks/bootstrap.sh c"), REPLACED_CONFIG(2, 3), op);
  });
  it("tee --append keeps what the file held", () => {
    assert.deepEqual(script(`echo "${BOOT}" > /tmp/s.sh`, "echo true | tee --append /tmp/s.sh", "bash /tmp/s.sh"), [READ_ONLY("user data line 4")]);
    assert.deepEqual(script(`echo "${BOOT}" > /tmp/s.sh`, "echo true | tee /tmp/s.sh", "bash /tmp/s.sh"), []);
  });
  it("`.`, source and eval run their words in this shell", () => {
    assert.deepEqual(script(...file("/tmp/setup.sh", BOOT), ". /tmp/setup.sh"), [READ_ONLY("user data line 3")]);
    assert.deepEqual(script(...file("/tmp/setup.sh", BOOT), "source /tmp/setup.sh"), [READ_ONLY("user data line 3")]);
    assert.deepEqual(script(`eval /etc/eks/bootstrap.sh c --kubelet-extra-args "'--read-only-port=10255'"`), [READ_ONLY("user data line 2")]);
  });
  it("mkdir DIR/ and install --directory DIR make directories that cp copies into", () => {
    for (const make of ["mkdir -p /opt/kg/", "install --directory /opt/kg"]) {
      assert.deepEqual(
        script(...file("/tmp/setup.sh", BOOT), make, "cp /tmp/setup.sh /opt/kg", "bash /opt/kg/setup.sh"),
        [READ_ONLY("user data line 3")],
        make,
      );
    }
  });
});

describe("k3s and RKE2 (docs.k3s.io, docs.rke2.io)", () => {
  it("rke2 server|agent --kubelet-arg", () => {
    for (const role of ["agent", "server"]) assert.deepEqual(script(`rke2 ${role} --kubelet-arg=read-only-port=10255`), [READ_ONLY("user data line 2")]);
  });
  it("the installers by http or https, with or without a trailing slash, and `sh -s --`", () => {
    assert.deepEqual(script('curl -sfL https://get.rke2.io/ | INSTALL_RKE2_EXEC="agent --kubelet-arg=read-only-port=10255" sh -'), [
      READ_ONLY("user data line 2"),
    ]);
    assert.deepEqual(script("curl -sfL http://get.k3s.io | sh -s -- agent --kubelet-arg=read-only-port=10255"), [READ_ONLY("user data line 2")]);
  });
  it("another script on the same host is not the installer: what it does is not visible, and that is said", () => {
    for (const host of ["get.k3s.io", "get.rke2.io"]) {
      const { node, unverifiable } = analyzeUserData({
        value: `#!/bin/bash\ncurl -sfL https://${host}/install.sh | sh -s - agent --kubelet-arg=read-only-port=10255\n`,
        encoding: "plain",
      });
      assert.equal(node, undefined, host);
      assert.deepEqual(
        unverifiable.map((u) => `${u.location.line}: ${u.reason}`),
        ["2: pipes a script downloaded at boot by curl into a shell, so what it does to the kubelet is not visible"],
        host,
      );
    }
  });
});
