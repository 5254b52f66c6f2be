import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { expandHereDoc, expandWord, simpleCommands, splitShellWords, tokenize, type Operator, type Word } from "../../policypack/kubelet/shell";
import { bashWords } from "../helpers/oracles";

const words = (s: string, env: Record<string, string> = {}): string[] => splitShellWords(s, (n) => env[n]).words.map((w) => w.text);

describe("splitShellWords", () => {
  it("splits on blanks and removes quotes", () => assert.deepEqual(words(`a 'b c' "d e" f\\ g`), ["a", "b c", "d e", "f g"]));
  it("joins line continuations", () => assert.deepEqual(words("--a=1 \\\n  --b=2"), ["--a=1", "--b=2"]));
  it('keeps backslashes in double quotes unless they escape $ ` " \\ or newline', () => assert.deepEqual(words(`"a\\b" "\\$x" "\\\\"`), ["a\\b", "$x", "\\"]));
  it("keeps empty quoted words", () => assert.deepEqual(words(`a "" ''`), ["a", "", ""]));
  it("treats # as a comment only at a word start", () => assert.deepEqual(words("a#b #c d"), ["a#b"]));
  it("resolves $VAR and ${VAR} from the environment", () => assert.deepEqual(words(`--x=$A "\${B}"`, { A: "1", B: "two words" }), ["--x=1", "two words"]));
  it("splits unquoted expansions into fields", () => assert.deepEqual(words("$A", { A: "--a=1  --b=2" }), ["--a=1", "--b=2"]));
  it("marks unresolved variables", () => {
    const [w] = splitShellWords("--port=$PORT").words;
    assert.equal(w.text, "--port=$PORT");
    assert.deepEqual(w.unresolved, ["$PORT"]);
  });
  it("uses ${VAR:-default} fallbacks", () => assert.deepEqual(words("${X:-0}"), ["0"]));
  it("reports unterminated quotes without throwing", () => {
    assert.match(splitShellWords(`a 'b`).error ?? "", /unterminated single quote/);
    assert.match(splitShellWords(`a "b`).error ?? "", /unterminated double quote/);
  });
  it("reports operators where only words are expected", () => assert.match(splitShellWords("a; b").error ?? "", /operator/));
  it("reads ANSI-C quoting", () => assert.deepEqual(words("$'a\\tb'"), ["a\tb"]));
});

describe("tokenize and simpleCommands", () => {
  it("reads here-documents, quoted and unquoted, and <<- tab stripping", () => {
    const { tokens } = tokenize("cat <<EOF > /f\nline $X\nEOF\ncat <<'E2'\n$Y\nE2\ncat <<-T\n\t\tindented\n\tT\necho done\n");
    const docs = tokens.filter((t): t is Operator => t.kind === "op" && !!t.heredoc).map((t) => t.heredoc!);
    assert.deepEqual(
      docs.map((d) => [d.delimiter, d.quoted, d.body, d.bodyLine]),
      [
        ["EOF", false, "line $X\n", 2],
        ["E2", true, "$Y\n", 5],
        ["T", false, "indented\n", 8],
      ],
    );
    assert.equal(expandHereDoc(docs[0], (n) => (n === "X" ? "1" : undefined)).text, "line 1\n");
    const commands = simpleCommands(tokens);
    assert.deepEqual(
      commands.map((c) => c.words.map((w) => expandWord(w, () => undefined)[0].text)),
      [["cat"], ["cat"], ["cat"], ["echo", "done"]],
    );
    assert.equal(commands[3].line, 10);
  });
  it("counts the lines inside double quotes, around escapes, expansions and substitutions", () => {
    const src = 'echo "a\nb" x\necho "$V\nc\\"\n\nd" `e\nf` "g\\\nh"\nlast\n';
    const lines = tokenize(src)
      .tokens.filter((t): t is Word => t.kind === "word")
      .map((w) => [expandWord(w, () => undefined)[0]?.text, w.line]);
    assert.deepEqual(lines, [
      ["echo", 1],
      ["a\nb", 1],
      ["x", 2],
      ["echo", 3],
      ['$V\nc"\n\nd', 3],
      ["`e\nf`", 6],
      ["gh", 7],
      ["last", 9],
    ]);
  });
  it("groups pipelines and lists, dropping compound-command keywords", () => {
    const commands = simpleCommands(tokenize("if kubelet --a; then echo x | tee f; fi && b").tokens);
    const names = commands.map((c) => (c.words[0] as Word).segments.map((s) => (s.kind === "lit" ? s.text : "")).join(""));
    assert.deepEqual(names, ["kubelet", "echo", "tee", "b"]);
    assert.equal(commands[1].next, "|");
    assert.equal(commands[2].previous, "|");
  });
  it("is linear on a megabyte of quotes", () => {
    const { error } = tokenize("'".repeat(1024 * 1024 + 1));
    assert.match(error?.message ?? "", /unterminated/);
  });
});

