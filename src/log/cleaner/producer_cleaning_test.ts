import assert from "node:assert/strict";
import { buildBatch, Compression, ControlRecordType, isControl, lastOffset } from "../../protocol/mod.ts";
import { ManualClock, MemoryDisk } from "../../io/sim/mod.ts";
import type { PartitionLog } from "../partition_log.ts";
import {
  appendRecords,
  assertLogValid,
  cleanUntilIdle,
  compactConfig,
  openTestLog,
  readLog,
  tableOf,
  TEST_DIRECTORY,
  type TextRecord,
} from "./_cleaner_test_support.ts";
import { deleteHorizonOf } from "./batch_filter.ts";
import { LogCleaner } from "./log_cleaner.ts";

function newCleaner(disk: MemoryDisk, clock: ManualClock): LogCleaner {
  return new LogCleaner({ disk, clock, logDirectory: TEST_DIRECTORY, dedupeBufferBytes: 1 << 20 });
}

/** Enough plain updates of other keys to roll a few segments. */
function filler(log: PartitionLog, clock: ManualClock, prefix: string, rounds = 40): TextRecord[] {
  const all: TextRecord[] = [];
  for (let round = 0; round < rounds; round++) {
    const records = [0, 1, 2].map((index) => ({
      key: `${prefix}-${index}`,
      value: `${round}-${"f".repeat(60)}`,
    }));
    appendRecords(log, clock, records);
    all.push(...records);
  }
  return all;
}

function appendMarker(
  log: PartitionLog,
  clock: ManualClock,
  producerId: number,
  type: ControlRecordType,
): number {
  const batch = buildBatch({
    records: [{
      timestamp: clock.now,
      key: new Uint8Array([0, 0, 0, type]),
      value: new Uint8Array([0, 0, 0, 0, 0, 7]),
    }],
    isControl: true,
    isTransactional: true,
    producerId,
    producerEpoch: 0,
  });
  const result = log.append(batch, { leaderEpoch: 3, nowMs: clock.now, origin: "coordinator" });
  assert.equal(result.errorCode, 0, result.errorMessage ?? "");
  return result.baseOffset;
}

/** Data records as a read_committed consumer sees them: no control batches, no aborted data. */
function committedTable(log: PartitionLog, aborted: Set<number>): Map<string, string> {
  const records = readLog(log)
    .filter((batch) => !isControl(batch.header.attributes))
    .flatMap((batch) => batch.records)
    .filter((record) => !aborted.has(record.offset));
  return tableOf(records);
}

Deno.test("an idempotent producer's last batch survives cleaning, even emptied, and its sequence continues", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const producer = { producerId: 1000, producerEpoch: 0 };
  let sequence = 0;
  for (let round = 0; round < 10; round++) {
    appendRecords(log, clock, [{ key: "p-0", value: `${round}` }, { key: "p-1", value: `${round}` }], {
      ...producer,
      baseSequence: sequence,
      compression: Compression.Lz4,
    });
    sequence += 2;
  }
  const lastBatchOffset = log.logEndOffset - 1;
  // Later plain writes supersede every key the producer wrote.
  appendRecords(log, clock, [{ key: "p-0", value: "plain" }, { key: "p-1", value: "plain" }]);
  filler(log, clock, "other");
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => compactConfig() });
  cleanUntilIdle(cleaner);
  const producerBatches = readLog(log).filter((batch) => batch.header.producerId === 1000);
  assert.equal(producerBatches.length, 1, "only the producer's last batch is left");
  const kept = producerBatches[0]!;
  assert.equal(lastOffset(kept.header), lastBatchOffset);
  assert.equal(kept.records.length, 0, "emptied: its records were superseded");
  assert.equal(kept.header.baseSequence, 18);
  assert.equal(kept.header.lastOffsetDelta, 1);
  assertLogValid(disk, log);

  const retry = log.append(
    buildBatch({
      records: [{ timestamp: clock.now, key: new Uint8Array([1]), value: null }, {
        timestamp: clock.now,
        key: new Uint8Array([2]),
        value: null,
      }],
      ...producer,
      baseSequence: 18,
    }),
    { leaderEpoch: 3, nowMs: clock.now },
  );
  assert.ok(retry.duplicate, "a retry of the last batch is still recognised");
  log.close();
  const reopened = openTestLog(disk, clock, {}, { hadCleanShutdown: false });
  appendRecords(reopened, clock, [{ key: "p-0", value: "next" }], { ...producer, baseSequence: 20 });
  assert.equal(reopened.producerState.lastEntry(1000)?.batches.at(-1)?.lastSequence, 20);
});

