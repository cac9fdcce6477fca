/**
 * The disk scenario: one node whose disk fails under it (EIO on reads,
 * writes and syncs, a full disk, torn writes, crashes), with retention and
 * DeleteRecords moving the log start; acknowledged records must be served or
 * refused with a storage error, never wrong (see run.ts).
 */
import type { Scenario, ScenarioFlags, ScenarioResult } from "../../scenario.ts";
import { runDiskFaultSeed } from "./run.ts";

export const diskScenario: Scenario = {
  name: "disk",
  description: "one node on a failing disk: EIO, ENOSPC, torn writes, crashes",
  bugs: [],
  flags: [],
  async run(seed: number, _flags: ScenarioFlags): Promise<ScenarioResult> {
    const result = await runDiskFaultSeed(seed);
    return {
      seed,
      failure: result.violations.length === 0 ? null : result.violations.join("; "),
      summary: Object.entries(result.stats).map(([name, value]) => `${name}=${value}`).join(" "),
      optionLines: [JSON.stringify(result.options)],
      printLog: (write) => result.cluster.printLog(write),
    };
  },
};
