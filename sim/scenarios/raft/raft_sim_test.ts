import assert from "node:assert/strict";
import { raftSimOptions } from "./options.ts";
import { runRaftSeed } from "./run.ts";

/** Seeds the test runs (about a minute and a half on a loaded two-core machine). */
const SEEDS = 300;
/** The planted double vote is caught by seed 12; the test allows this many. */
const PLANTED_BUG_SEEDS_MAX = 30;

Deno.test(`the Raft simulation passes ${SEEDS} seeds with every fault and every invariant`, async () => {
  const started = performance.now();
  const failures: string[] = [];
  let acknowledged = 0;
  let leaders = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const result = await runRaftSeed(seed);
    if (result.violation !== null) failures.push(`seed ${seed}: ${result.violation.message}`);
    acknowledged += result.stats.acknowledged;
    leaders += result.stats.leaders;
  }
  const minutes = (performance.now() - started) / 60_000;
  console.log(
    `${SEEDS} seeds in ${(minutes * 60).toFixed(1)} s: ${(SEEDS / minutes).toFixed(0)} seeds per minute; ` +
      `${leaders} epochs with a leader, ${acknowledged} proposals acknowledged`,
  );
  assert.deepEqual(failures, []);
});

Deno.test(`a planted double vote in one epoch is caught within ${PLANTED_BUG_SEEDS_MAX} seeds`, async () => {
  for (let seed = 1; seed <= PLANTED_BUG_SEEDS_MAX; seed++) {
    const result = await runRaftSeed(seed, { bugs: { voteTwiceInOneEpoch: true } });
    if (result.violation !== null) {
      console.log(`caught at seed ${seed}: ${result.violation.message}`);
      assert.match(result.violation.invariant, /leader|committed|acknowledged/);
      return;
    }
  }
  assert.fail(`the planted bug survived ${PLANTED_BUG_SEEDS_MAX} seeds`);
});

Deno.test("a seed replays exactly: the same events, the same virtual time, the same outcome", async () => {
  const first = await runRaftSeed(42);
  const second = await runRaftSeed(42);
  assert.equal(second.events, first.events);
  assert.equal(second.virtualMs, first.virtualMs);
  assert.equal(second.cluster.scheduler.fingerprint, first.cluster.scheduler.fingerprint);
  assert.deepEqual(second.stats, first.stats);
});

Deno.test("planted overlapping voter changes (KIP-853) are caught within 30 seeds with dynamic voters", async () => {
  let dynamicSeeds = 0;
  for (let seed = 1; dynamicSeeds < 30; seed++) {
    if (raftSimOptions(seed).membership === null) continue;
    dynamicSeeds++;
    const result = await runRaftSeed(seed, { bugs: { overlappingVoterChanges: true } });
    if (result.violation !== null) {
      console.log(`caught at seed ${seed}: ${result.violation.message}`);
      assert.match(result.violation.invariant, /voter set|leader|committed|acknowledged/);
      return;
    }
  }
  assert.fail("the planted bug survived 30 seeds with dynamic voters");
});
