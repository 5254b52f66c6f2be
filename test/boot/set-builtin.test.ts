/**
 * `set` with options and words (bash(1), SHELL BUILTIN COMMANDS, set): options first (`-o NAME` takes a word),
 * then the words are the positional parameters; `--` ends the options and alone unsets them; `-` ends them and
 * alone leaves them. bash itself is the oracle: each case prints `$#` and the parameters after its `set`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileText } from "../../policypack/boot/files";
import { NodeBuilder } from "../../policypack/boot/node-builder";
import { runScript } from "../../policypack/boot/script";
import { DEFAULT_LIMITS } from "../../policypack/userdata/limits";
import { installed } from "../helpers/oracles";

const CASES = [
  "set -- a b",
  "set --",
  "set -",
  "set - a b",
  "set a b",
  "set -e a",
  "set -e",
  "set -o pipefail",
  "set -o pipefail a b",
  "set +o pipefail -- c",
  "set -eu -- 'x y' z",
  "set +e d",
  "set -a",
  "set",
];

describe("set and the positional parameters, as bash does it", { skip: !installed("bash") && "bash is not installed" }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kg-set-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [i, command] of CASES.entries()) {
    it(command, () => {
      const out = path.join(dir, `out${i}`);
      // Known parameters before, so that a `set` that leaves them shows it; `set` alone prints variables, to /dev/null.
      const script = `set -- before\n${command} > /dev/null\nset +eu\necho "$# $*" > ${out}\n`;
      spawnSync("bash", ["--norc", "--noprofile", "-c", script], { cwd: dir });
      const builder = new NodeBuilder(DEFAULT_LIMITS);
      runScript(builder, script, { source: "s", firstLine: 1, exact: true });
      const file = builder.files.get(out);
      assert.equal(file ? fileText(file.state) : undefined, readFileSync(out, "utf8"));
    });
  }
});
