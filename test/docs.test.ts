import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { policies } from "../policypack/pack/policies";
import { policyDocs, withTable } from "../scripts/policy-table";

it("the README's policy table matches the rule catalog (run npm run docs)", () => {
  const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
  assert.equal(readme, withTable(readme));
});

it("docs/policies.md matches the rule catalog, and every policy's url points at a section of it (run npm run docs)", () => {
  const docs = readFileSync(path.resolve(__dirname, "../docs/policies.md"), "utf8");
  assert.equal(docs, policyDocs());
  for (const policy of policies) {
    const [page, anchor] = policy.url!.split("#");
    assert.ok(page.endsWith("/blob/main/docs/policies.md"), policy.url);
    // GitHub's anchor of a heading of lowercase letters and dashes is the heading itself.
    assert.ok(docs.includes(`\n## ${anchor}\n`), `${policy.name}: no section #${anchor}`);
  }
});
