import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseKubeletArgs } from "../../policypack/kubelet/cmdline";

const parse = (...args: string[]) => parseKubeletArgs(args.map((text) => ({ text, line: 1 })));
const values = (...args: string[]) => parse(...args).assignments.map((a) => [a.name, a.value]);

describe("parseKubeletArgs (pflag semantics)", () => {
  it("reads --f=v and --f v for non-bool flags", () => {
    assert.deepEqual(values("--read-only-port=0", "--max-pods", "20", "--event-qps", "5"), [
      ["read-only-port", 0],
      ["max-pods", 20],
      ["event-qps", 5],
    ]);
  });
  it("reads a bare bool flag as true and does not take the next word", () => {
    assert.deepEqual(values("--anonymous-auth", "--max-pods=20"), [
      ["anonymous-auth", true],
      ["max-pods", 20],
    ]);
  });
  it("reports --bool false: true plus a stray argument the kubelet refuses", () => {
    const { assignments, problems } = parse("--anonymous-auth", "false");
    assert.deepEqual(
      assignments.map((a) => a.value),
      [true],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0].name, "anonymous-auth");
    assert.equal(problems[0].kind, "refuse");
    assert.match(problems[0].message, /unknown command "false"/);
  });
  it("reads every Go ParseBool spelling", () => {
    assert.deepEqual(values("--anonymous-auth=0", "--rotate-certificates=F", "--seccomp-default=TRUE"), [
      ["anonymous-auth", false],
      ["rotate-certificates", false],
      ["seccomp-default", true],
    ]);
  });
  it("normalises underscores in flag names", () => assert.deepEqual(values("--read_only_port=10255"), [["read-only-port", 10255]]));
  it("checks int32 flags against 32 bits and int64 flags against 64 (pflag int32.go/int64.go: strconv.ParseInt(s, 0, 32|64))", () => {
    assert.deepEqual(values("--pod-max-pids=4294967296"), [["pod-max-pids", 4294967296]]);
    const { assignments, problems } = parse("--read-only-port=4294967296");
    assert.equal(assignments.length, 0);
    assert.deepEqual(
      problems.map((p) => [p.name, p.kind]),
      [["read-only-port", "refuse"]],
    );
    assert.match(problems[0].message, /value out of range/);
  });
  it("gives -h=<bool> its value and refuses a non-bool one (pflag parseSingleShortArg)", () => {
    assert.deepEqual(values("-h=false"), [["help", false]]);
    assert.deepEqual(values("-h"), [["help", true]]);
    assert.deepEqual(values("-hv3"), [
      ["help", true],
      ["v", 3],
    ]);
    const { assignments, problems } = parse("-h=maybe");
    assert.equal(assignments.length, 0);
    assert.deepEqual(
      problems.map((p) => [p.name, p.kind]),
      [["help", "refuse"]],
    );
    assert.match(problems[0].message, /invalid argument "maybe" for "-h, --help" flag/);
  });
  it("reads base-0 integers", () =>
    assert.deepEqual(values("--read-only-port=0x0", "--pod-max-pids=010"), [
      ["read-only-port", 0],
      ["pod-max-pids", 8],
    ]));
  it("reports malformed values as a kubelet that would not start", () => {
    const { problems, assignments } = parse("--read-only-port=abc", "--streaming-connection-idle-timeout=5", "--anonymous-auth=yes");
    assert.equal(assignments.length, 0);
    assert.deepEqual(
      problems.map((p) => p.name),
      ["read-only-port", "streaming-connection-idle-timeout", "anonymous-auth"],
    );
    assert.ok(problems.every((p) => p.kind === "refuse" && p.message.startsWith("the kubelet would refuse to start: invalid argument")));
  });
  it("stops at an unknown flag, which the kubelet refuses, instead of letting it swallow the next word (pflag parseLongArg)", () => {
    const { assignments, problems } = parse("--made-up-flag", "--read-only-port=10255");
    assert.deepEqual(
      assignments.map((a) => [a.name, a.value]),
      [["read-only-port", 10255]],
    );
    assert.match(problems[0].message, /would refuse to start: unknown flag: --made-up-flag/);
  });
  it("gives a value flag the next word even when it starts with a dash (pflag parseLongArg)", () =>
    assert.deepEqual(values("--hostname-override", "--read-only-port=10255"), [["hostname-override", "--read-only-port=10255"]]));
  it("reports parse errors before stray words, as the kubelet does", () => {
    const { problems } = parse("stray", "--read-only-port=abc");
    assert.match(problems[0].message, /invalid argument/);
    assert.match(problems[1].message, /unknown command "stray"/);
  });
  it("parses feature gates per key and rejects malformed pairs", () => {
    // component-base cli/flag/map_string_bool.go: pairs trimmed, empty pairs skipped.
    assert.deepEqual(values("--feature-gates=RotateKubeletServerCertificate=true, Foo = false,"), [
      ["feature-gates", { RotateKubeletServerCertificate: true, Foo: false }],
    ]);
    assert.equal(parse("--feature-gates=Foo").problems[0].kind, "refuse");
  });
  it("splits list flags on commas; an empty value is an empty list", () => {
    assert.deepEqual(values("--tls-cipher-suites=A,B"), [["tls-cipher-suites", ["A", "B"]]]);
    assert.deepEqual(values("--tls-cipher-suites="), [["tls-cipher-suites", []]]);
  });
  it("skips empty gate pairs anywhere in the list and names the malformed one's gate (map_string_bool.go)", () => {
    assert.deepEqual(values("--feature-gates=,A=true,,B=0"), [["feature-gates", { A: true, B: false }]]);
    assert.match(parse("--feature-gates=A=maybe").problems[0].message, /invalid value of A: maybe/);
    assert.match(parse("--feature-gates=A").problems[0].message, /malformed pair, expect string=bool/);
  });
  it("refuses bad flag syntax: three dashes, or a name starting with =", () => {
    assert.match(parse("---read-only-port=1").problems[0].message, /bad flag syntax: ---read-only-port=1/);
    assert.match(parse("--=1").problems[0].message, /bad flag syntax: --=1/);
  });
  it("reads a word whose flag name is computed at boot as possibly any flag, but an unresolved value as that flag's", () => {
    const any = parseKubeletArgs([{ text: "--$NAME=1", unresolved: ["$NAME"] }]).assignments;
    assert.deepEqual(
      any.map((a) => a.name),
      ["*"],
    );
    const one = parseKubeletArgs([{ text: "--read-only-port=$P", unresolved: ["$P"] }]).assignments;
    assert.deepEqual(
      one.map((a) => [a.name, a.unresolved]),
      [["read-only-port", ["$P"]]],
    );
  });
  it("calls a stray word after a value flag an unknown command, not a bare bool's value", () => {
    const { problems } = parse("--read-only-port=0", "false");
    assert.equal(problems[0].name, undefined);
    assert.equal(problems[0].message, 'the kubelet would refuse to start: unknown command "false"');
  });
  it("stops reading flags at --", () => {
    const { assignments, problems } = parse("--anonymous-auth=false", "--", "--read-only-port=10255");
    assert.equal(assignments.length, 1);
    assert.match(problems[0].message, /unknown command/);
  });
  it("rejects single-dash long flags as unknown shorthands", () => {
    const { problems } = parse("-anonymous-auth=false");
    assert.equal(problems[0].name, "anonymous-auth");
    assert.match(problems[0].message, /unknown shorthand flag "a"/);
  });
  it("reads -v and --v as klog verbosity, an unsigned number (klog Level.Set: strconv.ParseUint)", () => {
    assert.deepEqual(values("-v", "2", "-v=3", "-v4", "--v=5"), [
      ["v", 2],
      ["v", 3],
      ["v", 4],
      ["v", 5],
    ]);
    assert.match(parse("-v", "--feature-gates=A=true").problems[0].message, /invalid argument "--feature-gates=A=true" for "-v, --v" flag: strconv.ParseUint/);
    assert.match(parse("--v=x").problems[0].message, /invalid argument "x" for "--v" flag: strconv.ParseUint: parsing "x": invalid syntax/);
  });
  it("marks values that depend on unresolved variables", () => {
    const { assignments } = parseKubeletArgs([{ text: "--read-only-port=$PORT", unresolved: ["$PORT"] }]);
    assert.deepEqual(assignments[0].unresolved, ["$PORT"]);
    assert.equal(assignments[0].value, undefined);
  });
  it("reports a value flag with nothing after it", () => assert.match(parse("--read-only-port").problems[0].message, /flag needs an argument/));
  it("never throws on any words", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom("--", "-", "--anonymous-auth", "--read-only-port", "--feature-gates=", "-v"))), (words) => {
        parse(...words);
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
