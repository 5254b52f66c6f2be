/** Runs the built `kubelet-guard` command line from the repository root. */
import { execFile } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `kubelet-guard <args>`. The examples are type-checked by `npm run typecheck`, so by default the
 * programs run transpile-only (as with PULUMI_NODEJS_TRANSPILE_ONLY); `typeCheck` turns the check on.
 */
export function kubeletGuard(args: string[], options: { typeCheck?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  const env = { ...process.env, ...options.env, PULUMI_NODEJS_TRANSPILE_ONLY: options.typeCheck ? "false" : "true" };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin/policypack/cli/main.js"), ...args],
      { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

export const scan = (args: string[], options?: Parameters<typeof kubeletGuard>[1]): Promise<CommandResult> => kubeletGuard(["scan", ...args], options);
