/**
 * systemd's word and environment-file syntax (policypack/boot/systemd-words.ts) against systemd itself, v252:
 * - `systemd --test` loads units as the service manager does and dumps what it parsed: the Environment= it
 *   kept and each ExecStart= argv (src/core/load-fragment.c config_parse_environ, config_parse_exec, over
 *   src/basic/extract-word.c extract_first_word and src/basic/escape.c cunescape_one);
 * - the environment.d generator reads files with the parser EnvironmentFile= uses (src/basic/env-file.c
 *   parse_env_file_internal) and prints the variables;
 * - what systemd does at exec time (src/basic/env-util.c replace_env_argv: `$VAR` as a word of its own is
 *   split with EXTRACT_UNQUOTE|EXTRACT_RELAX) is checked through the kubelet flags it produces.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { execCommands, isVariableName, parseEnvironmentFile, resolveSpecifiers, systemdWords } from "../../policypack/boot/systemd-words";
import { analyze, findings, lines } from "../helpers/userdata";

const SYSTEMD = "/lib/systemd/systemd";
const GENERATOR = "/lib/systemd/user-environment-generators/30-systemd-environment-d-generator";
// systemd refuses --test as root: it runs as nobody, over a directory nobody can read.
const AS_NOBODY = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
const haveSystemd = existsSync(SYSTEMD) && spawnSync(SYSTEMD, ["--version"]).status === 0;
const work = mkdtempSync(path.join(tmpdir(), "kg-systemd-"));
chmodSync(work, 0o755);
after(() => rmSync(work, { recursive: true, force: true }));

/**
 * A "…" string as systemd prints one (shell_maybe_quote, quote_command_line): a backslash before " \\ ` $,
 * control characters as \\t-style or octal escapes. Returns the text and where reading goes on.
 */
function readQuoted(line: string, at: number): { text: string; next: number } {
  const control: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
  let text = "";
  let i = at + 1;
  for (; line[i] !== '"'; i++) {
    if (line[i] !== "\\") {
      text += line[i];
      continue;
    }
    const c = line[++i];
    if (c in control) text += control[c];
    else if (c >= "0" && c <= "7") {
      text += String.fromCharCode(parseInt(line.slice(i, i + 3), 8));
      i += 2;
    } else text += c;
  }
  return { text, next: i + 1 };
}

/** The words of `systemd --test`'s Command Line: dump (quote_command_line). */
function dumpWords(line: string): string[] {
  const words: string[] = [];
  for (let i = 0; i < line.length; ) {
    if (line[i] === " ") i++;
    else if (line[i] === '"') {
      const quoted = readQuoted(line, i);
      words.push(quoted.text);
      i = quoted.next;
    } else {
      const end = line.indexOf(" ", i) === -1 ? line.length : line.indexOf(" ", i);
      words.push(line.slice(i, end));
      i = end;
    }
  }
  return words;
}

interface ParsedUnit {
  environment: Map<string, string>;
  commands: string[][];
  loaded: boolean;
}

