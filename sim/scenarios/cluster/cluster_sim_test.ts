import assert from "node:assert/strict";
import type { ClusterSimOptions } from "./options.ts";
import { runClusterSeed, summarizeRun } from "./run.ts";

/** What the replication checkers report (sim/checkers/replication/). */
const REPLICATION_INVARIANTS = new Set([
  "every ISR member holds every committed record",
  "no acknowledged acks=all record is lost",
  "replicas agree on every committed offset",
  "replicas are identical below the high watermark",
  "one leader per leader epoch",
  "the leader's high watermark never goes back within a leader epoch",
  "an idempotent producer's record is appended once",
  "an idempotent producer's record is where it was acknowledged",
]);

/**
 * Seeds the test runs (with the replicated topic's traffic and checkers, about 35 s on a two-core
 * machine shared with other work; 17 s to 30 s before them).
 */
const SEEDS = 100;
/** The invariants a controller that acknowledges before it commits breaks. */
const ACKNOWLEDGED_HISTORY_CHECKS = [
  "acknowledged changes are in the final image",
  "snapshots are prefixes of the history",
];

/**
 * The planted early acknowledgement is first caught at seed 66 (a snapshot of never-committed records;
 * then 183, 238, ...); the test allows this many. Faster commits to followers (the Raft leader answers
 * held fetches when its high watermark moves) leave the bug only a narrow window.
 */
const PLANTED_BUG_SEEDS_MAX = 80;

/**
 * Frequent crashes and isolations under a busy workload over slow links: leaders often lose office
 * mid-request. The slow links widen the moment between a leader's append and its commit, which is all
 * the planted early acknowledgement needs (followers now fetch a commit within a round trip, and a
 * forward still unanswered when leadership moves goes to the new leader, which closes most others).
 */
function leaderTrouble(options: ClusterSimOptions): ClusterSimOptions {
  return {
    ...options,
    network: { minLatencyMs: 10, maxLatencyMs: 40 },
    faults: {
      ...options.faults,
      crashIntervalMs: 2_000,
      partitionIntervalMs: 1_500,
      isolateProbability: 0.8,
    },
    workload: { ...options.workload, workers: 3, thinkTimeMs: 20 },
    // The metadata checkers are under test: no produce or fetch traffic to slow the seeds down.
    replication: { ...options.replication, producers: [], consumers: 0 },
  };
}

