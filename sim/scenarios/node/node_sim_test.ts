import assert from "node:assert/strict";
import { type RunResult, runSeed, type RunStats } from "./run.ts";
import { changeFirstValue, dropMiddleBatch } from "../../faults/node_test_faults.ts";

/**
 * Seeds chosen to cover, between them: power losses with torn and garbage
 * writes, with log.flush.interval.messages=1 and without; killed processes;
 * lost answers that idempotent producers retry (deduplication); refused
 * sequences after power losses (new producer ids); acks=0; long polls; small
 * segments that roll often; retention deleting segments; and a run without crashes.
 */
const SEEDS = [3, 5, 26, 47, 52, 60];

function explain(result: RunResult): string {
  if (result.violation === null) return "passed";
  const lines: string[] = [];
  result.cluster.printLog((line) => lines.push(line));
  return `seed ${result.seed}: ${result.violation.message}\n${lines.slice(-80).join("\n")}`;
}

Deno.test("the fixed seeds keep every invariant and together cover crashes of both kinds and deduplication", async (t) => {
  const totals: RunStats[] = [];
  for (const seed of SEEDS) {
    await t.step(`seed ${seed}`, async () => {
      const result = await runSeed(seed);
      assert.equal(result.violation, null, explain(result));
      assert.ok(result.stats.batchesAcknowledged > 0, "producers got acknowledgements");
      assert.ok(result.stats.recordsFetched > 0, "consumers read records");
      totals.push(result.stats);
    });
  }
  const sum = (value: (stats: RunStats) => number) =>
    totals.reduce((total, stats) => total + value(stats), 0);
  assert.ok(sum((stats) => stats.crashes["power-loss"]) > 0, "some power losses");
  assert.ok(sum((stats) => stats.crashes.process) > 0, "some killed processes");
  assert.ok(sum((stats) => stats.duplicatesAnswered) > 0, "some retries recognised as duplicates");
  assert.ok(sum((stats) => stats.requiredRecords) > 0, "records required to survive crashes");
  assert.ok(sum((stats) => stats.connectionResets) > 0, "some connection resets");
  assert.ok(sum((stats) => stats.segmentsDeleted) > 0, "retention deleted segments");
});

Deno.test("a node that keeps the client's MaxTimestamp deletes young records without timestamps, and the checker sees it", async () => {
  // librdkafka's shape (records at -1, MaxTimestamp 0) makes such a segment look 56 years old.
  for (let seed = 1; seed <= 10; seed++) {
    const bugged = await runSeed(seed, { bug: "trust-client-max-timestamp" });
    if (bugged.violation === null) continue;
    assert.equal(
      bugged.violation.invariant,
      "retention deletes only segments older than retention.ms",
      bugged.violation.message,
    );
    assert.match(bugged.violation.message, /no record has a timestamp: the file's mtime/);
    const honest = await runSeed(seed);
    assert.equal(honest.violation, null, explain(honest));
    return;
  }
  assert.fail("none of seeds 1 to 10 caught a node that trusts the client's MaxTimestamp");
});

Deno.test("a seed replays exactly", async (t) => {
  // Seed 18 has retention deleting segments, records without timestamps and steps of the node's wall clock.
  for (const seed of [26, 18]) {
    await t.step(`seed ${seed}`, async () => {
      const first = await runSeed(seed);
      const second = await runSeed(seed);
      assert.equal(first.violation, null, explain(first));
      assert.deepEqual(second.stats, first.stats);
      assert.equal(second.cluster.scheduler.fingerprint, first.cluster.scheduler.fingerprint);
      assert.deepEqual(second.cluster.log.lines(), first.cluster.log.lines());
    });
  }
});

Deno.test("a fetch answer missing a batch breaks dense offsets", async () => {
  const result = await runSeed(52, { faults: { tamperFetch: dropMiddleBatch } });
  assert.equal(result.violation?.invariant, "offsets are dense and increasing");
});

Deno.test("a fetched record whose value changed is caught", async () => {
  const result = await runSeed(52, { faults: { tamperFetch: changeFirstValue } });
  assert.equal(result.violation?.invariant, "fetched records equal the records sent");
  assert.match(result.violation!.message, /value differs/);
});

Deno.test("a disk that ignores syncs of segment files loses acknowledged records in a power loss", async () => {
  const result = await runSeed(26, {
    faults: { segmentSyncIgnored: true },
    adjust: (options) => ({
      ...options,
      flushEveryMessage: true,
      crashes: {
        ...options.crashes,
        meanIntervalMs: 2000,
        powerLossProbability: 1,
        directoryDurability: "immediate",
      },
    }),
  });
  assert.equal(result.violation?.invariant, "durable records survive", result.violation?.message ?? "");
  assert.match(result.violation!.message, /acknowledged with log.flush.interval.messages=1/);
});

Deno.test("the same run on an honest disk passes", async () => {
  const result = await runSeed(26, {
    adjust: (options) => ({
      ...options,
      flushEveryMessage: true,
      crashes: {
        ...options.crashes,
        meanIntervalMs: 2000,
        powerLossProbability: 1,
        directoryDurability: "immediate",
      },
    }),
  });
  assert.equal(result.violation, null, explain(result));
  assert.ok(result.stats.crashes["power-loss"] > 0);
});
