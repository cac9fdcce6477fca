import assert from "node:assert/strict";
import fc from "fast-check";
import { Compression, compressionOf, lastOffset } from "../../protocol/mod.ts";
import { ManualClock, MemoryDisk } from "../../io/sim/mod.ts";
import type { PartitionLog } from "../partition_log.ts";
import {
  appendRecords,
  assertLogValid,
  cleanUntilIdle,
  compactConfig,
  openTestLog,
  readLog,
  type ReadRecord,
  readRecords,
  tableOf,
  TEST_DIRECTORY,
  TEST_LOG_DIRECTORY,
  type TextRecord,
} from "./_cleaner_test_support.ts";
import { deleteHorizonOf } from "./batch_filter.ts";
import { CLEANER_OFFSET_CHECKPOINT_FILE } from "./cleaner_checkpoint.ts";
import type { CompactionConfig } from "./compaction_config.ts";
import { measureLog } from "./dirtiness.ts";
import { LogCleaner } from "./log_cleaner.ts";

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];

function newCleaner(disk: MemoryDisk, clock: ManualClock, memoryBytes = 1 << 20): LogCleaner {
  return new LogCleaner({ disk, clock, logDirectory: TEST_DIRECTORY, dedupeBufferBytes: memoryBytes });
}

/** A model of what was appended: the record at each offset. */
class Appended {
  readonly records = new Map<number, ReadRecord>();

  append(log: PartitionLog, clock: ManualClock, records: TextRecord[], compression = Compression.None): void {
    const base = appendRecords(log, clock, records, { compression });
    records.forEach((record, index) => {
      this.records.set(base + index, {
        offset: base + index,
        timestamp: clock.now + index,
        key: record.key,
        value: record.value,
        headers: (record.headers ?? []).map(([key, value]) => [key, value]),
      });
    });
  }

  all(): ReadRecord[] {
    return [...this.records.values()].sort((left, right) => left.offset - right.offset);
  }
}

/**
 * The properties compaction must keep: every record read back is the one
 * appended at that offset; reading the log gives every key its latest value;
 * below the first dirty offset no key appears twice; the log is valid.
 */
function assertCompactedCorrectly(
  disk: MemoryDisk,
  log: PartitionLog,
  appended: Appended,
  firstDirtyOffset: number,
): ReadRecord[] {
  assertLogValid(disk, log);
  const read = readRecords(log);
  for (const record of read) assert.deepEqual(record, appended.records.get(record.offset));
  for (let index = 1; index < read.length; index++) assert.ok(read[index]!.offset > read[index - 1]!.offset);
  assert.deepEqual(tableOf(read), tableOf(appended.all()));
  const seen = new Set<string>();
  for (const record of read) {
    if (record.offset >= firstDirtyOffset || record.key === null) continue;
    assert.ok(
      !seen.has(record.key),
      `key ${record.key} twice below the first dirty offset ${firstDirtyOffset}`,
    );
    seen.add(record.key);
  }
  return read;
}

function updates(round: number, keys: number, perBatch: number): TextRecord[] {
  return Array.from({ length: perBatch }, (_, index) => ({
    key: `key-${(round * perBatch + index) % keys}`,
    value: `value-${round}-${index}-${"x".repeat((round * 7 + index) % 40)}`,
    headers: index % 3 === 0 ? [["h", `${round}`]] : [],
  }));
}

Deno.test("compaction keeps the latest value of every key at its original offset", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const appended = new Appended();
  for (let round = 0; round < 120; round++) {
    appended.append(log, clock, updates(round, 7, 1 + (round % 4)));
    clock.advance(10);
  }
  const sizeBefore = log.sizeInBytes();
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => compactConfig() });
  cleanUntilIdle(cleaner);
  const firstDirty = cleaner.firstDirtyOffset(log)!;
  assert.equal(firstDirty, log.segments().at(-1)!.baseOffset);
  assert.ok(log.sizeInBytes() < sizeBefore / 2, `${log.sizeInBytes()} of ${sizeBefore} bytes left`);
  const read = assertCompactedCorrectly(disk, log, appended, firstDirty);
  assert.ok(read.length < appended.records.size / 3);
  assert.equal(log.logEndOffset, appended.records.size, "the log end does not move");
  const checkpoint = new TextDecoder().decode(
    disk.readFile(`${TEST_DIRECTORY}/${CLEANER_OFFSET_CHECKPOINT_FILE}`)!,
  );
  assert.equal(checkpoint, `0\n1\ntable 0 ${firstDirty}\n`);

  log.close();
  const reopened = openTestLog(disk, clock, {}, { hadCleanShutdown: false });
  assert.deepEqual(readRecords(reopened), read, "recovery reads the cleaned log as it was");
  assertLogValid(disk, reopened);
});

