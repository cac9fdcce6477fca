/**
 * The groups scenario: one node's group coordinator and members joining,
 * crashing, pausing and leaving while the node crashes and restarts, with
 * the protocol as a parameter: the classic one (JoinGroup/SyncGroup/
 * Heartbeat) or KIP-848's ConsumerGroupHeartbeat. The seed picks it unless
 * `--protocol` does.
 */
import { SeededRandom } from "../../../src/io/sim/random.ts";
import type { Scenario, ScenarioFlags, ScenarioResult } from "../../scenario.ts";
import { describeGroupOptions } from "./classic_options.ts";
import { runGroupSeed } from "./classic_run.ts";
import { describeConsumerGroupOptions } from "./consumer_options.ts";
import { runConsumerGroupSeed } from "./consumer_run.ts";

/** The group protocols, by their names in `group.protocol`. */
export const GROUP_PROTOCOLS = ["classic", "consumer"] as const;
export type GroupProtocol = typeof GROUP_PROTOCOLS[number];

/** The protocol a seed runs: `forced` when given, else the seed's choice. */
export function groupProtocolOf(seed: number, forced?: string): GroupProtocol {
  if (forced !== undefined) {
    if (!GROUP_PROTOCOLS.includes(forced as GroupProtocol)) {
      throw new Error(`unknown group protocol ${forced}; known: ${GROUP_PROTOCOLS.join(", ")}`);
    }
    return forced as GroupProtocol;
  }
  return new SeededRandom(seed).fork("group-protocol").pick(GROUP_PROTOCOLS);
}

function statsLine(stats: Record<string, number>, virtualMs: number): string {
  return `${
    Object.entries(stats).map(([name, value]) => `${name}=${value}`).join(" ")
  }; ${virtualMs} virtual ms`;
}

export const groupsScenario: Scenario = {
  name: "groups",
  description:
    "a group coordinator and members under crashes, pauses and restarts (--protocol classic|consumer)",
  bugs: [],
  flags: ["protocol"],
  async run(seed: number, flags: ScenarioFlags): Promise<ScenarioResult> {
    const protocol = groupProtocolOf(seed, flags.protocol);
    if (protocol === "classic") {
      const result = await runGroupSeed(seed, { log: flags.log });
      return {
        seed,
        failure: result.violation?.message ?? null,
        summary: `classic protocol: ${statsLine(result.stats, result.virtualMs)}`,
        optionLines: ["protocol classic", ...describeGroupOptions(result.options)],
        printLog: (write) => result.cluster.printLog(write),
      };
    }
    const result = await runConsumerGroupSeed(seed, { log: flags.log });
    return {
      seed,
      failure: result.violation?.message ?? null,
      summary: `consumer protocol: ${statsLine(result.stats, result.virtualMs)}`,
      optionLines: ["protocol consumer", ...describeConsumerGroupOptions(result.options)],
      printLog: (write) => result.cluster.printLog(write),
    };
  },
};
