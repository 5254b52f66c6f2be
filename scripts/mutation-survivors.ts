/**
 * The mutants Stryker left alive, grouped by file and by the function they sit in, from the JSON report of
 * the last run (reports/mutation/mutation.json) or the incremental files given: what MUTATION.md's
 * "Survivors left" sections are written from.
 * With --scores, the mutation score of each file and of each layer instead (Stryker's: detected over valid).
 * With --stale, which mutated files and test files differ from the sources the report was made from: Stryker
 * re-tests the mutants in changed code and those a changed or new test file reaches, so this says whether
 * `npm run mutation` on this tree only reuses results (exit 0) or has work to do (exit 1).
 * Usage: npm run mutation:survivors [-- reports/mutation/stryker-incremental.json …] [--detail | --scores | --stale]
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import ts from "typescript";

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
  testFiles?: Record<string, { source?: string }>;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { detail: { type: "boolean", default: false }, scores: { type: "boolean", default: false }, stale: { type: "boolean", default: false } },
});
const reports = positionals.length ? positionals : [values.stale ? "reports/mutation/stryker-incremental.json" : "reports/mutation/mutation.json"];

/** The name of the innermost function or method around each line (or "(module)"). */
function functionsByLine(fileName: string, source: string): string[] {
  const names = new Array<string>(source.split("\n").length + 2).fill("(module)");
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node, name: string): void => {
    let inner = name;
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) inner = node.name?.getText(file) ?? name;
    else if (ts.isVariableDeclaration(node) && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer)))
      inner = node.name.getText(file);
    if (inner !== name) {
      const from = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
      const to = file.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      for (let line = from; line <= to; line++) names[line] = inner;
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(file, "(module)");
  return names;
}

if (values.stale) {
  const config = JSON.parse(readFileSync("stryker.config.json", "utf8")) as { mutate: string[]; tap: { testFiles: string[] } };
  const recorded = new Map<string, string | undefined>();
  for (const path of reports) {
    const report = JSON.parse(readFileSync(path, "utf8")) as Report;
    for (const [file, { source }] of [...Object.entries(report.files), ...Object.entries(report.testFiles ?? {})]) recorded.set(file, source);
  }
  const differing = [...config.mutate, ...config.tap.testFiles].flatMap((file) => {
    const now = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    const then = recorded.get(file);
    return now === then ? [] : [`${file}: ${then === undefined ? "not in the baseline" : now === undefined ? "removed" : "changed"}`];
  });
  const total = config.mutate.length + config.tap.testFiles.length;
  if (!differing.length) console.log(`the baseline matches the tree: ${config.mutate.length} mutated files and ${config.tap.testFiles.length} test files`);
  else console.log(`the baseline differs from the tree in ${differing.length} of ${total} files:\n  ${differing.join("\n  ")}`);
  process.exit(differing.length ? 1 : 0);
}

const alive = new Map<string, Map<string, Mutant[]>>();
const sources = new Map<string, string>();
const counts = new Map<string, Record<string, number>>();
for (const path of reports) {
  if (!existsSync(path)) {
    console.error(`${path}: no such report; run npm run mutation first`);
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(path, "utf8")) as Report;
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    sources.set(file, source);
    const names = functionsByLine(file, source);
    for (const m of mutants) {
      const count = counts.get(file) ?? {};
      count[m.status] = (count[m.status] ?? 0) + 1;
      counts.set(file, count);
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const byFunction = alive.get(file) ?? new Map<string, Mutant[]>();
      const name = names[m.location.start.line];
      byFunction.set(name, [...(byFunction.get(name) ?? []), m]);
      alive.set(file, byFunction);
    }
  }
}

/** The layers MUTATION.md reports: the kubelet's start-up, the rule catalog, the node's boot. */
const LAYERS: [name: string, test: (file: string) => boolean][] = [
  ["kubelet start-up (policypack/kubelet, without rules.ts)", (f) => f.startsWith("policypack/kubelet/") && !f.endsWith("/rules.ts")],
  ["rule catalog (policypack/kubelet/rules.ts)", (f) => f.endsWith("/rules.ts")],
  ["node boot (policypack/boot)", (f) => f.startsWith("policypack/boot/")],
  ["all", () => true],
];
const row = (name: string, files: string[]): string => {
  const sum = (status: string) => files.reduce((n, f) => n + (counts.get(f)?.[status] ?? 0), 0);
  const [killed, timeout, survived, none] = ["Killed", "Timeout", "Survived", "NoCoverage"].map(sum);
  const score = ((100 * (killed + timeout)) / (killed + timeout + survived + none)).toFixed(2);
  return `| ${name} | ${killed + timeout + survived + none} | ${killed} | ${timeout} | ${survived} | ${none} | **${score}%** |`;
};
if (values.scores) {
  console.log("| file or layer | mutants | killed | timeout | survived | no coverage | score |\n|---|---|---|---|---|---|---|");
  const files = [...counts.keys()].sort();
  for (const file of files) console.log(row(`\`${file}\``, [file]));
  for (const [name, test] of LAYERS) console.log(row(`**${name}**`, files.filter(test)));
  process.exit(0);
}

for (const [file, byFunction] of [...alive].sort()) {
  const total = [...byFunction.values()].reduce((n, ms) => n + ms.length, 0);
  console.log(`${file}: ${total} alive`);
  const lines = sources.get(file)!.split("\n");
  for (const [name, mutants] of [...byFunction].sort((a, b) => b[1].length - a[1].length)) {
    const uncovered = mutants.filter((m) => m.status === "NoCoverage").length;
    console.log(`  ${name}: ${mutants.length}${uncovered ? ` (${uncovered} reached by no test)` : ""}`);
    if (!values.detail) continue;
    for (const m of mutants.sort((a, b) => a.location.start.line - b.location.start.line))
      console.log(
        `    ${m.location.start.line}: ${m.mutatorName} ${JSON.stringify(m.replacement ?? "")}  | ${lines[m.location.start.line - 1].trim().slice(0, 80)}`,
      );
  }
}