Deno.test("compaction re-compresses kept records with each batch's own codec", async (t) => {
  for (const codec of CODECS) {
    await t.step(`codec ${Compression[codec]}`, () => {
      const disk = new MemoryDisk();
      const clock = new ManualClock();
      const log = openTestLog(disk, clock);
      const appended = new Appended();
      for (let round = 0; round < 60; round++) {
        appended.append(log, clock, updates(round, 5, 6), CODECS[(round + codec) % CODECS.length]);
        clock.advance(10);
      }
      const codecs = new Map(
        readLog(log).map((batch) => [batch.header.baseOffset, batch.header.attributes & 7]),
      );
      const cleaner = newCleaner(disk, clock);
      cleaner.register(log, { config: () => compactConfig() });
      cleanUntilIdle(cleaner, 1000);
      assertCompactedCorrectly(disk, log, appended, cleaner.firstDirtyOffset(log)!);
      for (const batch of readLog(log)) {
        const expected = batch.records.length === 0 ? Compression.None : codecs.get(batch.header.baseOffset);
        assert.equal(compressionOf(batch.header.attributes), expected, `batch ${batch.header.baseOffset}`);
      }
    });
  }
});

Deno.test("batches keep their offsets: base offset, last offset and leader epoch survive cleaning", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  for (let round = 0; round < 50; round++) appendRecords(log, clock, updates(round, 3, 5));
  const before = new Map(readLog(log).map((batch) => [batch.header.baseOffset, batch.header]));
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => compactConfig() });
  cleanUntilIdle(cleaner);
  for (const batch of readLog(log)) {
    const original = before.get(batch.header.baseOffset);
    assert.ok(original !== undefined, `a batch starts at ${batch.header.baseOffset}, which no batch did`);
    assert.equal(lastOffset(batch.header), lastOffset(original));
    assert.equal(batch.header.partitionLeaderEpoch, 3);
  }
});

Deno.test("tombstones stay for delete.retention.ms after their first cleaning, then go", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const appended = new Appended();
  const config = compactConfig({ deleteRetentionMs: 60_000 });
  for (let round = 0; round < 30; round++) appended.append(log, clock, updates(round, 4, 4));
  appended.append(log, clock, [{ key: "key-1", value: null }, { key: "key-2", value: null }]);
  for (let round = 0; round < 30; round++) {
    appended.append(log, clock, updates(round, 2, 2).map((r) => ({ ...r, key: `other-${r.key}` })));
  }
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => config });
  cleanUntilIdle(cleaner);
  const tombstones = () =>
    readLog(log).filter((batch) => batch.records.some((record) => record.value === null));
  assert.equal(tombstones().length, 1, "the tombstones are kept");
  const horizon = deleteHorizonOf(tombstones()[0]!.header);
  assert.equal(horizon, clock.now + 60_000, "and stamped with their delete horizon");
  assert.deepEqual(tableOf(readRecords(log)), tableOf(appended.all()));

  // More updates make the log dirty again; a cleaning before the horizon keeps the tombstones.
  clock.advance(30_000);
  for (let round = 0; round < 30; round++) {
    appended.append(log, clock, updates(round, 2, 3).map((r) => ({ ...r, key: `third-${r.key}` })));
  }
  cleanUntilIdle(cleaner);
  assert.equal(tombstones().length, 1);
  assert.equal(deleteHorizonOf(tombstones()[0]!.header), horizon, "the horizon is not moved");

  clock.advance(30_001);
  for (let round = 0; round < 30; round++) {
    appended.append(log, clock, updates(round, 2, 3).map((r) => ({ ...r, key: `fourth-${r.key}` })));
  }
  cleanUntilIdle(cleaner);
  assert.equal(tombstones().length, 0, "past the horizon the tombstones are removed");
  const read = assertCompactedCorrectly(disk, log, appended, cleaner.firstDirtyOffset(log)!);
  assert.ok(!read.some((record) => record.key === "key-1" || record.key === "key-2"));
});

