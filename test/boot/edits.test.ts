/**
 * Hand-picked sed and jq programs at the edges of what the pack models (policypack/boot/files.ts), each run
 * live through GNU sed and jq: delimiters and escapes, `&` and back-references, BRE operators that are
 * literal unless escaped, flags; jq filters whose strings and brackets hold the `|` and `=` a filter is
 * split on. Where the pack models a program, its result must be the program's; where it does not, it says so.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { applyEdits, parseJqFilter, parseSedSubstitution } from "../../policypack/boot/files";
import { installed, itMatchesGnuSed } from "../helpers/oracles";

const TEXT = 'a+b a{2} aab "readOnlyPort": 10255\nAbc $x & \\ end\n\n. x.y.z [0]\n';

describe("sed s/// programs against GNU sed", { skip: !installed("sed") && "sed is not installed" }, () => {
  const modelled: [script: string, extended: boolean][] = [
    ["s/a/b/", false],
    ["s|a|b|g", false],
    ["sxaxbxg", false],
    ["s/a\\/b/c/", false],
    ["s/a+b/P/", false],
    ["s/a\\+b/P/g", false],
    ["s/a+b/P/", true],
    ["s/a{2}/Q/", false],
    ["s/a\\{2\\}/Q/", false],
    ["s/a{2}/Q/", true],
    ["s/\\(a\\)\\(b\\)/\\2\\1/g", false],
    ["s/(a)(b)/\\2\\1/g", true],
    ["s/[0-9]*$/N/", false],
    ["s/\\./,/g", false],
    ["s/./,/g", false],
    ["s/x/&&/g", false],
    ["s/x/\\&/g", false],
    ["s/b/$HOME/", false],
    ["s/A/z/I", false],
    ["s/a/z/Ig", false],
    ["s/^/> /", false],
    ["s/$/ </", false],
    ['s/"readOnlyPort": [0-9]*/"readOnlyPort": 0/', false],
    ["s/a\\|b/O/g", false],
    ["s/a|b/O/g", true],
    ["s/a|b/O/g", false],
    ["s/\\\\/S/", false],
    ["s/(/P/", false],
    ["s/ /\\n/g", false],
    ["s/b/\\$\\.\\\\/", false],
  ];
  itMatchesGnuSed(modelled, TEXT);
  it("refuses what it does not model, or what sed itself refuses: other commands, counts, w, one field, a blank delimiter, repeated groups", () => {
    for (const script of [
      "y/a/b/",
      "s/a/b/2",
      "s/a/b/w /tmp/x",
      "s/a/b/p",
      "s/a/b",
      "s a b ",
      "s\\a\\b\\",
      "s/",
      "p",
      "s/\\(a\\)*/b/",
      "s/a*b*/c/",
      "s/[/b/",
      "s/(/b/",
      "s/a/\\t/",
      "s/a/\\U&/",
    ])
      assert.equal(parseSedSubstitution(script, script === "s/(/b/"), undefined, script);
  });
});

describe("jq filters against jq", { skip: !installed("jq") && "jq is not installed" }, () => {
  const doc = { a: { b: 1, "x|y": 2 }, c: [1, 2], "d.e": 3 };
  const filters = [
    ".a.b = 5",
    ".a.b |= 5",
    '.a["x|y"] = "p|q"',
    '.a."x|y" = 7',
    '.["d.e"] = {"k": "v|w", "l": [1, "]"]}',
    '.a.b = "x\\"|y"',
    "del(.a.b) | .c = null",
    ". | .n = true",
    "del(.a) | .a.z = [1, {}]",
    '.s = "a=b" | .t = "(" ',
    ".a = $v",
    ".a.b = $j",
  ];
  const args = new Map<string, unknown>([
    ["v", "text"],
    ["j", { n: [1] }],
  ]);
  for (const filter of filters) {
    it(filter, () => {
      const edits = parseJqFilter(filter, args);
      assert.ok(edits, "modelled");
      const ours = applyEdits(
        structuredClone(doc),
        edits.map((e) => ({ ...e, location: { source: "test" } })),
      );
      const theirs = JSON.parse(
        execFileSync("jq", ["-c", "--arg", "v", "text", "--argjson", "j", '{"n":[1]}', filter], { input: JSON.stringify(doc), encoding: "utf8" }),
      );
      assert.deepEqual(ours, theirs);
    });
  }
  it("refuses filters it does not model: other functions, arithmetic, undefined arguments, paths that are not paths", () => {
    for (const filter of [".a.b += 1", "map(.)", ".a = $missing", ".a = (1)", "a = 1", ".a[0] = 1", ".a = .b", "del(a)", ".a = {x: 1}", ".a.b = 1 // 2"])
      assert.equal(parseJqFilter(filter, args), undefined, filter);
  });
});
