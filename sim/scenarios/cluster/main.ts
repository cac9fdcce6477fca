/**
 * `deno task sim:cluster`: three full Dafka nodes under faults.
 *
 *   deno task sim:cluster --seed N      one seed: its options and summary, its log on failure
 *   deno task sim:cluster --seconds S   random seeds for S seconds of real time (60 by default)
 *   deno task sim:cluster --seeds K     K random seeds
 *   --bug ack-before-commit             plants a bug the checkers must catch
 *   --after-sync                        every node's folders are durable only once synced (strict POSIX;
 *                                       otherwise the seed picks it per run)
 *   --verbose                           progress lines (and every seed's summary)
 *
 * A failing seed is printed with the command that replays it exactly; the
 * exit code is then 1.
 */
import { reportFailure, sweepSeeds } from "../../seed_sweep.ts";
import { parseArgs } from "node:util";
import { type ClusterPlantedBugs, type ClusterSimOptions, describeClusterOptions } from "./options.ts";
import { type ClusterRunResult, runClusterSeed, summarizeRun } from "./run.ts";

const SEED_MAX = 0xffff_ffff;
const SECONDS_DEFAULT = 60;

const BUGS: Record<string, ClusterPlantedBugs> = {
  "ack-before-commit": { acknowledgeCreateBeforeCommit: true },
};

function report(result: ClusterRunResult, flags: string): void {
  reportFailure({
    seed: result.seed,
    message: result.violation!.message,
    printLog: (write) => result.cluster.printLog(write),
    optionLines: describeClusterOptions(result.options),
    replay: `deno task sim:cluster --seed ${result.seed}${flags}`,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string" },
      seeds: { type: "string" },
      seconds: { type: "string" },
      bug: { type: "string" },
      verbose: { type: "boolean", default: false },
      "after-sync": { type: "boolean", default: false },
    },
  });
  const bugs = values.bug === undefined ? {} : BUGS[values.bug];
  if (bugs === undefined) {
    console.error(`unknown bug ${values.bug}; known: ${Object.keys(BUGS).join(", ")}`);
    Deno.exit(2);
  }
  const flags = (values.bug === undefined ? "" : ` --bug ${values.bug}`) +
    (values["after-sync"] ? " --after-sync" : "");
  const log = values.verbose ? (line: string) => console.log(line) : undefined;
  const adjust = values["after-sync"]
    ? (options: ClusterSimOptions) => ({
      ...options,
      disk: { ...options.disk, directoryDurability: "after-sync" as const },
    })
    : undefined;
  if (values.seed !== undefined) {
    const result = await runClusterSeed(Number(values.seed), { bugs, log, adjust });
    if (result.violation !== null) {
      report(result, flags);
      Deno.exit(1);
    }
    for (const line of describeClusterOptions(result.options)) console.log(line);
    console.log(`seed ${result.seed} passed: ${summarizeRun(result)}`);
    return;
  }
  const allPassed = await sweepSeeds({
    seeds: values.seeds === undefined ? Infinity : Number(values.seeds),
    seconds: values.seeds === undefined ? Number(values.seconds ?? SECONDS_DEFAULT) : Infinity,
    seedMax: SEED_MAX,
    runSeed: async (seed) => {
      const result = await runClusterSeed(seed, { bugs, adjust });
      if (result.violation !== null) report(result, flags);
      else if (values.verbose) console.log(`seed ${seed} passed: ${summarizeRun(result)}`);
      return result.violation === null;
    },
    replay: (seed) => `deno task sim:cluster --seed ${seed}${flags}`,
  });
  if (!allPassed) Deno.exit(1);
}

await main();