Deno.test("min.cleanable.dirty.ratio decides when a log is cleaned", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  let config: CompactionConfig = compactConfig({ minCleanableDirtyRatio: 0.5 });
  for (let round = 0; round < 40; round++) appendRecords(log, clock, updates(round, 4, 4));
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => config });
  cleanUntilIdle(cleaner);
  const firstDirty = cleaner.firstDirtyOffset(log)!;
  assert.ok(firstDirty > 0);
  for (let round = 0; round < 40; round++) appendRecords(log, clock, updates(round, 4, 4));
  const measured = measureLog(log, {
    checkpoint: firstDirty,
    nowMs: clock.now,
    config,
    lastStableOffset: log.logEndOffset,
  });
  assert.ok(measured.cleanBytes > 0 && measured.cleanableBytes > 0);
  assert.equal(
    measured.cleanableRatio,
    measured.cleanableBytes / (measured.cleanBytes + measured.cleanableBytes),
  );
  config = compactConfig({ minCleanableDirtyRatio: measured.cleanableRatio });
  assert.deepEqual(cleaner.cleanStep(1 << 20), { usedBytes: 0, busy: false }, "the ratio must be exceeded");
  config = compactConfig({ minCleanableDirtyRatio: measured.cleanableRatio - 0.01, compact: false });
  assert.equal(cleaner.cleanStep(1 << 20).busy, false, "cleanup.policy=delete is never compacted");
  config = { ...config, compact: true };
  assert.equal(cleaner.cleanStep(1 << 20).busy, true, "past the ratio");
  cleanUntilIdle(cleaner);
  assert.ok(cleaner.firstDirtyOffset(log)! > firstDirty);
});

Deno.test("min.compaction.lag.ms keeps recent segments uncompacted", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const config = compactConfig({ minCompactionLagMs: 10_000 });
  for (let round = 0; round < 40; round++) {
    appendRecords(log, clock, updates(round, 4, 4));
    clock.advance(500);
  }
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => config });
  cleanUntilIdle(cleaner);
  const firstDirty = cleaner.firstDirtyOffset(log)!;
  const young = log.segments().find((segment) =>
    segment.maxTimestampAndOffset.timestamp > clock.now - 10_000
  )!;
  assert.ok(
    firstDirty <= young.baseOffset,
    `cleaned up to ${firstDirty}, past the young segment ${young.baseOffset}`,
  );
  assert.ok(firstDirty > 0);
  const youngRecords = readRecords(log).filter((record) => record.timestamp > clock.now - 10_000);
  assert.ok(youngRecords.length >= 15, "records younger than the lag are all still there");
});

Deno.test("max.compaction.lag.ms forces cleaning of an old dirty segment whatever the ratio", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const config = compactConfig({ minCleanableDirtyRatio: 0.99, maxCompactionLagMs: 60_000 });
  for (let round = 0; round < 30; round++) appendRecords(log, clock, updates(round, 4, 4));
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => config });
  cleanUntilIdle(cleaner);
  for (let round = 0; round < 30; round++) appendRecords(log, clock, updates(round, 4, 4));
  assert.equal(cleaner.cleanStep(1 << 20).busy, false, "not yet overdue and not dirty enough");
  // The first batch of the dirty section carries the time of its last record, a few ms after the first.
  clock.advance(60_010);
  appendRecords(log, clock, updates(100, 4, 4));
  assert.equal(cleaner.cleanStep(1 << 20).busy, true, "overdue: cleaned");
  cleanUntilIdle(cleaner);
});

Deno.test("a small offset map cleans in several rounds and ends with the same result", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const appended = new Appended();
  for (let round = 0; round < 100; round++) appended.append(log, clock, updates(round, 40, 5));
  const cleaner = newCleaner(disk, clock, 30 * 28);
  cleaner.register(log, { config: () => compactConfig() });
  cleanUntilIdle(cleaner, 4096);
  assert.ok(cleaner.completedRounds.length > 3, `${cleaner.completedRounds.length} rounds`);
  const checkpoints = cleaner.completedRounds.map((round) => round.endOffset);
  assert.deepEqual(checkpoints, [...checkpoints].sort((left, right) => left - right));
  assertCompactedCorrectly(disk, log, appended, cleaner.firstDirtyOffset(log)!);
});

