/**
 * File edits the boot applies (policypack/boot/files.ts), against the programs themselves: GNU sed
 * (s/…/…/ with basic and extended expressions) and jq (assignments and del), run live on generated
 * scripts and inputs. A script the pack does not model returns undefined (reported as unverifiable
 * by the caller); each run checks that enough cases were modelled for the comparison to mean something.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { applyEdits, parseJqFilter, parseSedSubstitution } from "../../policypack/boot/files";

const has = (program: string): boolean => spawnSync(program, ["--version"]).status === 0;

describe("sed s/// against GNU sed", { skip: !has("sed") && "sed is not installed" }, () => {
  const literal = fc.stringMatching(/^[a-zA-Z0-9":_ ]{1,6}$/);
  const atom = fc.oneof(literal, fc.constantFrom(".", "[0-9]", "[a-z]", '"', ": "));
  /** A pattern with at most one repetition (the pack refuses more, to stay linear). */
  const pattern = fc
    .tuple(fc.boolean(), fc.array(atom, { minLength: 1, maxLength: 3 }), fc.constantFrom("", "*", "\\+"), fc.boolean())
    .map(([start, atoms, repeat, end]) => `${start ? "^" : ""}${atoms.join("")}${repeat}${end ? "$" : ""}`);
  const replacement = fc.oneof(literal, fc.constantFrom("&", "[&]", "x&y", "\\/", ""));
  const input = fc.array(fc.constantFrom('"readOnlyPort": 0,', "readOnlyPort: 10255", "  anonymous:", "    enabled: true", "a:b:c", "", "x 12 y 345"), {
    minLength: 1,
    maxLength: 5,
  });
  const flags = fc.constantFrom("", "g", "I", "gI");

  it("gives the text GNU sed gives, for every script it models", () => {
    let modelled = 0;
    fc.assert(
      fc.property(pattern, replacement, flags, input, (p, r, f, lines) => {
        const script = `s/${p}/${r}/${f}`;
        const ours = parseSedSubstitution(script, false);
        if (!ours) return;
        modelled++;
        const text = `${lines.join("\n")}\n`;
        const theirs = execFileSync("sed", ["-e", script], { input: text, encoding: "utf8" });
        assert.equal(ours(text), theirs, script);
      }),
      { numRuns: 120, seed: 4021 },
    );
    assert.ok(modelled >= 60, `only ${modelled} of 120 scripts were modelled`);
  });
  it("extended expressions (-E): groups, +, ? and | as operators", () => {
    for (const [script, text] of [
      ["s/(read)(Only)/\\2\\1/", "readOnlyPort: 0\n"],
      ["s/Port: [0-9]+/Port: 10255/", "readOnlyPort: 0\n"],
      ["s/enabled: (true|false)/enabled: true/", "    enabled: false\n"],
      ["s/a?b/X/g", "ab b cab\n"],
    ]) {
      const ours = parseSedSubstitution(script, true);
      assert.ok(ours, script);
      assert.equal(ours(text), execFileSync("sed", ["-E", "-e", script], { input: text, encoding: "utf8" }), script);
    }
  });
  it("another delimiter, and the delimiter escaped inside", () => {
    const script = "s|/etc/kubernetes/a|/etc/kubernetes/\\|b|";
    const text = "path: /etc/kubernetes/a\n";
    assert.equal(parseSedSubstitution(script, false)!(text), execFileSync("sed", ["-e", script], { input: text, encoding: "utf8" }));
  });
});

describe("jq assignments and del against jq", { skip: !has("jq") && "jq is not installed" }, () => {
  const key = fc.constantFrom("readOnlyPort", "authentication", "anonymous", "enabled", "a", "b");
  const path = fc.array(key, { minLength: 1, maxLength: 3 });
  // Strings with the characters a filter is split and nested on (| ( ) [ ] { } " \\), which jq reads as text inside quotes.
  const scalar = fc.oneof(
    fc.integer({ min: -2, max: 20000 }),
    fc.boolean(),
    fc.constantFrom("Webhook", "4h0m0s", "", "a|b", "x(y", 'q"r|s', "t\\", "[1]", "{}", ")|("),
    fc.constant(null),
  );
  const value = fc.oneof(scalar, fc.dictionary(key, scalar, { maxKeys: 2 }), fc.array(scalar, { maxLength: 3 }));
  const term = fc.oneof(
    fc.tuple(path, fc.constantFrom("=", "|="), value).map(([p, op, v]) => `.${p.join(".")} ${op} ${JSON.stringify(v)}`),
    path.map((p) => `del(.${p.join(".")})`),
  );
  const filter = fc.array(term, { minLength: 1, maxLength: 3 }).map((terms) => terms.join(" | "));
  const doc = fc.dictionary(key, fc.oneof(scalar, fc.dictionary(key, scalar, { maxKeys: 3 })), { maxKeys: 4 });

  it("gives the document jq gives, for every filter it models (jq's errors aside)", () => {
    let compared = 0;
    fc.assert(
      fc.property(doc, filter, (d, f) => {
        const edits = parseJqFilter(f, new Map());
        // every generated filter is in the modelled grammar: refusing one would hide a parsing fault
        assert.ok(edits, `not modelled: ${f}`);
        const run = spawnSync("jq", ["-c", f], { input: JSON.stringify(d), encoding: "utf8" });
        // jq refuses to index a scalar (`.a.b = 1` where .a is 5); the shell's `&& mv` then keeps the file
        if (run.status !== 0) return;
        compared++;
        const ours = applyEdits(
          d as Record<string, unknown>,
          edits.map((e) => ({ ...e, location: { source: "test" } })),
        );
        assert.deepEqual(ours, JSON.parse(run.stdout), f);
      }),
      { numRuns: 150, seed: 2718 },
    );
    assert.ok(compared >= 60, `only ${compared} of 150 filters were compared`);
  });
  it("a --arg value is a string, as jq passes it", () => {
    const edits = parseJqFilter(".authorization.mode = $m", new Map([["m", "AlwaysAllow"]]))!;
    const theirs = JSON.parse(
      execFileSync("jq", ["-c", "--arg", "m", "AlwaysAllow", ".authorization.mode = $m"], { input: "{}", encoding: "utf8" }),
    ) as unknown;
    assert.deepEqual(
      applyEdits(
        {},
        edits.map((e) => ({ ...e, location: { source: "test" } })),
      ),
      theirs,
    );
  });
});
