/**
 * npm run test:oracle -- [--runs N] [--seed S]: compares N generated start-ups
 * (default 3,000) with each modelled kubelet version's own code and prints,
 * last, one line per version: "N start-ups compared with kubelet vX.Y.Z: D disagreements".
 * Exits 1 on any disagreement, printing the first few with their seeds.
 */
import { parseArgs } from "node:util";
import { runDifferential } from "../test/oracle/differential";
import { ORACLE_VERSIONS, oracleBinary } from "./oracle";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "3000" }, seed: { type: "string", default: "1" }, show: { type: "string", default: "5" } },
  });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const summary: string[] = [];
  let failed = false;
  for (const version of ORACLE_VERSIONS) {
    const binary = oracleBinary(version);
    const started = Date.now();
    const { compared, disagreements } = await runDifferential(binary, seed, runs);
    for (const d of disagreements.slice(0, Number(values.show))) console.error(`seed ${d.seed}: ${JSON.stringify(d.startUp)}\n  ${d.diffs.join("\n  ")}`);
    console.error(`kubelet ${version}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    summary.push(`${compared} start-ups compared with kubelet ${version}: ${disagreements.length} disagreements`);
    failed ||= disagreements.length > 0;
  }
  for (const line of summary) console.log(line);
  process.exitCode = failed ? 1 : 0;
}

void main();
