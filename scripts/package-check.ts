/**
 * What `pulumi policy publish` uploads and every enforcing machine installs: `npm pack` of the
 * repository root, extracted and installed with `npm install --loglevel=error` as the Pulumi CLI
 * installs a published pack (pkg/backend/httpstate/policypack.go installRequiredPolicy; sdk/nodejs/npm
 * npm.go installCmd). Checks its size, that it runs as the CLI runs it, that the pack loads none of
 * the command line's modules, and that the scan CLI and the library entry work from it.
 * Needs the npm registry. Usage: npm run test:package
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PackProcess } from "../policypack/cli/analyzer-client";

const ROOT = path.resolve(__dirname, "..");
const LIMIT_MIB = 160;

function duBytes(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "kubelet-guard-package-"));
  try {
    const manifestBefore = readFileSync(path.join(ROOT, "package.json"), "utf8");
    // A file left in bin/ by an older build must not be published: prepack builds bin/ afresh.
    mkdirSync(path.join(ROOT, "bin/policypack"), { recursive: true });
    writeFileSync(path.join(ROOT, "bin/policypack/stale-build-output.js"), "// stale\n");
    const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8" })) as {
      filename: string;
      files: { path: string }[];
    }[];
    assert.equal(readFileSync(path.join(ROOT, "package.json"), "utf8"), manifestBefore, "postpack restores the development package.json");
    const files = packed[0].files.map((f) => f.path);
    assert.ok(!files.includes("bin/policypack/stale-build-output.js"), "a stale build output was packed");
    for (const needed of [
      "PulumiPolicy.yaml",
      "package.json",
      "bin/policypack/index.js",
      "bin/policypack/library.js",
      "bin/policypack/library.d.ts",
      "docs/policies.md",
      "CHANGELOG.md",
    ]) {
      assert.ok(files.includes(needed), `${needed} is not in the tarball`);
    }
    assert.ok(!files.some((f) => f.startsWith("test/") || f.startsWith("examples/") || f.startsWith("bin/test/")), "tests or examples in the tarball");
    console.log(`npm pack: ${packed[0].filename}, ${files.length} files`);

    const dir = path.join(work, "installed");
    mkdirSync(dir);
    execFileSync("tar", ["xzf", path.join(work, packed[0].filename), "-C", dir, "--strip-components=1"]);
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    assert.equal(manifest.devDependencies, undefined, "the published manifest has dev dependencies");
    assert.equal(manifest.scripts, undefined, "the published manifest has scripts");
    const started = Date.now();
    execFileSync("npm", ["install", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    const mib = duBytes(dir) / 1024 / 1024;
    console.log(
      `npm install (as the Pulumi CLI installs a published pack): ${mib.toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(0)} s (limit ${LIMIT_MIB} MiB)`,
    );
    assert.ok(mib < LIMIT_MIB, `installed pack is ${mib.toFixed(1)} MiB`);

    // The pack as the CLI runs it, recording every module it loads.
    const record = path.join(work, "loaded.json");
    const hook = path.join(work, "record-modules.js");
    writeFileSync(
      hook,
      `const fs = require("fs");
       const save = () => fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.keys(require.cache)));
       process.on("SIGTERM", () => { save(); process.exit(0); });`,
    );
    const pack = await PackProcess.start(dir, { NODE_OPTIONS: `--require ${hook}` });
    let found;
    try {
      await pack.configure({});
      found = await pack.analyze({
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "workers",
        props: { userData: Buffer.from("#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n").toString("base64") },
      });
    } finally {
      await pack.close();
    }
    assert.deepEqual(
      found.diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
      [["kubelet-read-only-port", "mandatory"]],
    );
    const loaded = (JSON.parse(readFileSync(record, "utf8")) as string[]).map((f) => path.relative(dir, f));
    for (const cliOnly of ["bin/policypack/cli/", "node_modules/tsx/", "node_modules/ajv/"]) {
      assert.deepEqual(
        loaded.filter((f) => f.startsWith(cliOnly)),
        [],
        `the pack loaded ${cliOnly}`,
      );
    }
    console.log(
      `the installed pack runs: a violating launch template gets kubelet-read-only-port (mandatory); ${loaded.length} modules loaded, none of the CLI's`,
    );

    const policiesOut = execFileSync(process.execPath, ["bin/policypack/cli/main.js", "policies"], { cwd: dir, encoding: "utf8" });
    assert.match(policiesOut, /^kubelet-read-only-port +mandatory/m);
    const library = execFileSync(
      process.execPath,
      ["-e", 'process.stdout.write(String(require("kubelet-guard/policies").selectPolicies({ config: { all: "advisory" } }).length))'],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    assert.equal(Number(library), 17);
    console.log('the installed scan CLI lists the policies; require("kubelet-guard/policies") gives 17 policies');
  } finally {
    rmSync(path.join(ROOT, "bin/policypack/stale-build-output.js"), { force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
