/**
 * Words whose value the boot computes, each read as bash reads it (bash(1), EXPANSION):
 * - Command Substitution: `$(command)` and the old form `` `command` `` are replaced by the command's output; in
 *   the backquote form a backslash keeps its literal meaning except before `$`, `` ` `` and `\`. `$((…))` is
 *   Arithmetic Expansion, not a command. A word that is a substitution and other text is that text around the
 *   output; the pack runs a substitution only when it is the whole word.
 * - Redirection: the word after `>` is expanded like any other (a variable naming the file); `bash` with no file
 *   reads its commands from standard input, a here-document.
 * - A computed value the pack cannot work out stays one word wherever it goes: bootstrap.sh (amazon-eks-ami
 *   templates/al2/runtime/bootstrap.sh) writes --kubelet-extra-args into a drop-in that systemd splits at blanks,
 *   and a config file written from such a value may hold any configuration, so neither is a refusal to start.
 * - A program named by a relative path (`./bootstrap.sh` after `cd /etc/eks`) is the program of that name.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { READ_ONLY, file, findings, lines } from "../helpers/userdata";

const CONFIG = "/etc/kubernetes/kubelet/kubelet-config.json";
const INSECURE_CONFIG = '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":10255}';
const script = (...body: string[]) => findings(lines("#!/bin/bash", ...body));
/** The findings when CONFIG is replaced by INSECURE_CONFIG, written on line 5, bootstrap.sh on line 6. */
const REPLACED_CONFIG = [
  'kubelet-client-ca-file: user data line 6: authentication.x509.clientCAFile not set (kubelet default "") leaves x509 client-certificate authentication to the kubelet API off; set authentication.x509.clientCAFile to the cluster CA bundle',
  `kubelet-read-only-port: user data line 3 (${CONFIG}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`,
];
const COMPUTED_CONFIG = [
  `kubelet-node-config-verifiable: user data line 5 (${CONFIG}): the config file ${CONFIG} is written from a value known only at boot, so none of the kubelet settings in it can be checked`,
];
const writeConfig = (command: string) => script(...file("/tmp/c", INSECURE_CONFIG), command, "/etc/eks/bootstrap.sh c");

describe("a word that is one command substitution is the command's output", () => {
  it('echo "$(cat f)" and echo "`cat f`" write the file', () => {
    assert.deepEqual(writeConfig(`echo "$(cat /tmp/c)" > ${CONFIG}`), REPLACED_CONFIG);
    assert.deepEqual(writeConfig(`echo "\`cat /tmp/c\`" > ${CONFIG}`), REPLACED_CONFIG);
    assert.deepEqual(writeConfig(`echo \`cat /tmp/c\` > ${CONFIG}`), REPLACED_CONFIG);
  });
  it("a word of empty quotes alone is no substitution: echo writes an empty line", () => {
    assert.deepEqual(script('echo "" > /tmp/x', "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'"), [READ_ONLY("user data line 3")]);
  });
  it("empty quotes around the substitution add nothing", () => {
    assert.deepEqual(writeConfig(`echo ""$(cat /tmp/c)"" > ${CONFIG}`), REPLACED_CONFIG);
  });
  it("in backquotes, \\$ is a dollar sign: `cat \\$C` reads the file $C names", () => {
    assert.deepEqual(script("C=/tmp/c", ...file("/tmp/c", INSECURE_CONFIG), `echo "\`cat \\$C\`" > ${CONFIG}`, "/etc/eks/bootstrap.sh c").slice(1), [
      `kubelet-read-only-port: user data line 4 (${CONFIG}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`,
    ]);
  });
});

describe("a substitution with other text, or two of them, is computed at boot: not visible, not a refusal", () => {
  it("text before the substitution", () => assert.deepEqual(writeConfig(`echo "x$(cat /tmp/c)" > ${CONFIG}`), COMPUTED_CONFIG));
  it("two substitutions", () => assert.deepEqual(writeConfig(`echo "$(cat /tmp/c)$(cat /tmp/c)" > ${CONFIG}`), COMPUTED_CONFIG));
  it("arithmetic expansion is not a command to run", () => assert.deepEqual(writeConfig(`echo "$((1 + 2))" > ${CONFIG}`), COMPUTED_CONFIG));
});

describe("bootstrap.sh --kubelet-extra-args with a value computed at boot", () => {
  const UNSEEN = (line: number) =>
    `kubelet-node-config-verifiable: user data line ${line}: --read-only-port=$(computed-at-boot) depends on $(computed-at-boot) that is not visible, so read-only-port cannot be checked`;
  it("as the argument: the flag's value is not visible; the kubelet does not refuse it", () => {
    assert.deepEqual(script(`/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=$(cat /tmp/port)"`), [UNSEEN(2)]);
    assert.deepEqual(script('/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=`cat /tmp/port`"'), [UNSEEN(2)]);
  });
  it("as KUBELET_EXTRA_ARGS in bootstrap.sh's environment: the same", () => {
    assert.deepEqual(script(`export KUBELET_EXTRA_ARGS="--read-only-port=$(cat /tmp/port)"`, "/etc/eks/bootstrap.sh c"), [UNSEEN(2)]);
  });
});

describe("redirections and program paths", () => {
  it("a target named by a variable is the file the variable names", () => {
    assert.deepEqual(script(...file("/tmp/c", INSECURE_CONFIG), `CFG=${CONFIG}`, 'cat /tmp/c > "$CFG"', "/etc/eks/bootstrap.sh c").slice(1), [
      `kubelet-read-only-port: user data line 3 (${CONFIG}): readOnlyPort: 10255 serves the kubelet API without authentication on port 10255; set readOnlyPort: 0`,
    ]);
  });
  it("a target that expands to nothing writes no file and stops nothing", () => {
    assert.deepEqual(script('E=""', "echo x > $E", "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'"), [READ_ONLY("user data line 4")]);
  });
  it("a here-document given to bash is the script bash runs (bash(1): with no file, commands are read from standard input)", () => {
    assert.deepEqual(script("bash <<'EOF'", "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'", "EOF"), [READ_ONLY("user data line 3")]);
  });
  it("./bootstrap.sh after cd /etc/eks is bootstrap.sh", () => {
    assert.deepEqual(script("cd /etc/eks", "./bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'"), [READ_ONLY("user data line 3")]);
  });
});
