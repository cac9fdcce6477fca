/**
 * The groups scenario: one node's group coordinator and members joining,
 * crashing, pausing and leaving while the node crashes and restarts, with
 * the protocol as a parameter: the classic one (JoinGroup/SyncGroup/
 * Heartbeat) or KIP-848's ConsumerGroupHeartbeat. The seed picks it unless
 * `--protocol` does.
 */
import { SeededRandom } from "../../../src/io/sim/mod.ts";
import type { Scenario, ScenarioFlags, ScenarioResult } from "../../scenario.ts";
import { classicProtocol } from "./classic.ts";
import { consumerProtocol } from "./consumer.ts";
import type { GroupMemberHandle, GroupProtocol, SharedGroupOptions } from "./protocol.ts";
import { runGroupSeed } from "./run.ts";

/** The group protocols, by their names in `group.protocol`. */
export const GROUP_PROTOCOLS = ["classic", "consumer"] as const;
export type GroupProtocolName = typeof GROUP_PROTOCOLS[number];

/** The protocol a seed runs: `forced` when given, else the seed's choice. */
export function groupProtocolOf(seed: number, forced?: string): GroupProtocolName {
  if (forced !== undefined) {
    if (!GROUP_PROTOCOLS.includes(forced as GroupProtocolName)) {
      throw new Error(`unknown group protocol ${forced}; known: ${GROUP_PROTOCOLS.join(", ")}`);
    }
    return forced as GroupProtocolName;
  }
  return new SeededRandom(seed).fork("group-protocol").pick(GROUP_PROTOCOLS);
}

async function runWith<Options extends SharedGroupOptions, Member extends GroupMemberHandle>(
  protocol: GroupProtocol<Options, Member>,
  seed: number,
  flags: ScenarioFlags,
): Promise<ScenarioResult> {
  const result = await runGroupSeed(protocol, seed, { log: flags.log });
  const stats = Object.entries(result.stats).map(([name, value]) => `${name}=${value}`).join(" ");
  return {
    seed,
    failure: result.violation?.message ?? null,
    summary: `${protocol.name} protocol: ${stats}; ${result.virtualMs} virtual ms`,
    optionLines: [`protocol ${protocol.name}`, ...protocol.describe(result.options)],
    printLog: (write) => result.cluster.printLog(write),
  };
}

export const groupsScenario: Scenario = {
  name: "groups",
  description:
    "a group coordinator and members under crashes, pauses and restarts (--protocol classic|consumer)",
  bugs: [],
  flags: ["protocol"],
  run(seed: number, flags: ScenarioFlags): Promise<ScenarioResult> {
    return groupProtocolOf(seed, flags.protocol) === "classic"
      ? runWith(classicProtocol, seed, flags)
      : runWith(consumerProtocol, seed, flags);
  },
};