Deno.test("aborted transactions' data is removed and markers go once their transaction is empty", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const aborted = new Set<number>();
  const transactional = { producerId: 2000, producerEpoch: 0, isTransactional: true };
  const abortedBase = appendRecords(log, clock, [{ key: "t-1", value: "aborted" }, {
    key: "t-2",
    value: "aborted",
  }], {
    ...transactional,
    baseSequence: 0,
  });
  aborted.add(abortedBase).add(abortedBase + 1);
  const abortMarker = appendMarker(log, clock, 2000, ControlRecordType.Abort);
  appendRecords(log, clock, [{ key: "t-1", value: "committed" }], { ...transactional, baseSequence: 2 });
  const commitMarker = appendMarker(log, clock, 2000, ControlRecordType.Commit);
  filler(log, clock, "a");
  const expected = committedTable(log, aborted);
  assert.equal(expected.get("t-1"), "committed");
  assert.equal(expected.has("t-2"), false);

  const cleaner = new LogCleaner({
    disk,
    clock,
    logDirectory: TEST_DIRECTORY,
    dedupeBufferBytes: 1 << 20,
  });
  cleaner.register(log, { config: () => compactConfig({ deleteRetentionMs: 1000 }) });
  cleanUntilIdle(cleaner);
  const offsets = () => readLog(log).flatMap((batch) => batch.records.map((record) => record.offset));
  assert.ok(!offsets().includes(abortedBase) && !offsets().includes(abortedBase + 1), "aborted data is gone");
  assert.ok(offsets().includes(abortMarker), "the abort marker stays while its data was seen this round");
  assert.ok(offsets().includes(commitMarker), "the commit marker stays with its data");
  assert.deepEqual(committedTable(log, aborted), expected);

  // Second round: the aborted transaction has no data left; its marker gets a delete horizon.
  filler(log, clock, "b");
  cleanUntilIdle(cleaner);
  const markerBatch = readLog(log).find((batch) => lastOffset(batch.header) === abortMarker)!;
  assert.equal(deleteHorizonOf(markerBatch.header), clock.now + 1000);

  // Past the horizon the marker goes.
  clock.advance(1001);
  filler(log, clock, "c");
  cleanUntilIdle(cleaner);
  assert.ok(!offsets().includes(abortMarker), "the abort marker is removed after delete.retention.ms");
  const table = committedTable(log, aborted);
  assert.equal(table.get("t-1"), "committed");
  assert.equal(table.has("t-2"), false);
  assert.equal(table.size, 1 + 3 * 3, "t-1 and the three keys of each filler");
  assertLogValid(disk, log);
});

Deno.test("an open transaction stops cleaning at its first offset", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  filler(log, clock, "before");
  const openTransaction = appendRecords(log, clock, [{ key: "x", value: "pending" }], {
    producerId: 3000,
    producerEpoch: 0,
    baseSequence: 0,
    isTransactional: true,
  });
  filler(log, clock, "after");
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => compactConfig() });
  cleanUntilIdle(cleaner);
  assert.ok(cleaner.firstDirtyOffset(log)! <= openTransaction);
  const afterRecords = readLog(log).flatMap((batch) => batch.records).filter((record) =>
    record.offset > openTransaction
  );
  assert.equal(afterRecords.length, 120, "nothing after the open transaction was cleaned");
});