const plain = fc.constantFrom(..."abcXYZ019=-_./:,@%+");
const quotedChar = fc.constantFrom(..."abc =-'\"$\\\n#");
const token = fc.oneof(
  { weight: 6, arbitrary: plain },
  { weight: 2, arbitrary: fc.constantFrom(" ", "\t", "  ") },
  { weight: 1, arbitrary: fc.constantFrom("x#y", "a#") },
  {
    weight: 2,
    arbitrary: fc
      .array(
        quotedChar.filter((c) => c !== "'"),
        { maxLength: 6 },
      )
      .map((cs) => `'${cs.join("")}'`),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(plain, fc.constantFrom(" ", "'", "\n", '\\"', "\\\\", "\\$", "\\a", "\\'", "\\\n")), { maxLength: 6 })
      .map((cs) => `"${cs.join("")}"`),
  },
  { weight: 1, arbitrary: fc.constantFrom(..."abc '\"\\#=\n").map((c) => `\\${c}`) },
);
// A comment runs to the end of the line whatever it holds, so it only comes last.
const comment = fc.option(
  fc.array(fc.constantFrom(..."ab '\"#\\$"), { maxLength: 5 }).map((cs) => ` #${cs.join("")}`),
  { nil: "" },
);
const shellString = fc.tuple(fc.array(token, { maxLength: 12 }), comment).map(([ts, c]) => ts.join("") + c);

describe("the shell word splitter agrees with bash", () => {
  it("on 10,000 generated strings without expansions", () => {
    const cases = fc.sample(shellString, { numRuns: 10_000, seed: 20261123 });
    const expected = bashWords(cases);
    assert.equal(expected.length, cases.length);
    cases.forEach((c, i) => assert.deepEqual(words(c), expected[i], `case ${JSON.stringify(c)}`));
  });
  it("never throws on any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        tokenize(s);
        splitShellWords(s);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});

// Expansions against bash: A needs field splitting, B is set but empty, C is unset, D is one plain word.
const ENV: Record<string, string | undefined> = { A: "1  two\tthree", B: "", C: undefined, D: "x" };
const fallbackWord = fc.constantFrom("z", "y w", "", "'q r'", '"p q"', "$D", "-");
const expansion = fc.oneof(
  fc.constantFrom("$A", "${A}", '"$A"', '"${A}"', "$D", "${D}", "$B", '"$B"', "$C"),
  fc.tuple(fc.constantFrom("A", "B", "C", "D"), fc.constantFrom(":-", "-", ":=", "="), fallbackWord, fc.boolean()).map(([v, op, d, q]) => {
    const e = `\${${v}${op}${d}}`;
    return q ? `"${e}"` : e;
  }),
  fc.constantFrom("$'\\101\\0627'", "$'\\q\\E'", "$'\\cA\\x4g'", "$'a\\tb'", "$'\\x41\\x42'", "$'it\\'s'", "$'\\n'", "$'\\\\'", "$'a b'"),
);
const expansionString = fc
  .array(fc.oneof({ weight: 3, arbitrary: expansion }, { weight: 2, arbitrary: fc.constantFrom(" ", "  ", "\t") }, { weight: 2, arbitrary: plain }), {
    minLength: 1,
    maxLength: 10,
  })
  .map((parts) => parts.join(""));

describe("expansions agree with bash: ${V:-d}, ${V-d}, ${V:=d}, ${V=d}, $'…' and field splitting", () => {
  it("on 3,000 generated strings, wherever the splitter resolves every word", () => {
    const cases = fc.sample(expansionString, { numRuns: 3_000, seed: 20261130 });
    const expected = bashWords(cases, ENV);
    assert.equal(expected.length, cases.length);
    let compared = 0;
    cases.forEach((c, i) => {
      const { words: got } = splitShellWords(c, (n) => ENV[n]);
      // A word left unresolved is reported as unverifiable: conservative, not wrong, and not compared.
      if (got.some((w) => w.unresolved.length)) return;
      compared++;
      assert.deepEqual(
        got.map((w) => w.text),
        expected[i],
        `case ${JSON.stringify(c)}`,
      );
    });
    // Only a bare unset $C is left unresolved, so most cases are compared.
    assert.ok(compared > cases.length * 0.6, `${compared} of ${cases.length} compared`);
  });
});
