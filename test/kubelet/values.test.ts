import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, parseGoBool, parseGoDuration, parseGoInt } from "../../policypack/kubelet/values";

// strconv.ParseBool's documented table: "1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False".
describe("parseGoBool", () => {
  for (const s of ["1", "t", "T", "TRUE", "true", "True"]) it(`reads ${s} as true`, () => assert.deepEqual(parseGoBool(s), { ok: true, value: true }));
  for (const s of ["0", "f", "F", "FALSE", "false", "False"]) it(`reads ${s} as false`, () => assert.deepEqual(parseGoBool(s), { ok: true, value: false }));
  for (const s of ["yes", "no", "on", "tRUE", "", " true", "true "]) it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseGoBool(s).ok, false));
});

// strconv.ParseInt(s, 0, bits): base prefixes, octal leading zero, underscores as Go literals allow.
describe("parseGoInt", () => {
  const valid: [string, number][] = [
    ["0", 0],
    ["10255", 10255],
    ["-1", -1],
    ["+5", 5],
    ["0x1F", 31],
    ["0X1f", 31],
    ["010", 8],
    ["00", 0],
    ["0o17", 15],
    ["0b101", 5],
    ["1_000", 1000],
    ["0x_1F", 31],
    ["2147483647", 2147483647],
    ["-2147483648", -2147483648],
  ];
  for (const [s, n] of valid) it(`reads ${s} as ${n}`, () => assert.deepEqual(parseGoInt(s, 32), { ok: true, value: n }));
  for (const s of ["", "abc", "0x", "08", "_1", "1__0", "1_", " 1", "1 ", "1.0", "2147483648", "-2147483649", "--1"]) {
    it(`rejects ${JSON.stringify(s)} as int32`, () => assert.equal(parseGoInt(s, 32).ok, false));
  }
  it("accepts int64 values beyond int32", () => assert.deepEqual(parseGoInt("4294967296", 64), { ok: true, value: 4294967296 }));
  it("rejects values beyond int64", () => assert.equal(parseGoInt("9223372036854775808", 64).ok, false));
});

const S = 1e9;
const MS = 1e6;
// A subset of Go's own time.ParseDuration test table (src/time/time_test.go parseDurationTests).
const DURATIONS: [string, number][] = [
  ["0", 0],
  ["5s", 5 * S],
  ["30s", 30 * S],
  ["1478s", 1478 * S],
  ["-5s", -5 * S],
  ["+5s", 5 * S],
  ["-0", 0],
  ["+0", 0],
  ["5.0s", 5 * S],
  ["5.6s", 5 * S + 600 * MS],
  ["5.s", 5 * S],
  [".5s", 500 * MS],
  ["1.0s", S],
  ["1.004s", S + 4 * MS],
  ["100.00100s", 100 * S + MS],
  ["10ns", 10],
  ["11us", 11e3],
  ["12\u00b5s", 12e3],
  ["12\u03bcs", 12e3],
  ["13ms", 13 * MS],
  ["15m", 15 * 60 * S],
  ["16h", 16 * 3600 * S],
  ["3h30m", 3.5 * 3600 * S],
  ["10.5s4m", 4 * 60 * S + 10.5 * S],
  ["-2m3.4s", -(2 * 60 * S + 3.4 * S)],
  ["1h2m3s4ms5us6ns", 3600 * S + 2 * 60 * S + 3 * S + 4 * MS + 5e3 + 6],
  ["39h9m14.425s", (39 * 3600 + 9 * 60 + 14.425) * S],
  ["52763797000ns", 52763797000],
  ["0.3333333333333333333h", 20 * 60 * S],
  ["00s", 0],
  ["0h0m0s", 0],
];

describe("parseGoDuration", () => {
  for (const [s, nanos] of DURATIONS) {
    it(`reads ${s}`, () => {
      const d = parseGoDuration(s);
      assert.ok(d.ok, `${s} should parse`);
      assert.ok(Math.abs(d.value - nanos) <= Math.max(1, Math.abs(nanos) * 1e-12), `${s}: ${d.value} != ${nanos}`);
    });
  }
  for (const s of ["", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "00", "\x85\x85", "9223372036854775808ns", "3000000h", "4 h", "4H"]) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseGoDuration(s).ok, false));
  }
  it("formats durations Go-style", () => {
    assert.equal(formatDuration(4 * 3600 * S), "4h");
    assert.equal(formatDuration(90 * 60 * S), "1h30m");
    assert.equal(formatDuration(0), "0s");
  });
});
