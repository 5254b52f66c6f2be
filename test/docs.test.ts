import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { withTable } from "../scripts/policy-table";

it("the README's policy table matches the rule catalog (run npm run docs)", () => {
  const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
  assert.equal(readme, withTable(readme));
});
