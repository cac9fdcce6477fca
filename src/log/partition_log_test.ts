import assert from "node:assert/strict";
import { readBatchHeader, scanBatches } from "../protocol/mod.ts";
import { buildBatch, buildSimpleBatch, concatBytes } from "./_batch_builder_test_support.ts";
import { ManualClock, MemoryDisk } from "../io/sim/mod.ts";
import type { LogConfig } from "./log_config.ts";
import { LogErrorCode, OffsetOutOfRangeError } from "./log_errors.ts";
import {
  EARLIEST_TIMESTAMP,
  InconsistentTopicIdError,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
  PartitionLog,
  type PartitionLogOptions,
} from "./partition_log.ts";

const DIRECTORY = "/data/orders-3";

function openLog(
  disk: MemoryDisk,
  clock: ManualClock,
  config: Partial<LogConfig> = {},
  options: Partial<PartitionLogOptions> = {},
): PartitionLog {
  return PartitionLog.open({
    disk,
    clock,
    directory: DIRECTORY,
    topic: "orders",
    partition: 3,
    config: { segmentBytes: 2000, indexIntervalBytes: 200, ...config },
    ...options,
  });
}

/** Appends `count` batches of 4 records; returns the base offsets given. */
function appendBatches(log: PartitionLog, clock: ManualClock, count: number, leaderEpoch = 0): number[] {
  const offsets: number[] = [];
  for (let index = 0; index < count; index++) {
    const batch = buildSimpleBatch(4, { baseTimestamp: clock.now, prefix: `m${log.logEndOffset}` });
    const result = log.append(batch, { leaderEpoch, nowMs: clock.now });
    assert.equal(result.errorCode, 0, result.errorMessage ?? "");
    offsets.push(result.baseOffset);
    clock.advance(10);
  }
  return offsets;
}

function offsetsIn(bytes: Uint8Array): number[] {
  return scanBatches(bytes).headers.map((header) => header.baseOffset);
}

Deno.test("partition log assigns offsets and reads them back across segment rolls", async (t) => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  const offsets = appendBatches(log, clock, 40, 7);
  assert.deepEqual(offsets, Array.from({ length: 40 }, (_, index) => index * 4));
  assert.equal(log.logEndOffset, 160);
  assert.ok(log.segmentBaseOffsets().length > 3, `${log.segmentBaseOffsets()}`);
  await t.step("every offset reads from the batch that holds it", () => {
    for (let offset = 0; offset < 160; offset++) {
      const bytes = log.read(offset, { maxBytes: 1, minOneBatch: true });
      const header = readBatchHeader(bytes);
      assert.equal(header.baseOffset, offset - (offset % 4));
      assert.equal(header.partitionLeaderEpoch, 7);
    }
  });
  await t.step("a read stops at the end of a segment and continues in the next", () => {
    const second = log.segmentBaseOffsets()[1]!;
    const bytes = log.read(second - 4, { maxBytes: 1_000_000 });
    assert.deepEqual(offsetsIn(bytes), [second - 4]);
    assert.deepEqual(offsetsIn(log.read(second, { maxBytes: 200 })).length, 1);
  });
  await t.step("maxOffset (the high watermark) bounds the read", () => {
    assert.deepEqual(offsetsIn(log.read(140, { maxBytes: 1_000_000, maxOffset: 152 })), [140, 144, 148]);
    assert.equal(log.read(152, { maxBytes: 1000, maxOffset: 152 }).length, 0);
  });
  await t.step("the log end reads empty; outside the log is OffsetOutOfRange", () => {
    assert.equal(log.read(160, { maxBytes: 1000 }).length, 0);
    assert.throws(() => log.read(161, { maxBytes: 1000 }), OffsetOutOfRangeError);
    assert.throws(() => log.read(-1, { maxBytes: 1000 }), OffsetOutOfRangeError);
  });
});

Deno.test("partition log appends a produce payload of several batches as one write", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  const payload = concatBytes([buildSimpleBatch(2), buildSimpleBatch(3), buildSimpleBatch(1)]);
  const result = log.append(payload, { leaderEpoch: 0, nowMs: clock.now });
  assert.equal(result.baseOffset, 0);
  assert.equal(result.lastOffset, 5);
  assert.deepEqual(offsetsIn(log.read(0, { maxBytes: 10_000 })), [0, 2, 5]);
  assert.equal(
    log.append(payload.subarray(0, payload.length - 3), { leaderEpoch: 0, nowMs: clock.now }).errorCode,
    2,
  );
});

