/**
 * What a script's lines leave in the files they write, line after line: bash(1) echo joins its arguments with
 * one space and ends with a newline unless -n; `>>` appends to the file the path names at that moment; coreutils
 * mv takes the file away from its old path, and cp and mv refuse a file onto itself ("are the same file").
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileText } from "../../policypack/boot/files";
import { NodeBuilder } from "../../policypack/boot/node-builder";
import { assignmentName, runScript } from "../../policypack/boot/script";
import { DEFAULT_LIMITS } from "../../policypack/userdata/limits";
import { findings, lines } from "../helpers/userdata";

/** The text each path holds after the script, as the pack models the node. */
function run(script: string): (path: string) => string | undefined {
  const builder = new NodeBuilder(DEFAULT_LIMITS);
  runScript(builder, script, { source: "user data", firstLine: 1, exact: true });
  return (path) => {
    const file = builder.files.get(path);
    return file ? fileText(file.state) : undefined;
  };
}

describe("echo's words in the file it writes (bash echo)", () => {
  it("joins the words with one space and ends the line", () => {
    const text = run('echo a  b "c  d" > /f\necho -n x y >> /f\necho -e "p\\tq" r >> /f\n');
    assert.equal(text("/f"), "a b c  d\nx yp\tq r\n");
  });
});

describe("echo's option words, as bash itself prints them (builtins/echo.def: only n, e and E letters after one -)", () => {
  const words = ["-n", "-e", "-E", "-neE", "-En", "-", "--", "-x", "-nx", "-N", "x", "ne", "xE", "--n", "-e\\tz"];
  // Each pair before an escaped text, and each pair alone, where every word may be an option.
  const scripts = words.flatMap((a) => words.flatMap((b) => [`echo ${a} ${b} 'a\\tb'`, `echo ${a} ${b}`]));
  it(`on ${scripts.length} echo commands`, () => {
    const expected = execFileSync("bash", ["--norc", "--noprofile", "-c", scripts.map((s) => `${s}; printf '\\0'`).join("\n")], { encoding: "utf8" }).split(
      "\0",
    );
    scripts.forEach((script, i) => assert.equal(run(`${script} > /f\n`)("/f"), expected[i], script));
  });
});

describe("NAME=value words before a command set its environment, not the shell's (bash(1), PARAMETERS: names)", () => {
  it("takes only a name of letters, digits and underscores, not starting with a digit, as an assignment", () => {
    const builder = (script: string) => {
      const b = new NodeBuilder(DEFAULT_LIMITS);
      runScript(b, script, { source: "user data", firstLine: 1, exact: true });
      return b;
    };
    for (const [word, name] of [
      ["A=1", "A"],
      ["Z=1", "Z"],
      ["z0=1", "z0"],
      ["_a9=1", "_a9"],
      ["a_B=", "a_B"],
      ["9a=1", undefined],
      ["a-b=1", undefined],
      ["=1", undefined],
      ["a.b=1", undefined],
      ["@=1", undefined],
      ["[=1", undefined],
      ["`=1", undefined],
      ["{=1", undefined],
      ["a/=1", undefined],
      ["a:=1", undefined],
      ["a[=1", undefined],
    ] as const) {
      const b = builder(`${word}\n`);
      assert.deepEqual([...b.vars.keys()], name === undefined ? [] : [name], word);
      assert.equal(assignmentName(word), name, word);
    }
    assert.equal(assignmentName(""), undefined);
    assert.equal(assignmentName("abc"), undefined);
  });
});

describe("the file a script last wrote, kept for its next line", () => {
  it("appends line after line, and starts afresh where mv took the file away (coreutils mv)", () => {
    const text = run("echo a >> /x\necho b >> /x\nmv /x /y\necho c >> /x\necho d >> /y\n");
    assert.equal(text("/x"), "c\n");
    assert.equal(text("/y"), "a\nb\nd\n");
  });

  it("leaves a file that cp or mv is told to put onto itself as it is (coreutils: are the same file)", () => {
    assert.equal(run("echo a > /x\nmv /x /x\necho b >> /x\n")("/x"), "a\nb\n");
    assert.equal(run("echo a > /x\ncp /x /x\necho b >> /x\n")("/x"), "a\nb\n");
  });

  it("keeps each file's own lines when writes alternate between files", () => {
    const text = run("echo 1 > /a\necho 2 > /b\necho 3 >> /a\ncp /a /c\necho 4 >> /a\n");
    assert.deepEqual([text("/a"), text("/b"), text("/c")], ["1\n3\n4\n", "2\n", "1\n3\n"]);
  });
});

describe("modes and owners of files that are not the kubelet's (CIS 4.1: the kubelet's own files only)", () => {
  const permissionFindings = (userData: string) => findings(userData).filter((f) => f.startsWith("kubelet-config-file-permissions"));

  it("judges the kubelet's files and no others", () => {
    const userData = lines(
      "#!/bin/bash",
      "echo x > /home/ubuntu/notes",
      "chown ubuntu:ubuntu /home/ubuntu/notes",
      "chmod 777 /home/ubuntu/notes",
      "/etc/eks/bootstrap.sh c",
    );
    assert.deepEqual(permissionFindings(userData), []);
    assert.equal(permissionFindings(lines("#!/bin/bash", "chown ubuntu /var/lib/kubelet/kubeconfig", "/etc/eks/bootstrap.sh c")).length, 1);
  });
});
