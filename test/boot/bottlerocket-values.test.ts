/**
 * How Bottlerocket's settings model reads a settings.kubernetes value (policypack/boot/documents.ts
 * readBottlerocketSettings): serde reads a TOML value into the field's Rust type (bottlerocket-settings-sdk
 * KubernetesSettingsV1 @2363566, test/fixtures/sources/bottlerocket-settings-sdk), so an integer must fit its
 * type's range (u8 0..=255, i32, u32 0..=4294967295), a map must be a table (a TOML date is not one), and a value
 * that does not fit makes Bottlerocket refuse the settings.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BOTTLEROCKET_CLUSTER as cluster, nodeFindings } from "../helpers/userdata";

const verifiable = (toml: string): string[] => nodeFindings(`${cluster}${toml}\n`).filter((f) => f.startsWith("kubelet-node-config-verifiable"));

describe("values that fit their field's type (serde, KubernetesSettingsV1)", () => {
  it("integers at either end of their type's range fit", () => {
    for (const value of ["log-level = 0", "log-level = 255", "event-qps = 2147483647", "event-qps = -2147483648", "max-pods = 0", "max-pods = 4294967295"]) {
      assert.deepEqual(verifiable(value), [], value);
    }
  });
  it("one past either end does not", () => {
    for (const [value, text] of [
      ["log-level = 256", "an integer from 0 to 255"],
      ["log-level = -1", "an integer from 0 to 255"],
      ["event-qps = 2147483648", "an integer from -2147483648 to 2147483647"],
      ["event-qps = -2147483649", "an integer from -2147483648 to 2147483647"],
      ["max-pods = 4294967296", "an integer from 0 to 4294967295"],
      ["max-pods = -1", "an integer from 0 to 4294967295"],
    ]) {
      assert.equal(verifiable(value).length, 1, value);
      assert.match(verifiable(value)[0], new RegExp(`is not ${text}, as Bottlerocket's settings model requires`), value);
    }
  });
  it("a table fits a map, a TOML date does not; an array fits a list", () => {
    assert.deepEqual(verifiable('[settings.kubernetes.node-labels]\nteam = "a"'), []);
    assert.deepEqual(verifiable('allowed-unsafe-sysctls = ["net.core.somaxconn"]'), []);
    assert.equal(verifiable("node-labels = 1979-05-27").length, 1);
  });
});

describe("the message shows the value", () => {
  const shown = (value: string): string | undefined =>
    verifiable(`seccomp-default = ${value}`)
      .map((f) => /seccomp-default = (.*) is not true or false/.exec(f)?.[1])
      .find(Boolean);
  it("a short string or a number as written, a long string cut at 40 characters, other values by kind", () => {
    assert.equal(shown('"yes"'), '"yes"');
    assert.equal(shown(`"${"a".repeat(40)}"`), `"${"a".repeat(40)}"`);
    assert.equal(shown(`"${"a".repeat(41)}"`), `"${"a".repeat(40)}…"`);
    assert.equal(shown("1"), "1");
    assert.equal(shown("1.5"), "1.5");
    assert.equal(shown("[true]"), "an array");
    assert.equal(shown("{ on = true }"), "a table");
    assert.equal(shown("1979-05-27"), "a date");
  });
  it("a boolean as written", () => {
    assert.deepEqual(verifiable("log-level = true").length, 1);
    assert.match(verifiable("log-level = true")[0], /settings\.kubernetes\.log-level = true is not an integer from 0 to 255/);
  });
});