Deno.test("partition log reopens after a clean close with nothing to recover", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 30);
  const segments = log.segmentBaseOffsets();
  log.close();
  disk.readCount = 0;
  const reopened = openLog(disk, clock, {}, { hadCleanShutdown: true, recoveryPoint: 0 });
  assert.deepEqual(reopened.segmentBaseOffsets(), segments);
  assert.equal(reopened.logEndOffset, 120);
  assert.equal(reopened.recoveryPoint, 120);
  assert.ok(disk.readCount < 20, `a clean open read ${disk.readCount} times`);
  assert.equal(readBatchHeader(reopened.read(117, { maxBytes: 1000 })).baseOffset, 116);
});

Deno.test("partition log recovery truncates a torn tail after a crash", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 30);
  const active = log.segmentBaseOffsets().at(-1)!;
  const activePath = `${DIRECTORY}/${String(active).padStart(20, "0")}.log`;
  disk.truncateFile(activePath, disk.fileSize(activePath) - 7);
  const reopened = openLog(disk, clock, {}, { recoveryPoint: log.recoveryPoint });
  assert.equal(reopened.logEndOffset, 116);
  assert.equal(reopened.recoveryPoint, Math.min(log.recoveryPoint, 116));
  const result = reopened.append(buildSimpleBatch(1), { leaderEpoch: 0, nowMs: clock.now });
  assert.equal(result.baseOffset, 116);
});

Deno.test("partition log recovery cuts at a corrupt batch and drops later segments", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 30);
  const [, second, third] = log.segmentBaseOffsets();
  const path = `${DIRECTORY}/${String(second).padStart(20, "0")}.log`;
  const batchSize = readBatchHeader(disk.readFile(path)!).batchLength + 12;
  disk.corruptByte(path, batchSize + 80);
  const reopened = openLog(disk, clock, {}, { recoveryPoint: 0 });
  assert.equal(reopened.logEndOffset, second! + 4);
  assert.deepEqual(reopened.segmentBaseOffsets().slice(-1), [second]);
  assert.equal(disk.exists(`${DIRECTORY}/${String(third).padStart(20, "0")}.log`), false);
});

Deno.test("partition log rebuilds deleted index files even below the recovery point", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 30);
  log.close();
  const indexes = disk.list(DIRECTORY).filter((name) => name.endsWith("index"));
  const before = indexes.map((name) => disk.readFile(`${DIRECTORY}/${name}`));
  for (const name of indexes) disk.remove(`${DIRECTORY}/${name}`);
  const reopened = openLog(disk, clock, {}, { hadCleanShutdown: true });
  assert.deepEqual(indexes.map((name) => disk.readFile(`${DIRECTORY}/${name}`)), before);
  assert.equal(reopened.logEndOffset, 120);
});

Deno.test("partition log finds offsets by timestamp, including KIP-734's max timestamp", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock(1_000_000);
  const log = openLog(disk, clock);
  appendBatches(log, clock, 30, 2);
  const late = buildBatch([{ value: "x" }, { value: "late", timestampDelta: 50_000 }, { value: "y" }], {
    baseTimestamp: clock.now,
  });
  log.append(late, { leaderEpoch: 3, nowMs: clock.now });
  appendBatches(log, clock, 5, 3);
  assert.deepEqual(log.offsetForTimestamp(1_000_000 + 55), {
    timestamp: 1_000_000 + 60,
    offset: 24,
    leaderEpoch: 2,
  });
  assert.deepEqual(log.offsetForTimestamp(1_000_000 + 62), {
    timestamp: 1_000_000 + 62,
    offset: 26,
    leaderEpoch: 2,
  });
  assert.equal(log.offsetForTimestamp(9_999_999), null);
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP), {
    timestamp: 1_000_300 + 50_000,
    offset: 121,
    leaderEpoch: 3,
  });
  assert.deepEqual(log.offsetForTimestamp(EARLIEST_TIMESTAMP), { timestamp: -1, offset: 0, leaderEpoch: 2 });
  assert.deepEqual(log.offsetForTimestamp(LATEST_TIMESTAMP), { timestamp: -1, offset: 143, leaderEpoch: 3 });
  log.close();
  const reopened = openLog(disk, clock, {}, { hadCleanShutdown: true });
  assert.deepEqual(reopened.maxTimestampOffset(), {
    timestamp: 1_000_300 + 50_000,
    offset: 121,
    leaderEpoch: 3,
  });
});

