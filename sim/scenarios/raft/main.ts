/**
 * `deno task sim:raft`: the Raft quorum simulation.
 *
 *   deno task sim:raft --seed N      one seed: its options, its log on failure
 *   deno task sim:raft --seeds K     K random seeds (100 by default)
 *   deno task sim:raft --seconds S   random seeds for S seconds of real time
 *   --bug vote-twice | commit-previous-epoch   plants a bug the checkers must catch
 *   --trace FILE                     with --seed: every node's trace (JSON lines) for trace validation
 *   --verbose                        progress lines of every seed
 *
 * A failing seed is printed with the command that replays it exactly; the
 * exit code is then 1.
 */
import { reportFailure, sweepSeeds } from "../../seed_sweep.ts";
import { parseArgs } from "node:util";
import type { PlantedBugs } from "../../../src/raft/types.ts";
import { traceToJson } from "../../../src/raft/trace.ts";
import { describeRaftOptions } from "./options.ts";
import type { SimTraceEntry } from "./raft_host.ts";
import { type RaftRunResult, runRaftSeed } from "./run.ts";

const SEED_MAX = 0xffff_ffff;

const BUGS: Record<string, PlantedBugs> = {
  "vote-twice": { voteTwiceInOneEpoch: true },
  "commit-previous-epoch": { commitPreviousEpochByCounting: true },
};

function summary(result: RaftRunResult): string {
  const { network, faults } = result.stats;
  return `${result.options.voters.length} voters; ${network.sent} messages (${network.dropped} lost, ` +
    `${network.duplicated} duplicated); ${faults.crashes} crashes (${faults.powerLosses} power losses), ` +
    `${faults.partitions} partitions, ${faults.pauses} pauses; ${result.stats.leaders} epochs with a leader; ` +
    `${result.stats.proposed} proposed, ${result.stats.acknowledged} acknowledged, ` +
    `${result.stats.committedBatches} batches committed; ${result.stats.badInputs} bad inputs; ` +
    `${result.virtualMs} virtual ms, ${result.events} events`;
}

function report(result: RaftRunResult, bugFlag: string): void {
  reportFailure({
    seed: result.seed,
    message: result.violation!.message,
    printLog: (write) => result.cluster.printLog(write),
    optionLines: describeRaftOptions(result.options),
    replay: `deno task sim:raft --seed ${result.seed}${bugFlag}`,
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
      trace: { type: "string" },
      verbose: { type: "boolean", default: false },
    },
  });
  const bugs = values.bug === undefined ? {} : BUGS[values.bug];
  if (bugs === undefined) {
    console.error(`unknown bug ${values.bug}; known: ${Object.keys(BUGS).join(", ")}`);
    Deno.exit(2);
  }
  const bugFlag = values.bug === undefined ? "" : ` --bug ${values.bug}`;
  const log = values.verbose ? (line: string) => console.log(line) : undefined;
  if (values.seed !== undefined) {
    const lines: string[] = [];
    const trace = values.trace === undefined
      ? undefined
      : (entry: SimTraceEntry) => lines.push(traceToJson(entry));
    const result = await runRaftSeed(Number(values.seed), { bugs, log, trace });
    if (values.trace !== undefined) {
      await Deno.writeTextFile(values.trace, lines.join("\n") + "\n");
      console.log(`${lines.length} trace entries written to ${values.trace}`);
    }
    if (result.violation !== null) {
      report(result, bugFlag);
      Deno.exit(1);
    }
    for (const line of describeRaftOptions(result.options)) console.log(line);
    console.log(`seed ${result.seed} passed: ${summary(result)}`);
    return;
  }
  const allPassed = await sweepSeeds({
    seeds: values.seconds === undefined ? Number(values.seeds ?? 100) : Infinity,
    seconds: values.seconds === undefined ? Infinity : Number(values.seconds),
    seedMax: SEED_MAX,
    runSeed: async (seed) => {
      const result = await runRaftSeed(seed, { bugs, log });
      if (result.violation !== null) report(result, bugFlag);
      else if (values.verbose) console.log(`seed ${seed} passed: ${summary(result)}`);
      return result.violation === null;
    },
    replay: (seed) => `deno task sim:raft --seed ${seed}${bugFlag}`,
  });
  if (!allPassed) Deno.exit(1);
}

await main();
