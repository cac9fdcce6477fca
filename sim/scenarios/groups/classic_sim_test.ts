/**
 * The consumer group simulation: seeds with member churn, node crashes and a
 * lossy network keep every group invariant, and a seed replays exactly.
 */
import assert from "node:assert/strict";
import { describeGroupOptions } from "./classic_options.ts";
import { classicProtocol } from "./classic.ts";
import { runGroupSeed } from "./run.ts";

const SEEDS = [1, 3, 10, 20, 31, 46];

Deno.test("group seeds with churn, pauses, node crashes and lost answers keep every invariant", async () => {
  let syncs = 0;
  let staleRefused = 0;
  let crashes = 0;
  for (const seed of SEEDS) {
    const result = await runGroupSeed(classicProtocol, seed);
    if (result.violation) {
      console.error(describeGroupOptions(result.options).join("\n"));
      result.cluster.printLog();
      assert.fail(
        `seed ${seed}: ${result.violation.message}\nreplay: deno task sim groups --protocol classic --seed ${seed}`,
      );
    }
    syncs += result.stats.syncs!;
    staleRefused += result.stats.staleCommitsRefused!;
    crashes += result.stats.nodeCrashes!;
  }
  assert.ok(syncs > 50, `groups formed again and again (${syncs} syncs)`);
  assert.ok(staleRefused > 0, "stale commits were tried, and refused");
  assert.ok(crashes > 5, "the node crashed");
});

Deno.test("a group seed replays exactly", async () => {
  const first = await runGroupSeed(classicProtocol, 22);
  const second = await runGroupSeed(classicProtocol, 22);
  assert.equal(first.violation, null);
  assert.deepEqual(second.stats, first.stats);
  assert.equal(second.cluster.scheduler.fingerprint, first.cluster.scheduler.fingerprint);
  assert.deepEqual(second.cluster.log.lines(), first.cluster.log.lines());
});