Deno.test("records without a key are removed by cleaning", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  for (let round = 0; round < 40; round++) {
    appendRecords(log, clock, [{ key: null, value: `keyless-${round}` }, { key: "k", value: `${round}` }]);
  }
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => compactConfig() });
  cleanUntilIdle(cleaner);
  const firstDirty = cleaner.firstDirtyOffset(log)!;
  assert.ok(!readRecords(log).some((record) => record.key === null && record.offset < firstDirty));
});

Deno.test("a round abandoned because the log changed leaves no files and no damage", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const appended = new Appended();
  for (let round = 0; round < 80; round++) appended.append(log, clock, updates(round, 5, 4));
  const cleaner = newCleaner(disk, clock);
  cleaner.register(log, { config: () => compactConfig() });
  // Step until a .cleaned file exists, then truncate the log under the round.
  for (
    let steps = 0;
    steps < 1000 && !disk.list(TEST_LOG_DIRECTORY).some((name) => name.endsWith(".cleaned"));
    steps++
  ) {
    cleaner.cleanStep(200);
  }
  assert.ok(disk.list(TEST_LOG_DIRECTORY).some((name) => name.endsWith(".cleaned")));
  const keepTo = log.segments()[1]!.baseOffset + 1;
  log.truncateTo(keepTo);
  for (const offset of [...appended.records.keys()]) if (offset >= keepTo) appended.records.delete(offset);
  cleaner.cleanStep(200);
  assert.ok(!cleaner.cleaning);
  assert.ok(!cleaner.isUncleanable(log));
  assert.ok(
    !disk.list(TEST_LOG_DIRECTORY).some((name) => name.endsWith(".cleaned") || name.endsWith(".swap")),
  );
  assertLogValid(disk, log);
  for (let round = 0; round < 40; round++) appended.append(log, clock, updates(round, 5, 4));
  cleanUntilIdle(cleaner);
  assertCompactedCorrectly(disk, log, appended, cleaner.firstDirtyOffset(log)!);
});

Deno.test("compaction matches a model under random appends, codecs, tombstones and step sizes", () => {
  const operation = fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant("append" as const),
        keys: fc.array(fc.nat(9), { minLength: 1, maxLength: 6 }),
        tombstones: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        codec: fc.constantFrom(...CODECS),
        size: fc.nat(150),
      }),
      weight: 4,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant("clean" as const),
        budget: fc.integer({ min: 1, max: 20_000 }),
      }),
      weight: 1,
    },
    { arbitrary: fc.record({ kind: fc.constant("tick" as const), ms: fc.nat(40_000) }), weight: 1 },
  );
  let removed = 0;
  fc.assert(
    fc.property(fc.array(operation, { minLength: 20, maxLength: 150, size: "max" }), (operations) => {
      const disk = new MemoryDisk();
      const clock = new ManualClock();
      const log = openTestLog(disk, clock, { segmentBytes: 1500, indexIntervalBytes: 100 });
      const appended = new Appended();
      const cleaner = newCleaner(disk, clock, 64 * 28);
      cleaner.register(log, { config: () => compactConfig({ deleteRetentionMs: 30_000 }) });
      for (const step of operations) {
        if (step.kind === "append") {
          const records = step.keys.map((key, index) => ({
            key: `k${key}`,
            value: step.tombstones[index] ? null : `v${log.logEndOffset + index}-${"y".repeat(step.size)}`,
          }));
          appended.append(log, clock, records, step.codec);
        } else if (step.kind === "clean") {
          cleaner.cleanStep(step.budget);
        } else {
          clock.advance(step.ms);
        }
      }
      cleanUntilIdle(cleaner, 3000);
      assert.ok(!cleaner.isUncleanable(log));
      assertCompactedCorrectly(disk, log, appended, cleaner.firstDirtyOffset(log) ?? 0);
      removed += appended.records.size - readRecords(log).length;
    }),
    { numRuns: 100 },
  );
  assert.ok(removed > 1000, `only ${removed} records were compacted away in all runs`);
});