/** Each `[Service]` body as systemd 252 loads it: one unit per body, all pulled in by one target. */
function systemdLoads(bodies: readonly string[]): ParsedUnit[] {
  const dir = mkdtempSync(path.join(work, "units-"));
  chmodSync(dir, 0o755);
  const names = bodies.map((_, i) => `c${i}.service`);
  writeFileSync(path.join(dir, "all.target"), `[Unit]\nDefaultDependencies=no\nWants=${names.join(" ")}\n`);
  bodies.forEach((body, i) => writeFileSync(path.join(dir, names[i]), `[Unit]\nDefaultDependencies=no\n[Service]\nType=oneshot\n${body}\n`));
  for (const name of [...names, "all.target"]) chmodSync(path.join(dir, name), 0o644);
  const run = spawnSync(
    AS_NOBODY[0] ?? SYSTEMD,
    [...AS_NOBODY.slice(1), ...(AS_NOBODY.length ? [SYSTEMD] : []), "--test", "--system", "--unit=all.target", "--log-level=emerg"],
    { env: { HOME: dir, SYSTEMD_UNIT_PATH: dir, PATH: process.env.PATH }, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  const units = new Map<string, ParsedUnit>();
  let current: ParsedUnit | undefined;
  for (const raw of run.stdout.split("\n")) {
    const unit = /^\t-> Unit (c\d+\.service):$/.exec(raw);
    if (unit) units.set(unit[1], (current = { environment: new Map(), commands: [], loaded: false }));
    else if (/^\t-> /.test(raw)) current = undefined;
    else if (current && raw.startsWith("\t\tUnit Load State: ")) current.loaded = raw.endsWith("loaded");
    else if (current && raw.startsWith("\t\tEnvironment: ")) {
      const assignment = raw.slice("\t\tEnvironment: ".length);
      current.environment.set(assignment.slice(0, assignment.indexOf("=")), assignment.slice(assignment.indexOf("=") + 1));
    } else if (current && raw.startsWith("\t\t\tCommand Line: ")) current.commands.push(dumpWords(raw.slice("\t\t\tCommand Line: ".length)));
  }
  return names.map((name) => {
    const parsed = units.get(name);
    assert.ok(parsed, `systemd --test printed no ${name}: ${run.stderr}`);
    return parsed;
  });
}

// Pieces that exercise quotes, escapes (known, unknown, NUL, octal, \u), separators, `=` and specifiers that have
// no value (`%%`, `%` before a blank or a comma, an unknown letter or a digit); no specifier whose value is the
// machine's, no escape that makes a line break (the dump is line by line), no byte over 0x7f (raw in systemd).
const piece = fc.constantFrom(
  "a",
  "b=",
  "K=",
  "=",
  " ",
  "\t",
  '"',
  "'",
  "\\",
  "\\\\",
  '\\"',
  "\\'",
  "\\x41",
  "\\x2",
  "\\s",
  "\\q",
  "\\101",
  "\\000",
  "\\u00e9",
  "\\U0001F600",
  "\\U00110000",
  "x y",
  "$V",
  ";",
  "%",
  "%%",
  "%,",
  "%Z",
  "%0",
);
const text = fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join(""));

describe("Environment= and ExecStart= words, against systemd 252's own parser (systemd --test)", { skip: !haveSystemd && "systemd is not installed" }, () => {
  it("on 300 generated lines of each", () => {
    const cases = fc.sample(fc.tuple(text, text), { numRuns: 300, seed: 20261201 });
    // The trailing " z" keeps a final backslash from continuing the unit file's line (conf-parser.c).
    const bodies = cases.map(([environment, exec]) => `Environment=${environment} z\nExecStart=/usr/bin/kubelet ${exec.replace(/(^|\s);(?=\s|$)/g, "$1:")} z`);
    const loaded = systemdLoads(bodies);
    cases.forEach(([environment, exec], i) => {
      const expected = new Map<string, string>();
      // A specifier with a value (`%a`, the architecture) is the machine's: such a variable is not compared.
      const machines = new Set<string>();
      for (const word of systemdWords(`${environment} z`, "environment").words) {
        const resolved = resolveSpecifiers(word);
        const eq = resolved?.text.indexOf("=") ?? -1;
        if (!resolved || eq <= 0 || !isVariableName(resolved.text.slice(0, eq))) continue;
        expected.set(resolved.text.slice(0, eq), resolved.text.slice(eq + 1));
        if (resolved.unresolved.length) machines.add(resolved.text.slice(0, eq));
        else machines.delete(resolved.text.slice(0, eq));
      }
      const split = execCommands(`/usr/bin/kubelet ${exec.replace(/(^|\s);(?=\s|$)/g, "$1:")} z`);
      const commands = split?.some((words) => words.some((w) => !resolveSpecifiers(w)))
        ? undefined
        : split?.map((words) => words.map((w) => resolveSpecifiers(w)!));
      assert.equal(loaded[i].loaded, commands !== undefined, JSON.stringify(bodies[i]));
      // A unit that does not load shows nothing else.
      if (!commands) return;
      if (!commands.some((words) => words.some((w) => w.unresolved.length)))
        assert.deepEqual(
          loaded[i].commands,
          commands.map((words) => words.map((w) => w.text)),
          JSON.stringify(bodies[i]),
        );
      for (const name of machines) {
        expected.delete(name);
        loaded[i].environment.delete(name);
      }
      assert.deepEqual(loaded[i].environment, expected, JSON.stringify(bodies[i]));
    });
  });
  it("splits ExecStart= into commands at a bare `;`; `\\;` and a quoted `;` are arguments", () => {
    const [parsed] = systemdLoads(['ExecStart=/usr/bin/kubelet a ; /usr/bin/x b \\; c ";" d;e']);
    assert.deepEqual(parsed.commands, [
      ["/usr/bin/kubelet", "a"],
      ["/usr/bin/x", "b", ";", "c", ";", "d;e"],
    ]);
    assert.deepEqual(execCommands('/usr/bin/kubelet a ; /usr/bin/x b \\; c ";" d;e'), parsed.commands);
  });
});

const envLine = fc
  .tuple(
    fc.constantFrom("", "export ", " ", "1"),
    fc.array(fc.constantFrom("a", " ", "\t", '"', "'", "\\", '\\"', "\\\\", "\\\n", "#", "=", "x y", "\\`", "\\x"), { maxLength: 8 }),
  )
  .map(([prefix, value]) => [prefix, value.join("")] as const);

describe(
  "environment files, against systemd 252's parser (the environment.d generator)",
  { skip: !existsSync(GENERATOR) && "systemd is not installed" },
  () => {
    it("on 200 generated files", () => {
      const files = fc.sample(fc.array(envLine, { minLength: 1, maxLength: 4 }), { numRuns: 200, seed: 20261202 });
      const config = path.join(work, "config");
      mkdirSync(path.join(config, "environment.d"), { recursive: true });
      const texts = files.map((fileLines, f) => fileLines.map(([prefix, value], l) => `${prefix}KG${f}_${l}=${value}`).join("\n"));
      texts.forEach((t, f) => writeFileSync(path.join(config, "environment.d", `${String(f).padStart(4, "0")}.conf`), `${t}\n`));
      const run = spawnSync(GENERATOR, [], { env: { HOME: work, XDG_CONFIG_HOME: config }, encoding: "utf8" });
      // The generator prints NAME=value, or NAME="…" with \ before " \ ` $ (write_env_var).
      const printed = new Map<string, string>();
      for (let i = 0; i < run.stdout.length; ) {
        const eq = run.stdout.indexOf("=", i);
        const name = run.stdout.slice(i, eq);
        let value = "";
        let k = eq + 1;
        if (run.stdout[k] === '"') {
          const quoted = readQuoted(run.stdout, k);
          value = quoted.text;
          k = quoted.next;
        } else {
          const end = run.stdout.indexOf("\n", k);
          value = run.stdout.slice(k, end);
          k = end;
        }
        printed.set(name, value);
        i = k + 1;
      }
      texts.forEach((t) => {
        for (const a of parseEnvironmentFile(`${t}\n`)) {
          // The generator drops an empty value (its merge step); the file parser gives "" for it.
          if (!/KG\d+_\d+$/.test(a.name) || a.value === "") continue;
          assert.equal(printed.get(a.name), a.valid ? a.value : undefined, `${JSON.stringify(t)}: ${a.name}`);
        }
      });
    });
  },
);

describe("`$VAR` words on the exec line (replace_env_argv: EXTRACT_UNQUOTE|EXTRACT_RELAX)", () => {
  it("removes quotes and keeps blanks inside them; a backslash takes the next character; an open quote runs to the end", () => {
    assert.deepEqual(systemdWords(`--read-only-port="10255" --node-labels='a=b c' x\\ y \\x41 "open`, "variable").words, [
      "--read-only-port=10255",
      "--node-labels=a=b c",
      "x y",
      "x41",
      "open",
    ]);
  });
  const READ_ONLY = "kubelet-read-only-port";
  it("AL2: quotes inside --kubelet-extra-args reach the kubelet removed (bootstrap.sh writes them into Environment=)", () => {
    const result = findings(lines("#!/bin/bash", `/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port="10255" --node-labels="team=a b"'`));
    assert.deepEqual(
      result.filter((f) => f.startsWith(READ_ONLY)),
      [`${READ_ONLY}: user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0`],
    );
  });
  it('a quoted "$VAR" is still a word of its own after unquoting, so it is split too', () => {
    const unit = (exec: string) => [
      "cat > /etc/systemd/system/kubelet.service <<'EOF'",
      "[Service]",
      'Environment="ARGS=--read-only-port=10255 --anonymous-auth=false"',
      `ExecStart=${exec}`,
      "EOF",
    ];
    for (const exec of ['/usr/bin/kubelet "$ARGS"', "/usr/bin/kubelet $ARGS"]) {
      assert.equal(findings(lines("#!/bin/bash", ...unit(exec))).filter((f) => f.startsWith(READ_ONLY) && f.includes("=10255")).length, 1, exec);
    }
    // ${ARGS} is the value as one argument: the kubelet reads it as --read-only-port with the rest in its value.
    assert.ok(findings(lines("#!/bin/bash", ...unit("/usr/bin/kubelet ${ARGS}"))).some((f) => f.includes("10255 --anonymous-auth=false")));
  });
  it("AL2023: spec.kubelet.flags go through nodeadm's environment file, so quotes in them are removed", () => {
    const nodeConfig = ["apiVersion: node.eks.aws/v1alpha1", "kind: NodeConfig", "spec:", "  kubelet:", "    flags:", `      - '--read-only-port="10255"'`];
    const result = analyze(nodeConfig.join("\n")).findings.filter((f) => f.startsWith(READ_ONLY));
    assert.equal(result.length, 1, result.join("\n"));
    assert.match(result[0], /--read-only-port=10255 serves/);
  });
  it("an environment file line `export KUBELET_EXTRA_ARGS=…` is not an assignment systemd makes", () => {
    assert.deepEqual(
      parseEnvironmentFile('export A=1\nB="x" y \nC=a\\\n b').map((a) => [a.name, a.value, a.valid, a.line]),
      [
        ["export A", "1", false, 1],
        ["B", "xy", true, 2],
        ["C", "a b", true, 3],
      ],
    );
  });
});

describe("specifiers in Environment= and ExecStart= (src/shared/specifier.c specifier_printf, systemd 252)", () => {
  it("`%%` is a `%`; `%` before a blank, a comma or the end stays; a letter or digit that names no specifier fails the word", () => {
    assert.deepEqual(resolveSpecifiers("a<10%,b<5%"), { text: "a<10%,b<5%", unresolved: [] });
    assert.deepEqual(resolveSpecifiers("100%%"), { text: "100%", unresolved: [] });
    assert.deepEqual(resolveSpecifiers("--hostname-override=%H"), { text: "--hostname-override=%H", unresolved: ["%H"] });
    assert.equal(resolveSpecifiers("a%20b"), undefined);
    assert.equal(resolveSpecifiers("%Z"), undefined);
  });
  const READ_ONLY = "kubelet-read-only-port";
  it("AL2: an eviction threshold in % beside --read-only-port keeps the assignment; `%2` drops all of it, which is said", () => {
    const al2 = (extra: string) => findings(lines("#!/bin/bash", `/etc/eks/bootstrap.sh c --kubelet-extra-args '${extra}'`));
    assert.equal(
      al2("--eviction-hard=memory.available<10% --read-only-port=10255").filter((f) => f.startsWith(`${READ_ONLY}: user data line 2: --read-only-port=10255`))
        .length,
      1,
    );
    const dropped = al2("--node-labels=a%2Fb --read-only-port=10255");
    assert.ok(!dropped.some((f) => f.includes("--read-only-port=10255 serves")), dropped.join("\n"));
    assert.ok(
      dropped.some((f) => f.includes("cannot resolve a specifier")),
      dropped.join("\n"),
    );
  });
});

describe("an Environment= line systemd cannot split (config_parse_environ keeps the words before the error)", () => {
  it("keeps the assignments before an unknown escape, drops the rest, and says so", () => {
    const unit = [
      "cat > /etc/systemd/system/kubelet.service <<'EOF'",
      "[Service]",
      "Environment=A=--read-only-port=10255 B=\\q C=--anonymous-auth=true",
      "ExecStart=/usr/bin/kubelet $A $C",
      "EOF",
    ];
    const result = findings(lines("#!/bin/bash", ...unit));
    assert.equal(result.filter((f) => f.includes("--read-only-port=10255 serves")).length, 1, result.join("\n"));
    // C never reached the environment: the kubelet runs with its own default, not with C's flag.
    assert.ok(
      result.some((f) => f.startsWith("kubelet-anonymous-auth") && f.includes("--anonymous-auth not set")),
      result.join("\n"),
    );
    assert.ok(
      result.some((f) => f.includes("so it ignores that word and the rest of the line")),
      result.join("\n"),
    );
  });
});
