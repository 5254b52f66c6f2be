/**
 * More sed s/// and jq programs at the edges of what the pack models (policypack/boot/files.ts), run live
 * through GNU sed and jq as in edits.test.ts: `$` and `^` where POSIX BRE reads them as literal characters,
 * interval expressions, scripts cut short; jq deletions with blanks, `|=` without blanks, and the operators
 * jq has that are not assignments the pack applies (`//=`, `-=`, `!=`, `<=`). Where the pack models a program
 * its result must be the program's; where it does not, it must say so (undefined), never guess.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { applyEdits, parseJqFilter, parseSedSubstitution } from "../../policypack/boot/files";
import { installed, itMatchesGnuSed } from "../helpers/oracles";

const TEXT = "a$b ^a a^b $$ x{2} xx 10255\nq$ ^^ a\\b.n]^-x\tY~\x01\n   q!z\n";

describe("sed s/// against GNU sed: anchors and intervals", { skip: !installed("sed") && "sed is not installed" }, () => {
  const modelled: [script: string, extended: boolean][] = [
    ["s/a$b/Z/", false],
    ["s/a^b/Z/", false],
    ["s/$$/D/", false],
    ["s/q$/Q/", false],
    ["s/^^/C/", false],
    ["s/x\\{2\\}/I/", false],
    ["s/x\\{1,\\}/I/g", false],
    ["s/x{1,2}/I/g", true],
    ["s/[$]/S/g", false],
    ["s/1*/N/", false],
    ["s/\\(^a\\)/G/", false],
    ["s/x\\|^q/O/g", false],
    ["s/5$\\|x/E/g", false],
    ["s/[^a]$/B/", false],
    ["s/[]^]/R/g", false],
    ["s/[^]a]/R/g", false],
    ["s/a^b/Z/", true],
    ["s/[\\.]/K/g", false],
    ["s/[a\\]/K/g", false],
    ["s/[\\-]/K/g", true],
    ["s/[\\]]/K/g", false],
    ["s/[]a]/K/g", true],
    ...["alpha", "digit", "alnum", "upper", "lower", "space", "blank", "punct", "xdigit", "cntrl", "print", "graph"].map((name): [string, boolean] => [
      `s/[^[:${name}:]x]/K/g`,
      false,
    ]),
    ["s/^[[:space:]]*q[[:punct:]]/L/", true],
  ];
  itMatchesGnuSed(modelled, TEXT);
  it("bracket expressions it does not model are left uncertain: an unknown class, equivalence classes, collating symbols, GNU escapes, an open bracket", () => {
    for (const script of ["s/[[:nope:]]/K/g", "s/[[=a=]]/K/", "s/[[.a.]]/K/", "s/[\\n]/K/g", "s/[\\\\]/K/g", "s/[\\x41]/K/", "s/[ab/K/"])
      assert.equal(parseSedSubstitution(script, false), undefined, script);
  });
  it("a script cut short, or with a field missing, is not a substitution the pack applies (sed refuses it too)", () => {
    for (const script of ["s/a/", "s/a", "s/", "s", "s/a/b/c/d"]) {
      assert.equal(parseSedSubstitution(script, false), undefined, script);
      assert.notEqual(spawnSync("sed", ["-e", script], { input: TEXT }).status, 0, `sed accepts ${script}`);
    }
  });
});

describe("jq filters against jq: deletions and operators", { skip: !installed("jq") && "jq is not installed" }, () => {
  const DOC = { a: 1, b: { c: 2 }, "d e": 3 };
  const jq = (filter: string): unknown => JSON.parse(execFileSync("jq", ["-c", filter], { input: JSON.stringify(DOC), encoding: "utf8" }));
  for (const filter of ["del( .a )", "del(.b.c)", 'del(.["d e"])', ".a|=5", ".a |= 5", '.b.c = "x=y"', ".a = 1 | .b = 2", ". | .a = 3"]) {
    it(filter, () => {
      const edits = parseJqFilter(filter, new Map());
      assert.ok(edits, "modelled");
      assert.deepEqual(
        applyEdits(
          structuredClone(DOC),
          edits.map((e) => ({ ...e, location: { source: "t" } })),
        ),
        jq(filter),
      );
    });
  }
  it("operators that are not plain assignments are refused, though jq runs them", () => {
    for (const filter of [".a //= 5", ".a -= 1", ".a += 1", ".a *= 2", ".a != 1", ".a <= 1", ".a == 1", ".a = .b", ".a |= . + 1"]) {
      assert.equal(parseJqFilter(filter, new Map()), undefined, filter);
      assert.equal(spawnSync("jq", ["-c", filter], { input: JSON.stringify(DOC) }).status, 0, `jq refuses ${filter}`);
    }
  });
});
