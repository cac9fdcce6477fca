/**
 * The node scenario: one Dafka node under simulated I/O with idempotent and
 * plain producers and consumers, crashes (power losses with torn writes,
 * killed processes) and restarts, connection resets, retention under clock
 * skew and steps (see run.ts).
 */
import { NODE_BUGS, type NodeBug } from "../../faults/node_planted_bugs.ts";
import { changeFirstValue, dropMiddleBatch, type TestFaults } from "../../faults/node_test_faults.ts";
import type { Scenario, ScenarioFlags, ScenarioResult } from "../../scenario.ts";
import { describeOptions, type WorkloadOptions } from "./options.ts";
import { type RunResult, runSeed } from "./run.ts";

/** Test faults that the command line plants as bugs too: each one a checker must catch. */
const FAULT_BUGS: Record<string, TestFaults> = {
  "fetch-loses-batch": { tamperFetch: dropMiddleBatch },
  "fetch-changes-value": { tamperFetch: changeFirstValue },
  "segment-syncs-ignored": { segmentSyncIgnored: true },
};

/** One line of a run's counters. */
export function summarizeNodeRun(result: RunResult): string {
  const stats = result.stats;
  return `${stats.crashes["power-loss"]} power losses, ${stats.crashes.process} process kills, ` +
    `${stats.connectionResets} resets; ${stats.batchesSent} batches sent (${stats.batchRetries} retries), ` +
    `${stats.batchesAcknowledged} acknowledged (${stats.retriesAcknowledged} after a retry, ` +
    `${stats.duplicatesAnswered} recognised duplicates), ` +
    `${stats.newProducerIds} producer ids; ${stats.fetches} fetches, ${stats.recordsFetched} records fetched; ` +
    `${stats.recordsInLog} records in the log at the end, ${stats.requiredRecords} required to survive; ` +
    `retention deleted ${stats.segmentsDeleted} segments (${stats.recordsDeleted} records), ` +
    `${stats.clockJumps} clock jumps; ${result.virtualMs} virtual ms`;
}

function withFlags(flags: ScenarioFlags): (options: WorkloadOptions) => WorkloadOptions {
  if (!flags.afterSync) return (options) => options;
  return (options) => ({ ...options, crashes: { ...options.crashes, directoryDurability: "after-sync" } });
}

export const nodeScenario: Scenario = {
  name: "node",
  description: "one node, producers and consumers, crashes and restarts, retention",
  bugs: [...NODE_BUGS, ...Object.keys(FAULT_BUGS)],
  flags: ["after-sync"],
  async run(seed: number, flags: ScenarioFlags): Promise<ScenarioResult> {
    const bug = NODE_BUGS.includes(flags.bug as NodeBug) ? flags.bug as NodeBug : undefined;
    const faults = flags.bug === undefined ? undefined : FAULT_BUGS[flags.bug];
    const result = await runSeed(seed, { log: flags.log, adjust: withFlags(flags), bug, faults });
    return {
      seed,
      failure: result.violation?.message ?? null,
      summary: summarizeNodeRun(result),
      optionLines: describeOptions(result.options),
      printLog: (write) => result.cluster.printLog(write),
    };
  },
};