Deno.test("partition log writes leader epochs to leader-epoch-checkpoint and answers OffsetForLeaderEpoch", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 2, 1);
  appendBatches(log, clock, 3, 4);
  appendBatches(log, clock, 1, 6);
  assert.equal(
    new TextDecoder().decode(disk.readFile(`${DIRECTORY}/leader-epoch-checkpoint`)!),
    "0\n3\n1 0\n4 8\n6 20\n",
  );
  assert.deepEqual(log.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 8 });
  assert.deepEqual(log.endOffsetForEpoch(3), { leaderEpoch: 1, endOffset: 8 });
  assert.deepEqual(log.endOffsetForEpoch(4), { leaderEpoch: 4, endOffset: 20 });
  assert.deepEqual(log.endOffsetForEpoch(6), { leaderEpoch: 6, endOffset: 24 });
  assert.deepEqual(log.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: 0 });
  assert.deepEqual(log.endOffsetForEpoch(9), { leaderEpoch: -1, endOffset: -1 });
  assert.equal(log.epochForOffset(10), 4);
  log.truncateTo(10);
  assert.equal(log.logEndOffset, 10);
  assert.deepEqual(log.leaderEpochCache.entries(), [{ epoch: 1, startOffset: 0 }, {
    epoch: 4,
    startOffset: 8,
  }]);
  assert.equal(log.append(buildSimpleBatch(1), { leaderEpoch: 4, nowMs: clock.now }).baseOffset, 8 + 2 + 0);
});

Deno.test("truncating at the log end drops an epoch that starts there with nothing in it (as Kafka's truncateTo)", () => {
  // Found by the cluster simulator (seed 4): a replica that led epoch 1 without appending kept the
  // empty epoch, sent it as its last fetched epoch, and its leader (which never had it) answered
  // every fetch with the same divergence: the follower never caught up again.
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 3, 0);
  log.assignEpochStartOffset(1, log.logEndOffset);
  assert.equal(log.latestEpoch, 1);
  assert.equal(log.truncateTo(log.logEndOffset), false);
  assert.equal(log.latestEpoch, 0);
  assert.deepEqual(log.leaderEpochCache.entries(), [{ epoch: 0, startOffset: 0 }]);
  assert.equal(
    new TextDecoder().decode(disk.readFile(`${DIRECTORY}/leader-epoch-checkpoint`)!),
    "0\n1\n0 0\n",
  );
});

Deno.test("partition log truncation and log start moves keep its files consistent", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 60);
  const segments = log.segmentBaseOffsets();
  assert.ok(segments.length >= 5);
  log.advanceLogStartOffset(segments[2]! + 1);
  assert.equal(log.logStartOffset, segments[2]! + 1);
  assert.deepEqual(log.segmentBaseOffsets(), segments, "segments wait for the retention check");
  assert.equal(log.deleteOldSegments(clock.now), 2);
  assert.deepEqual(log.segmentBaseOffsets(), segments.slice(2));
  assert.throws(() => log.read(segments[2]!, { maxBytes: 100 }), OffsetOutOfRangeError);
  log.truncateTo(segments[3]! + 4);
  assert.equal(log.logEndOffset, segments[3]! + 4);
  assert.deepEqual(offsetsIn(log.read(segments[3]!, { maxBytes: 100_000 })), [segments[3]]);
  assert.deepEqual(log.segmentBaseOffsets(), segments.slice(2, 4));
  log.truncateFullyAndStartAt(500);
  assert.deepEqual(log.segmentBaseOffsets(), [500]);
  assert.equal(log.append(buildSimpleBatch(1), { leaderEpoch: 0, nowMs: clock.now }).baseOffset, 500);
  assert.deepEqual(disk.list(DIRECTORY).filter((name) => name.endsWith(".log")), [
    "00000000000000000500.log",
  ]);
});

