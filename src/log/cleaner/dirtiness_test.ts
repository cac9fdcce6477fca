import assert from "node:assert/strict";
import { ManualClock, MemoryDisk } from "../../io/sim/mod.ts";
import type { PartitionLog } from "../partition_log.ts";
import { appendRecords, compactConfig, openTestLog } from "./_cleaner_test_support.ts";
import {
  chooseFilthiest,
  cleanableOffsets,
  firstBatchTimestamp,
  inactiveSegmentsFrom,
  maxCompactionDelayMs,
  measureLog,
  segmentsBetween,
} from "./dirtiness.ts";

/** A log of several segments; returns it with the base offsets of its segments. */
function logWithSegments(clock: ManualClock): { log: PartitionLog; bases: number[] } {
  const log = openTestLog(new MemoryDisk(), clock, { segmentBytes: 600 });
  for (let round = 0; round < 30; round++) {
    appendRecords(log, clock, [{ key: `k${round % 3}`, value: `v${round}-${"z".repeat(100)}` }]);
    clock.advance(1000);
  }
  return { log, bases: log.segmentBaseOffsets() };
}

Deno.test("segmentsBetween gives the segments that may hold offsets in a range, as Kafka's logSegments", () => {
  const { log, bases } = logWithSegments(new ManualClock());
  const segments = log.segments();
  assert.ok(bases.length >= 5, `${bases}`);
  const names = (from: number, to: number) => segmentsBetween(segments, from, to).map((s) => s.baseOffset);
  assert.deepEqual(names(-1, bases[2]!), bases.slice(0, 2));
  assert.deepEqual(names(bases[1]! + 1, bases[3]!), [bases[1], bases[2]]);
  assert.deepEqual(names(bases[2]!, bases[2]!), [], "an empty range has no segments");
  assert.deepEqual(inactiveSegmentsFrom(segments, bases[1]!).map((s) => s.baseOffset), bases.slice(1, -1));
});

Deno.test("the first dirty offset comes from the checkpoint, reset to the log start when impossible", () => {
  const clock = new ManualClock();
  const { log, bases } = logWithSegments(clock);
  const inputs = { nowMs: clock.now, config: compactConfig(), lastStableOffset: log.logEndOffset };
  assert.deepEqual(cleanableOffsets(log, { ...inputs, checkpoint: undefined }), {
    firstDirtyOffset: 0,
    uncleanableOffset: bases.at(-1)!,
    forceUpdateCheckpoint: false,
  });
  assert.equal(cleanableOffsets(log, { ...inputs, checkpoint: 7 }).firstDirtyOffset, 7);
  const beyond = cleanableOffsets(log, { ...inputs, checkpoint: log.logEndOffset + 5 });
  assert.equal(beyond.firstDirtyOffset, 0);
  assert.ok(beyond.forceUpdateCheckpoint);
  const unstable = cleanableOffsets(log, { ...inputs, checkpoint: 0, lastStableOffset: 5 });
  assert.equal(unstable.uncleanableOffset, 5, "nothing at or past the last stable offset");
  // Rounded down to a segment base for the round.
  const measured = measureLog(log, { ...inputs, checkpoint: 0, lastStableOffset: bases[2]! + 1 });
  assert.equal(measured.firstUncleanableOffset, bases[2]);
});

Deno.test("min.compaction.lag.ms makes the first young segment uncleanable", () => {
  const clock = new ManualClock();
  const { log, bases } = logWithSegments(clock);
  const newest = log.segments().at(-2)!.maxTimestampAndOffset.timestamp;
  const config = compactConfig({ minCompactionLagMs: clock.now - newest + 1 });
  const offsets = cleanableOffsets(log, {
    checkpoint: 0,
    nowMs: clock.now,
    config,
    lastStableOffset: log.logEndOffset,
  });
  assert.equal(offsets.uncleanableOffset, bases.at(-2));
});

Deno.test("max.compaction.lag.ms reports how overdue the oldest dirty segment is", () => {
  const clock = new ManualClock();
  const { log } = logWithSegments(clock);
  const firstTimestamp = firstBatchTimestamp(log.segments()[0]!);
  const inputs = { checkpoint: 0, nowMs: clock.now, lastStableOffset: log.logEndOffset };
  assert.equal(maxCompactionDelayMs(log, 0, { ...inputs, config: compactConfig() }), 0);
  const lag = 10_000;
  const delay = maxCompactionDelayMs(log, 0, {
    ...inputs,
    config: compactConfig({ maxCompactionLagMs: lag }),
  });
  assert.equal(delay, clock.now - lag - firstTimestamp);
});

Deno.test("the filthiest log past its ratio is chosen, or an overdue one", () => {
  const clock = new ManualClock();
  const { log } = logWithSegments(clock);
  const measured = measureLog(log, {
    checkpoint: 0,
    nowMs: clock.now,
    config: compactConfig(),
    lastStableOffset: log.logEndOffset,
  });
  assert.equal(measured.cleanableRatio, 1);
  const low = { ...measured, cleanableRatio: 0.3 };
  const high = { ...measured, cleanableRatio: 0.6 };
  assert.equal(
    chooseFilthiest([{ measured: low, config: compactConfig() }, {
      measured: high,
      config: compactConfig(),
    }]),
    high,
  );
  assert.equal(
    chooseFilthiest([{ measured: low, config: compactConfig({ minCleanableDirtyRatio: 0.5 }) }]),
    null,
  );
  assert.equal(
    chooseFilthiest([{
      measured: { ...low, needCompactionNow: true },
      config: compactConfig({ minCleanableDirtyRatio: 0.5 }),
    }])
      ?.cleanableRatio,
    0.3,
  );
  assert.equal(chooseFilthiest([{ measured: { ...high, totalBytes: 0 }, config: compactConfig() }]), null);
});
