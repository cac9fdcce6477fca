/** Every simulation scenario, side by side, as the command line lists them. */
import type { Scenario } from "../scenario.ts";
import { clusterScenario } from "./cluster/scenario.ts";
import { diskScenario } from "./disk/scenario.ts";
import { groupsScenario } from "./groups/scenario.ts";
import { nodeScenario } from "./node/scenario.ts";
import { raftScenario } from "./raft/scenario.ts";

export const SCENARIOS: readonly Scenario[] = [
  nodeScenario,
  groupsScenario,
  diskScenario,
  raftScenario,
  clusterScenario,
];

/** The scenario called `name`, if any. */
export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