Deno.test("partition log flushes per flush.messages and on roll", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock, { flushMessages: 8 });
  appendBatches(log, clock, 1);
  assert.equal(log.recoveryPoint, 0);
  appendBatches(log, clock, 1);
  assert.equal(log.recoveryPoint, 8);
  const unflushedByRoll = openLog(new MemoryDisk(), clock);
  appendBatches(unflushedByRoll, clock, 30);
  assert.equal(unflushedByRoll.recoveryPoint, unflushedByRoll.segmentBaseOffsets().at(-1));
  unflushedByRoll.maybeFlush(clock.now);
  assert.equal(unflushedByRoll.recoveryPoint, unflushedByRoll.segmentBaseOffsets().at(-1));
  const openedAt = clock.now;
  const byTime = openLog(new MemoryDisk(), clock, { flushMs: 1000 });
  appendBatches(byTime, clock, 1);
  byTime.maybeFlush(openedAt + 999);
  assert.equal(byTime.recoveryPoint, 0);
  byTime.maybeFlush(openedAt + 1000);
  assert.equal(byTime.recoveryPoint, 4);
});

Deno.test("partition log rolls on segment.ms from the first batch's timestamp", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock, { segmentBytes: 1_000_000, segmentMs: 60_000 });
  appendBatches(log, clock, 3);
  assert.deepEqual(log.segmentBaseOffsets(), [0]);
  clock.advance(60_000);
  appendBatches(log, clock, 1);
  assert.deepEqual(log.segmentBaseOffsets(), [0, 12]);
});

Deno.test("partition log refuses a payload larger than a segment", () => {
  const log = openLog(new MemoryDisk(), new ManualClock(), { segmentBytes: 300 });
  const result = log.append(buildSimpleBatch(20), { leaderEpoch: 0, nowMs: 0 });
  assert.equal(result.errorCode, LogErrorCode.RECORD_LIST_TOO_LARGE);
  assert.equal(log.logEndOffset, 0);
});

Deno.test("partition log records its topic id in partition.metadata", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const topicId = new Uint8Array(16).map((_, index) => index + 1);
  openLog(disk, clock, {}, { topicId }).close();
  const text = new TextDecoder().decode(disk.readFile(`${DIRECTORY}/partition.metadata`)!);
  assert.equal(text, "version: 0\ntopic_id: AQIDBAUGBwgJCgsMDQ4PEA");
  assert.deepEqual(openLog(disk, clock).topicId, topicId);
  assert.throws(
    () => openLog(disk, clock, {}, { topicId: new Uint8Array(16).fill(9) }),
    InconsistentTopicIdError,
  );
});

Deno.test("partition log appends a follower's batches with the leader's offsets", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  const batches = concatBytes([
    buildSimpleBatch(3, { baseOffset: 0, partitionLeaderEpoch: 5 }),
    buildSimpleBatch(2, { baseOffset: 10, partitionLeaderEpoch: 6 }),
  ]);
  const result = log.appendAsFollower(batches, clock.now);
  assert.equal(result.lastOffset, 11);
  assert.equal(log.logEndOffset, 12);
  assert.deepEqual(log.leaderEpochCache.entries(), [{ epoch: 5, startOffset: 0 }, {
    epoch: 6,
    startOffset: 10,
  }]);
  assert.deepEqual(offsetsIn(log.read(5, { maxBytes: 10_000 })), [10]);
  assert.throws(() => log.appendAsFollower(buildSimpleBatch(1, { baseOffset: 11 }), clock.now), RangeError);
});

Deno.test("partition log finishes a compaction swap interrupted by a crash", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 30);
  const [first, second, third] = log.segmentBaseOffsets().map((offset) =>
    `${DIRECTORY}/${String(offset).padStart(20, "0")}`
  );
  log.close();
  // The cleaner merged the first two segments into one swap file, then the broker died.
  const merged = concatBytes([disk.readFile(`${first}.log`)!, disk.readFile(`${second}.log`)!]);
  disk.writeFileAtomic(`${first}.log.swap`, merged);
  disk.writeFileAtomic(`${first}.index.swap`, new Uint8Array(0));
  disk.writeFileAtomic(`${third}.log.cleaned`, new Uint8Array(10));
  disk.writeFileAtomic(`${first}.log.deleted`, new Uint8Array(10));
  const reopened = openLog(disk, clock, {}, { hadCleanShutdown: true });
  assert.deepEqual(reopened.segmentBaseOffsets(), [0, Number(third!.slice(-20))]);
  assert.deepEqual(disk.readFile(`${first}.log`), merged);
  assert.ok(disk.list(DIRECTORY).every((name) => !/\.(swap|cleaned|deleted)$/.test(name)));
  assert.equal(reopened.logEndOffset, 120);
  assert.equal(
    readBatchHeader(reopened.read(Number(second!.slice(-20)), { maxBytes: 1000 })).baseOffset,
    Number(second!.slice(-20)),
  );
});
