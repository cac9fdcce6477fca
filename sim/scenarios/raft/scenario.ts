/**
 * The raft scenario: five Raft cores (src/raft/) under envelope-level loss,
 * duplication, delay and reordering, partitions, crashes, pauses and clock
 * jumps; safety, then liveness (see run.ts).
 */
import { type PlantedBugs, traceToJson } from "../../../src/raft/mod.ts";
import type { Scenario, ScenarioFlags, ScenarioResult } from "../../scenario.ts";
import { describeRaftOptions } from "./options.ts";
import { type RaftRunResult, runRaftSeed } from "./run.ts";

/** The bugs the Raft core can plant (src/raft/types.ts), by their command-line names. */
const BUGS: Record<string, PlantedBugs> = {
  "vote-twice": { voteTwiceInOneEpoch: true },
  "commit-previous-epoch": { commitPreviousEpochByCounting: true },
  "overlapping-voter-changes": { overlappingVoterChanges: true },
};

/** One line of a run's counters. */
export function summarizeRaftRun(result: RaftRunResult): string {
  const { network, faults } = result.stats;
  const voters = result.options.membership === null
    ? `${result.options.voters.length} voters`
    : `${
      result.options.voters.length + result.options.observers.length
    } nodes, ${result.stats.voterChanges} voter changes`;
  return `${voters}; ${network.sent} messages (${network.dropped} lost, ` +
    `${network.duplicated} duplicated); ${faults.crashes} crashes (${faults.powerLosses} power losses), ` +
    `${faults.partitions} partitions, ${faults.pauses} pauses; ${result.stats.leaders} epochs with a leader; ` +
    `${result.stats.proposed} proposed, ${result.stats.acknowledged} acknowledged, ` +
    `${result.stats.committedBatches} batches committed; ${result.stats.badInputs} bad inputs; ` +
    `${result.virtualMs} virtual ms, ${result.events} events`;
}

export const raftScenario: Scenario = {
  name: "raft",
  description: "five Raft cores under message loss, partitions, crashes, pauses and clock jumps",
  bugs: Object.keys(BUGS),
  flags: ["trace"],
  async run(seed: number, flags: ScenarioFlags): Promise<ScenarioResult> {
    const trace = flags.trace;
    const result = await runRaftSeed(seed, {
      bugs: flags.bug === undefined ? {} : BUGS[flags.bug],
      log: flags.log,
      trace: trace === undefined ? undefined : (entry) => trace(traceToJson(entry)),
    });
    return {
      seed,
      failure: result.violation?.message ?? null,
      summary: summarizeRaftRun(result),
      optionLines: describeRaftOptions(result.options),
      printLog: (write) => result.cluster.printLog(write),
    };
  },
};
