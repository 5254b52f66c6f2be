/**
 * `npm run mutation:survivors -- --stale` (scripts/mutation-survivors.ts): whether the committed Stryker baseline
 * was made from the files in the tree. Stryker's incremental mode reuses a mutant's result only while its code and
 * the tests that reached it are unchanged (@stryker-mutator/core IncrementalDiffer), so a fresh clone finishes
 * quickly only when this check passes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";

const SCRIPT = path.join(__dirname, "../scripts/mutation-survivors.ts");
const dir = mkdtempSync(path.join(tmpdir(), "kg-mutation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function tree(
  files: Record<string, string>,
  baseline: { files: Record<string, string>; testFiles: Record<string, string> },
): { status: number | null; stdout: string } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "reports/mutation"), { recursive: true });
  writeFileSync(path.join(dir, "stryker.config.json"), JSON.stringify({ mutate: ["src/a.ts", "src/b.ts"], tap: { testFiles: ["a.test.ts", "b.test.ts"] } }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const report = {
    files: Object.fromEntries(Object.entries(baseline.files).map(([name, source]) => [name, { source, mutants: [] }])),
    testFiles: Object.fromEntries(Object.entries(baseline.testFiles).map(([name, source]) => [name, { source, tests: [] }])),
  };
  writeFileSync(path.join(dir, "reports/mutation/stryker-incremental.json"), JSON.stringify(report));
  const run = spawnSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, SCRIPT, "--stale"], { cwd: dir, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout };
}

describe("mutation:survivors --stale", () => {
  const files = { "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 2;\n", "a.test.ts": "// a\n", "b.test.ts": "// b\n" };
  it("passes when every mutated file and test file is as the baseline recorded it", () => {
    const run = tree(files, {
      files: { "src/a.ts": files["src/a.ts"], "src/b.ts": files["src/b.ts"] },
      testFiles: { "a.test.ts": "// a\n", "b.test.ts": "// b\n" },
    });
    assert.deepEqual(run, { status: 0, stdout: "the baseline matches the tree: 2 mutated files and 2 test files\n" });
  });
  it("names each changed source, changed test file and test file the baseline has not seen, and fails", () => {
    const run = tree(files, { files: { "src/a.ts": "export const a = 0;\n", "src/b.ts": files["src/b.ts"] }, testFiles: { "a.test.ts": "// old\n" } });
    assert.deepEqual(run, {
      status: 1,
      stdout: "the baseline differs from the tree in 3 of 4 files:\n  src/a.ts: changed\n  a.test.ts: changed\n  b.test.ts: not in the baseline\n",
    });
  });
});
