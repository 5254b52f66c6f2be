/** Differential oracles: bash for shell words, Python's email package for MIME, GNU sed for s/// scripts. */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { it } from "node:test";
import { parseSedSubstitution } from "../../policypack/boot/files";

/** Whether a program is installed here (it answers --version), for suites that compare the pack with it. */
export const installed = (program: string): boolean => spawnSync(program, ["--version"]).status === 0;

/** One test per `[script, extended]`: the pack models the s/// script and applies it to `text` as GNU sed does. */
export function itMatchesGnuSed(cases: readonly (readonly [string, boolean])[], text: string): void {
  for (const [script, extended] of cases) {
    it(`${extended ? "-E " : ""}${script}`, () => {
      const ours = parseSedSubstitution(script, extended);
      assert.ok(ours, "modelled");
      assert.equal(ours(text), execFileSync("sed", [...(extended ? ["-E"] : []), "-e", script], { input: text, encoding: "utf8" }));
    });
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * What `bash -c 'printf "%s\0" <case>'` prints for each case, in one bash run. With `env`, each case runs
 * in a subshell with exactly those variables set (the rest of the names it uses unset), so that `${V:=d}`
 * in one case does not leak into the next.
 */
export function bashWords(cases: readonly string[], env?: Record<string, string | undefined>): string[][] {
  const setEnv = env
    ? Object.entries(env)
        .map(([name, value]) => (value === undefined ? `unset ${name}; ` : `${name}=${shellQuote(value)}; `))
        .join("")
    : undefined;
  const script = cases.map((c) => (setEnv === undefined ? `printf '%s\\0' X ${c}\n` : `( ${setEnv}printf '%s\\0' X ${c}\n)\n`) + `printf '\\1\\0'\n`).join("");
  const out = execFileSync("bash", ["--norc", "--noprofile", "-s"], { input: script, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const groups: string[][] = [];
  let current: string[] = [];
  for (const field of out.split("\0").slice(0, -1)) {
    if (field === "\x01") {
      groups.push(current.slice(1));
      current = [];
    } else current.push(field);
  }
  return groups;
}

export interface PythonPart {
  contentType: string;
  body: string;
}

const PYTHON_SPLIT = `
import email, json, sys
docs = json.load(sys.stdin)
out = []
for d in docs:
    msg = email.message_from_string(d)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        parts.append({"contentType": part.get_content_type(), "body": payload.decode("utf-8", "replace") if payload is not None else ""})
    out.append(parts)
json.dump(out, sys.stdout)
`;

/** Leaf parts of each MIME document as Python's email package (cloud-init's parser) splits them. */
export function pythonMimeParts(docs: readonly string[]): PythonPart[][] {
  const out = execFileSync("python3", ["-c", PYTHON_SPLIT], { input: JSON.stringify(docs), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out) as PythonPart[][];
}

const PYTHON_BASE64 = `
import base64, binascii, json, re, sys
out = []
for text in json.load(sys.stdin):
    try:
        compact = re.sub(r"[ \\t\\r\\n\\v\\f]", "", text)
        # RFC 4648 3.2: whole quads, padded; Python 3.11 decodes the quads before excess padding and ignores it.
        out.append(base64.b64decode(compact, validate=True).hex() if len(compact) % 4 == 0 else None)
    except (binascii.Error, ValueError):
        out.append(None)
json.dump(out, sys.stdout)
`;

/** Each text decoded by Python's strict base64 (b64decode with validate=True, whole quads) once ASCII whitespace is removed, as hex; null where it refuses. */
export function pythonStrictBase64(texts: readonly string[]): (string | null)[] {
  const out = execFileSync("python3", ["-c", PYTHON_BASE64], { input: JSON.stringify(texts), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out) as (string | null)[];
}

/**
 * What a child process started after each script sees of variable `name` (bash(1): only exported variables
 * reach it), in one bash run; undefined where it is not set.
 */
export function bashChildSees(scripts: readonly string[], name: string): (string | undefined)[] {
  const probe = `bash --norc --noprofile -c 'printf "%s\\0" "\${${name}-<unset>}"'`;
  const input = scripts.map((s) => `(\n${s}\n${probe}\n)\n`).join("");
  const out = execFileSync("bash", ["--norc", "--noprofile", "-s"], { input, encoding: "utf8", env: { PATH: process.env.PATH } });
  return out
    .split("\0")
    .slice(0, -1)
    .map((v) => (v === "<unset>" ? undefined : v));
}
