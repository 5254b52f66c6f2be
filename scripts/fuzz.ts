/**
 * The long fuzzing campaign: at least 100,000 generated resources through
 * every policy, as the SDK calls them. Fails on any exception, on any
 * internal error the pack turned into an advisory or logged, or on a case
 * slower than the time bound. Usage: npm run fuzz [-- --runs N --seed S]
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import { resource, runPoliciesStrictly } from "../test/helpers/arbitraries";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "100000" }, seed: { type: "string" }, "max-ms": { type: "string", default: "1000" } },
});
const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const maxMs = Number(values["max-ms"]);
let slowest = 0;
let count = 0;
const started = Date.now();
console.error(`fuzzing ${runs} cases, seed ${seed}, time bound ${maxMs} ms per case`);
fc.assert(
  fc.property(resource, ({ type, props }) => {
    const t = process.hrtime.bigint();
    runPoliciesStrictly(type, props);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    slowest = Math.max(slowest, ms);
    if (++count % 10_000 === 0)
      console.error(`  ${count} cases, slowest ${slowest.toFixed(1)} ms, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    if (ms > maxMs) throw new Error(`case took ${ms.toFixed(0)} ms (bound ${maxMs} ms): ${type}`);
  }),
  { numRuns: runs, seed },
);
console.error(`${count} cases, 0 exceptions, 0 internal errors, slowest ${slowest.toFixed(1)} ms, ${((Date.now() - started) / 1000).toFixed(0)} s`);
