/**
 * The cluster scenario: three whole nodes (broker and controller each) and a
 * client changing topics and configs through any node, and producing to and
 * consuming from a replicated topic (RF 3, min.insync.replicas 2), under
 * isolation, cut links, resets, pauses, power losses (some losing a
 * replica's folders) and killed processes; then healing and a liveness
 * check (see run.ts).
 */
import type { Scenario, ScenarioFlags, ScenarioResult } from "../../scenario.ts";
import { type ClusterPlantedBugs, type ClusterSimOptions, describeClusterOptions } from "./options.ts";
import { runClusterSeed, summarizeRun } from "./run.ts";
import { REPLICATION_BUGS } from "../../faults/replication_planted_bugs.ts";

/** The bugs sim/faults/cluster_planted_bugs.ts and replication_planted_bugs.ts plant, by their command-line names. */
const BUGS: Record<string, ClusterPlantedBugs> = {
  "ack-before-commit": { acknowledgeCreateBeforeCommit: true },
  ...Object.fromEntries(REPLICATION_BUGS.map((bug) => [bug, { replication: bug }])),
};

function withFlags(flags: ScenarioFlags): ((options: ClusterSimOptions) => ClusterSimOptions) | undefined {
  if (!flags.afterSync) return undefined;
  return (options) => ({ ...options, disk: { ...options.disk, directoryDurability: "after-sync" } });
}

export const clusterScenario: Scenario = {
  name: "cluster",
  description: "three whole nodes and a client changing metadata and producing to a replicated topic, " +
    "under isolation, cut links, pauses and crashes",
  bugs: Object.keys(BUGS),
  flags: ["after-sync"],
  async run(seed: number, flags: ScenarioFlags): Promise<ScenarioResult> {
    const result = await runClusterSeed(seed, {
      bugs: flags.bug === undefined ? {} : BUGS[flags.bug],
      log: flags.log,
      adjust: withFlags(flags),
    });
    return {
      seed,
      failure: result.violation?.message ?? null,
      summary: summarizeRun(result),
      optionLines: describeClusterOptions(result.options),
      printLog: (write) => result.cluster.printLog(write),
    };
  },
};