Deno.test(`the cluster simulation passes ${SEEDS} seeds with every fault and every invariant`, async () => {
  const started = performance.now();
  const failures: string[] = [];
  const totals = {
    powerLosses: 0,
    processKills: 0,
    partitions: 0,
    resets: 0,
    pauses: 0,
    controllerChanges: 0,
    snapshotsLoaded: 0,
    acknowledged: 0,
    diskLosses: 0,
    acknowledgedAcksAll: 0,
    acknowledgedAcksOne: 0,
    consumedBatches: 0,
    excusedOverwrites: 0,
  };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const result = await runClusterSeed(seed);
    if (result.violation !== null) failures.push(`seed ${seed}: ${result.violation.message}`);
    const { faults, workload } = result.stats;
    totals.powerLosses += faults.powerLosses;
    totals.processKills += faults.processKills;
    totals.partitions += faults.isolations + faults.partitions;
    totals.resets += faults.resets;
    totals.pauses += faults.pauses;
    totals.controllerChanges += result.stats.controllerNodes - 1;
    totals.snapshotsLoaded += result.stats.snapshotsLoaded;
    totals.acknowledged += workload.acknowledged;
    const replication = result.stats.replication;
    totals.diskLosses += faults.diskLosses;
    totals.acknowledgedAcksAll += replication.acknowledgedAll;
    totals.acknowledgedAcksOne += replication.acknowledgedOne;
    totals.consumedBatches += replication.consumedBatches;
    totals.excusedOverwrites += replication.excusedOverwrites;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${SEEDS} seeds in ${seconds.toFixed(1)} s (${(SEEDS / seconds * 60).toFixed(0)} per minute): ` +
      JSON.stringify(totals),
  );
  assert.deepEqual(failures, []);
  for (const [fault, count] of Object.entries(totals)) assert.ok(count > 0, `no ${fault} across the seeds`);
});

Deno.test(
  `a controller acknowledging CreateTopics before it commits is caught within ${PLANTED_BUG_SEEDS_MAX} seeds`,
  async () => {
    for (let seed = 1; seed <= PLANTED_BUG_SEEDS_MAX; seed++) {
      const result = await runClusterSeed(seed, {
        bugs: { acknowledgeCreateBeforeCommit: true },
        adjust: leaderTrouble,
      });
      if (result.violation === null) continue;
      console.log(`caught at seed ${seed}: ${result.violation.message.slice(0, 300)}`);
      // Other checkers may notice the bug's side effects first (a retried create decided against an
      // image that lacks the first one); only the checkers of what was acknowledged and committed count
      // here: a lost acknowledged change, or a snapshot of the early-applied, never committed, records.
      if (ACKNOWLEDGED_HISTORY_CHECKS.includes(result.violation.invariant)) return;
    }
    assert.fail(`the planted bug survived ${PLANTED_BUG_SEEDS_MAX} seeds`);
  },
);

Deno.test("a replica truncating to its high watermark on becoming follower (KAFKA-1211) is caught at seed 4", async () => {
  // The other planted replication bugs and the seeds that catch them: see sim/faults/replication_planted_bugs.ts.
  const result = await runClusterSeed(4, { bugs: { replication: "truncate-to-high-watermark" } });
  assert.ok(result.violation !== null, "the planted bug survived seed 4");
  assert.ok(REPLICATION_INVARIANTS.has(result.violation.invariant), result.violation.message);
  const clean = await runClusterSeed(4);
  assert.equal(clean.violation, null);
});

Deno.test("a follower cutting its log once at the leader's first answer (KIP-279) is caught at seed 41", async () => {
  // Seeds 9 and 27 catch it first, by the logs that never converge and by replicas differing below the high
  // watermark; seed 41 is the first where two replicas hold different records at a committed offset.
  const result = await runClusterSeed(41, { bugs: { replication: "diverge-after-fast-leader-changes" } });
  assert.ok(result.violation !== null, "the planted bug survived seed 41");
  assert.equal(
    result.violation.invariant,
    "replicas agree on every committed offset",
    result.violation.message,
  );
  const clean = await runClusterSeed(41);
  assert.equal(clean.violation, null);
});

Deno.test("an ISR join that ignores the broker epoch (KIP-903) is caught at seed 19", async () => {
  const result = await runClusterSeed(19, { bugs: { replication: "stale-broker-epoch" } });
  assert.ok(result.violation !== null, "the planted bug survived seed 19");
  assert.equal(
    result.violation.invariant,
    "every ISR member holds every committed record",
    result.violation.message,
  );
  const clean = await runClusterSeed(19);
  assert.equal(clean.violation, null);
});

Deno.test("a seed replays exactly: the same events, the same log, the same outcome", async () => {
  // Seed 5 draws every kind of fault: power losses, killed processes, isolations, cut links, resets, pauses.
  const first = await runClusterSeed(5);
  const second = await runClusterSeed(5);
  assert.equal(first.violation, null);
  // Disk losses come with a third of the seeds' power losses only; the sweep above counts them.
  const { diskLosses: _diskLosses, ...faults } = first.stats.faults;
  assert.ok(Object.values(faults).every((count) => count > 0), JSON.stringify(first.stats.faults));
  assert.equal(second.events, first.events);
  assert.equal(second.virtualMs, first.virtualMs);
  assert.equal(second.fingerprint, first.fingerprint);
  assert.deepEqual(second.stats, first.stats);
  assert.equal(summarizeRun(second), summarizeRun(first));
  assert.deepEqual(second.cluster.log.lines(), first.cluster.log.lines());
});
