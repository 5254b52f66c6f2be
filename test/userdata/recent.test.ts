/**
 * RecentTexts keeps the results of a pure function of a text for the last few texts (policypack/userdata/recent.ts):
 * a hit needs the same characters and the same variant, and what it gives is what computing afresh gives.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RecentTexts } from "../../policypack/userdata/recent";

/** A cache over "the text's length and first character", counting the computations. */
function counted(capacity: number, maxText: number) {
  const computed: string[] = [];
  const recent = new RecentTexts<{ of: string }>(capacity, maxText);
  const get = (text: string, variant = "") =>
    recent.get(text, variant, (own) => {
      computed.push(own);
      return { of: own };
    });
  return { get, computed };
}

describe("recent texts' results (RecentTexts)", () => {
  it("answers the same characters from the first computation, even from another string", () => {
    const { get, computed } = counted(4, 100);
    const first = get("echo one");
    // A string built at run time is another object with the same characters.
    const again = get(["echo", "one"].join(" "));
    assert.equal(again, first);
    assert.deepEqual(computed, ["echo one"]);
  });

  it("computes again for other characters of the same length, or another variant", () => {
    const { get, computed } = counted(4, 100);
    assert.equal(get("echo one").of, "echo one");
    assert.equal(get("echo two").of, "echo two");
    assert.equal(get("echo one", "1.1").of, "echo one");
    assert.deepEqual(computed, ["echo one", "echo two", "echo one"]);
  });

  it("keeps only the last `capacity` texts", () => {
    const { get, computed } = counted(2, 100);
    for (const text of ["a", "b", "c", "a"]) get(text);
    // "a" was dropped when "c" came in; "c" is still there.
    get("c");
    assert.deepEqual(computed, ["a", "b", "c", "a"]);
  });

  it("does not keep texts longer than maxText", () => {
    const { get, computed } = counted(4, 3);
    get("abcd");
    get("abcd");
    get("abc");
    get("abc");
    assert.deepEqual(computed, ["abcd", "abcd", "abc"]);
  });

  it("computes on a copy with every UTF-16 code unit of the text, lone surrogates included", () => {
    const { get } = counted(4, 100);
    const text = "a\ud800b\udc00\u00e9\u{1f600}\u0000";
    assert.equal(get(text).of, text);
  });
});
