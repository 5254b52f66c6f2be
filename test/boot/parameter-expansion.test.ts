/**
 * Positional and special parameters (bash(1), "Positional Parameters", "Special Parameters"). Inside a function
 * they are its call's words, and the caller's come back when it returns (bash(1), FUNCTIONS); `shift` and
 * `set --` change them (bash(1), SHELL BUILTIN COMMANDS). Where the pack cannot know them (what the script
 * itself was run with, `$@`, `$?`…) a flag that holds one is not visible: bootstrap.sh writes the expanded value
 * into the kubelet's drop-in (amazon-eks-ami templates/al2/runtime/bootstrap.sh, KUBELET_EXTRA_ARGS), so it
 * must read as unknown, never as the literal `$1` the kubelet would refuse. bash itself is the oracle.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { NodeBuilder } from "../../policypack/boot/node-builder";
import { runScript } from "../../policypack/boot/script";
import { fileText } from "../../policypack/boot/files";
import { DEFAULT_LIMITS } from "../../policypack/userdata/limits";
import { analyze, lines } from "../helpers/userdata";
import { installed } from "../helpers/oracles";

describe("special parameters in flags bootstrap.sh writes", () => {
  for (const parameter of ["$?", "$$", "$!", "$-", "$@"]) {
    it(`${parameter} leaves the flag not visible`, () => {
      const { findings } = analyze(lines("#!/bin/bash", `/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=${parameter}"`));
      assert.deepEqual(findings, [
        `kubelet-node-config-verifiable: user data line 2: --read-only-port=${parameter} depends on ${parameter} that is not visible, so read-only-port cannot be checked`,
      ]);
    });
  }
  it("a known variable beside one still decides its own flag", () => {
    const { findings } = analyze(
      lines("#!/bin/bash", "PORT=10255", '/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=$PORT --node-labels=from=$1"'),
    );
    assert.deepEqual(findings, [
      "kubelet-read-only-port: user data line 3: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
});

const BOOTSTRAP = "/etc/eks/bootstrap.sh c --kubelet-extra-args";
const readOnly = (...script: string[]) => analyze(lines("#!/bin/bash", ...script)).findings.filter((f) => /read-only-port|verifiable/.test(f));
const OPEN = (line: number, port: string) =>
  `kubelet-read-only-port: user data line ${line}: --read-only-port=${port} serves the kubelet API without authentication on port ${port}; set --read-only-port=0`;
const UNKNOWN = (line: number, shown: string, parameter: string) =>
  `kubelet-node-config-verifiable: user data line ${line}: --read-only-port=${shown} depends on ${parameter} that is not visible, so read-only-port cannot be checked`;

describe("a function's positional parameters reach the flags it passes", () => {
  it("$1 is the call's first word", () => {
    assert.deepEqual(readOnly(`start() { ${BOOTSTRAP} "--read-only-port=$1"; }`, "start 10255"), [OPEN(2, "10255")]);
  });
  it("${1:-0} takes the default when the call has no words", () => {
    assert.deepEqual(readOnly(`start() { ${BOOTSTRAP} "--read-only-port=\${1:-0}"; }`, "start"), []);
    assert.deepEqual(readOnly(`start() { ${BOOTSTRAP} "--read-only-port=\${1:-0}"; }`, "start 10255"), [OPEN(2, "10255")]);
  });
  it("shift drops the first word; $# counts them", () => {
    assert.deepEqual(readOnly(`start() { shift; ${BOOTSTRAP} "--read-only-port=$1"; }`, "start x 10255"), [OPEN(2, "10255")]);
    assert.deepEqual(readOnly(`start() { ${BOOTSTRAP} "--read-only-port=$#"; }`, "start a b"), [OPEN(2, "2")]);
  });
  it("after the call, the caller's come back", () => {
    assert.deepEqual(readOnly("set -- 10255", "f() { :; }", "f 0", `${BOOTSTRAP} "--read-only-port=$1"`), [OPEN(5, "10255")]);
  });
  it("set -- makes them known; a shift that may not run makes them unknown", () => {
    assert.deepEqual(readOnly("set -- 10255", `${BOOTSTRAP} "--read-only-port=$1"`), [OPEN(3, "10255")]);
    assert.deepEqual(readOnly("set -- 10255", "if [ -f /x ]; then shift; fi", `${BOOTSTRAP} "--read-only-port=$1"`), [UNKNOWN(4, "$1", "$1")]);
  });
  it("a word computed at boot stays unknown through the call", () => {
    assert.deepEqual(readOnly(`start() { ${BOOTSTRAP} "--read-only-port=$1"; }`, 'start "$(cat /etc/port)"'), [
      UNKNOWN(2, "$(computed-at-boot)", "$(computed-at-boot)"),
    ]);
  });
});

describe("a script's own arguments", () => {
  const REFUSED = (line: number) =>
    `kubelet-read-only-port: user data line ${line}: the kubelet would refuse to start: invalid argument "" for "--read-only-port" flag: strconv.ParseInt: parsing "": invalid syntax`;
  it("user data's script has none: cloud-init runs it by its path alone (cloudinit/subp.py runparts)", () => {
    assert.deepEqual(readOnly(`${BOOTSTRAP} "--read-only-port=$1"`), [REFUSED(2)]);
    assert.deepEqual(readOnly(`${BOOTSTRAP} "--read-only-port=$#"`), []);
    assert.deepEqual(readOnly(`${BOOTSTRAP} "--read-only-port=\${1:-10255}"`), [OPEN(2, "10255")]);
  });
  const script = ["cat > /opt/start.sh <<'EOF'", "#!/bin/bash", `${BOOTSTRAP} "--read-only-port=$1"`, "EOF"];
  it("a script run by path gets the words after it; one run without any has none", () => {
    assert.deepEqual(readOnly(...script, "bash /opt/start.sh 10255"), [OPEN(4, "10255")]);
    assert.deepEqual(readOnly(...script, "f() { /opt/start.sh; }", "f 10255"), [REFUSED(4)]);
  });
  it("source passes its words, or leaves the caller's", () => {
    assert.deepEqual(readOnly(...script, "source /opt/start.sh 10255"), [OPEN(4, "10255")]);
    assert.deepEqual(readOnly(...script, "set -- 10255", ". /opt/start.sh"), [OPEN(4, "10255")]);
  });
  it("sh -c SCRIPT NAME ARGS: the words after NAME", () => {
    assert.deepEqual(readOnly(`sh -c '${BOOTSTRAP} "--read-only-port=$1"' sh 10255`), [OPEN(2, "10255")]);
  });
});

describe("positional parameters as bash sets them (bash itself, generated scripts)", { skip: !installed("bash") && "bash is not installed" }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kg-positional-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Each script prints to its own file: OUT stands for it.
  const OUT = "@OUT@";

  const word = fc.constantFrom("a", "10255", '"b c"', '""', "'d e f'", "x*", "0");
  const words = fc.array(word, { maxLength: 4 }).map((w) => w.join(" "));
  const expansion = fc.constantFrom("$1", "$2", "$3", "$#", "$*", '"$*"', "${1:-dflt}", "${2-dflt}", "${10}", "$1$2", '"$1"x"$2"');
  // echo, or a here-document (expanded without field splitting).
  const print = fc.oneof(
    expansion.map((e) => `echo ${e} >> ${OUT}`),
    fc
      .array(fc.constantFrom("$1", "$2", "$#", "$*", "${1}", "${2-dflt}", "${10}", "[$3]", '${1:-"q r"}', "${2:-a\\$b}", "${NOT_SET:-v}", "\\$1"), {
        minLength: 1,
        maxLength: 3,
      })
      .map((e) => `cat >> ${OUT} <<EOF\n${e.join(" ")}\nEOF`),
  );
  const bodyStatement = fc.oneof(
    print,
    fc.constant("shift"),
    fc.constant("shift 2"),
    words.map((w) => `set -- ${w}`),
    words.map((w) => `g ${w}`),
  );
  const script = fc
    .tuple(
      words,
      fc.array(bodyStatement, { minLength: 1, maxLength: 5 }),
      fc.array(print, { maxLength: 3 }),
      fc.array(
        fc.oneof(
          print,
          words.map((w) => `f ${w}`),
          fc.constant("shift"),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    )
    .map(([top, body, gBody, calls]) => [...(top === "" ? [] : [`set -- ${top}`]), "g() {", ...gBody, ":", "}", "f() {", ...body, "}", ...calls].join("\n"));

  it("prints what bash prints, on 300 generated scripts", () => {
    const scripts = fc.sample(script, { numRuns: 300, seed: 20261202 }).map((text, i) => ({ text, out: path.join(dir, `out${i}`) }));
    // One bash for all, each script in a subshell with no arguments, as `bash -c` would run it alone; a failing
    // `shift` sets the status, not an error, so each goes on either way.
    spawnSync("bash", ["--norc", "--noprofile", "-s"], { input: scripts.map((c) => `(\n${c.text.replaceAll(OUT, c.out)}\n)\n`).join(""), cwd: dir });
    for (const { text, out } of scripts) {
      let expected = "";
      try {
        expected = readFileSync(out, "utf8");
      } catch {
        // nothing printed
      }
      const builder = new NodeBuilder(DEFAULT_LIMITS);
      runScript(builder, `${text.replaceAll(OUT, out)}\n`, { source: "s", firstLine: 1, exact: true });
      const file = builder.files.get(out);
      assert.equal(file ? fileText(file.state) : "", expected, text);
    }
  });
});

describe("an unquoted here-document expands ${VAR:-word} as bash does", () => {
  const unit = (execStart: string) =>
    analyze(lines("#!/bin/bash", "cat > /etc/systemd/system/kubelet.service <<EOF", "[Service]", execStart, "EOF")).findings.filter((f) =>
      /read-only|verifiable/.test(f),
    );
  it("an unset variable gives the word (it was written as the literal text, which systemd empties)", () => {
    assert.deepEqual(unit("ExecStart=/usr/bin/kubelet --read-only-port=${PORT:-10255} --anonymous-auth=false"), [
      "kubelet-read-only-port: user data line 4 (/etc/systemd/system/kubelet.service): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
  });
  it("an expansion the pack cannot make is not visible, in the unit as anywhere (it read as a kubelet that refuses to start)", () => {
    assert.deepEqual(unit("ExecStart=/usr/bin/kubelet --read-only-port=${PORT%%x} --anonymous-auth=false"), [
      "kubelet-node-config-verifiable: user data line 4 (/etc/systemd/system/kubelet.service): --read-only-port=$(computed-at-boot) depends on $(computed-at-boot) that is not visible, so read-only-port cannot be checked",
    ]);
  });
});
