/**
 * Runs KIP-848 consumer group simulations from the command line:
 *
 *   deno run -A sim/consumer_group_main.ts 1234       one seed, with its progress
 *   deno run -A sim/consumer_group_main.ts --runs 50  50 random seeds
 *
 * A failure prints the seed's options, the simulation's log and the command
 * that replays it.
 */
import { describeConsumerGroupOptions } from "./consumer_options.ts";
import { runConsumerGroupSeed } from "./consumer_run.ts";

async function runOne(seed: number, verbose: boolean): Promise<boolean> {
  const result = await runConsumerGroupSeed(seed, {
    log: verbose ? (line) => console.log(line) : undefined,
  });
  if (result.violation === null) {
    console.log(`seed ${seed}: ok (${result.virtualMs} virtual ms) ${JSON.stringify(result.stats)}`);
    return true;
  }
  console.log(describeConsumerGroupOptions(result.options).join("\n"));
  result.cluster.printLog((line) => console.log(line));
  console.log(`seed ${seed}: ${result.violation.message}`);
  console.log(`replay: deno run -A sim/consumer_group_main.ts ${seed}`);
  return false;
}

if (import.meta.main) {
  const runsFlag = Deno.args.indexOf("--runs");
  if (runsFlag >= 0) {
    const runs = Number(Deno.args[runsFlag + 1] ?? 20);
    for (let run = 0; run < runs; run++) {
      const seed = Math.floor(Math.random() * 2 ** 31);
      if (!(await runOne(seed, false))) Deno.exit(1);
    }
  } else {
    const seed = Number(Deno.args[0] ?? Math.floor(Math.random() * 2 ** 31));
    if (!(await runOne(seed, true))) Deno.exit(1);
  }
}
