/**
 * npm run --silent pulumi-cli: prints, as its last line, the absolute path of a working `pulumi`: the one on
 * PATH when there is one, otherwise the CLI built from the Go module proxy at the version pinned in
 * tools/pulumi-cli/go.mod (a wrapper module: pkg/go.mod's own replace of the SDK points at a sibling
 * directory a module download lacks, so the wrapper uses the published SDK and repeats its other replace).
 * The build is cached under ~/.cache/kubelet-guard/pulumi/<version>: about ten minutes cold, seconds after.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { cacheDir, goAvailable, goBuild } from "./go-tools";

const MODULE = resolve(__dirname, "..", "tools", "pulumi-cli");

export function pinnedVersion(): string {
  const gomod = readFileSync(join(MODULE, "go.mod"), "utf8");
  return /github\.com\/pulumi\/pulumi\/pkg\/v3 (v[\d.]+)/.exec(gomod)?.[1] ?? "unknown";
}

export function pulumiBinary(): string {
  if (process.env.KUBELET_GUARD_BUILD_PULUMI !== "1") {
    const found = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  if (!goAvailable()) throw new Error("no pulumi on PATH and no Go to build one: install the Pulumi CLI, or Go 1.26");
  const files = { "go.mod": join(MODULE, "go.mod"), "go.sum": join(MODULE, "go.sum") };
  return goBuild(join(cacheDir("pulumi"), pinnedVersion()), files, "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", "pulumi");
}

/**
 * A policy pack the CLI runs without its Node.js language host, which the Go module proxy does not serve: an
 * executable launcher that starts the pack with its own @pulumi/pulumi/cmd/run-policy-pack, next to a copy of
 * its PulumiPolicy.yaml (pkg/resource/plugin/analyzer_plugin.go runs an executable pack directly, since
 * 3.255). Written into `into`; returns the launcher's path, for --policy-pack.
 */
export function packLauncher(packDir: string, into: string): string {
  mkdirSync(into, { recursive: true });
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  const launcher = join(into, "analyzer");
  writeFileSync(launcher, `#!/bin/sh\ncd '${packDir}' && exec node '${runPolicyPack}' "$1" .\n`);
  chmodSync(launcher, 0o755);
  copyFileSync(join(packDir, "PulumiPolicy.yaml"), join(into, "PulumiPolicy.yaml"));
  return launcher;
}

/**
 * The test harness (tools/pulumi-cli/harness): an Automation API driver for inline programs, and, run as
 * pulumi-resource-<package>, a stand-in resource provider. Built from the same module as the CLI.
 */
export function harnessBinary(): string {
  const files = {
    "go.mod": join(MODULE, "go.mod"),
    "go.sum": join(MODULE, "go.sum"),
    "harness/main.go": join(MODULE, "harness", "main.go"),
  };
  return goBuild(join(cacheDir("pulumi"), pinnedVersion()), files, "./harness", "test-harness");
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(__filename)) {
  try {
    console.log(pulumiBinary());
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
