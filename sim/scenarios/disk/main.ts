/**
 * Runs disk-fault seeds: `deno run --allow-all sim/disk_fault_main.ts [from] [to]`.
 * Prints one line per seed and, for a failing seed, its options and log.
 */
import { runDiskFaultSeed } from "./run.ts";

const from = Number(Deno.args[0] ?? 1);
const to = Number(Deno.args[1] ?? from + 99);
let failed = 0;
for (let seed = from; seed <= to; seed++) {
  const result = await runDiskFaultSeed(seed);
  const stats = Object.entries(result.stats).map(([name, value]) => `${name}=${value}`).join(" ");
  console.log(`seed ${seed}: ${result.violations.length === 0 ? "ok" : "FAILED"} ${stats}`);
  if (result.violations.length === 0) continue;
  failed++;
  console.log(JSON.stringify(result.options));
  for (const violation of result.violations) console.log(`  ${violation}`);
  result.cluster.printLog(console.log);
}
console.log(`${to - from + 1 - failed} of ${to - from + 1} seeds passed`);
if (failed > 0) Deno.exit(1);
