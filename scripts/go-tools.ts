/** Go-built tools the tests use (the kubelet oracle, the Pulumi CLI), cached by version outside the repository. */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export function cacheDir(tool: string): string {
  return join(process.env.KUBELET_GUARD_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kubelet-guard"), tool);
}

export function goAvailable(): boolean {
  return spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;
}

/**
 * Builds `target` (a package path) in `dir` from the given module files with `go build` (incremental: a
 * cached binary is only relinked when something changed) and returns the binary's path.
 */
export function goBuild(dir: string, files: Record<string, string>, target: string, binary: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, from] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    copyFileSync(from, join(dir, name));
  }
  const out = join(dir, binary);
  const result = spawnSync("go", ["build", "-mod=mod", "-o", out, target], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0 || !existsSync(out)) throw new Error(`go build of ${target} failed (exit ${result.status})`);
  return out;
}
