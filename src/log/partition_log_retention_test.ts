import assert from "node:assert/strict";
import { buildSimpleBatch } from "./_batch_builder_test_support.ts";
import { ManualClock, MemoryDisk } from "../io/sim/mod.ts";
import type { LogConfig } from "./log_config.ts";
import { OffsetOutOfRangeError } from "./log_errors.ts";
import { EARLIEST_TIMESTAMP, PartitionLog } from "./partition_log.ts";

const DIRECTORY = "/data/events-0";
const RETENTION_MS = 60_000;
const DELETE_DELAY_MS = 1000;

function openLog(disk: MemoryDisk, clock: ManualClock, config: Partial<LogConfig> = {}, logStartOffset = 0) {
  return PartitionLog.open({
    disk,
    clock,
    directory: DIRECTORY,
    topic: "events",
    partition: 0,
    logStartOffset,
    config: {
      segmentBytes: 1000,
      indexIntervalBytes: 100,
      retentionMs: RETENTION_MS,
      fileDeleteDelayMs: DELETE_DELAY_MS,
      ...config,
    },
  });
}

/** Appends `count` batches of 4 records stamped with the clock's time, 10 ms apart. */
function appendBatches(log: PartitionLog, clock: ManualClock, count: number): void {
  for (let index = 0; index < count; index++) {
    const batch = buildSimpleBatch(4, { baseTimestamp: clock.now, prefix: `m${log.logEndOffset}` });
    const result = log.append(batch, { leaderEpoch: 0, nowMs: clock.now });
    assert.equal(result.errorCode, 0, result.errorMessage ?? "");
    clock.advance(10);
  }
}

function files(disk: MemoryDisk, suffix: string): string[] {
  return disk.list(DIRECTORY).filter((name) => name.endsWith(suffix));
}

Deno.test("retention.ms deletes expired segments through .deleted files and moves the log start", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 20);
  const oldSegments = log.segmentBaseOffsets();
  clock.advance(RETENTION_MS);
  appendBatches(log, clock, 20);
  // The segment active when time jumped holds old and new records: it stays, as everything after it.
  const straddling = oldSegments[oldSegments.length - 1]!;
  assert.equal(log.deleteOldSegments(clock.now), oldSegments.length - 1);
  assert.equal(log.logStartOffset, straddling);
  assert.equal(log.segmentBaseOffsets()[0], straddling);
  assert.equal(files(disk, ".log.deleted").length, oldSegments.length - 1);
  assert.equal(files(disk, ".index.deleted").length, oldSegments.length - 1);
  assert.equal(files(disk, ".timeindex.deleted").length, oldSegments.length - 1);
  assert.ok(files(disk, ".snapshot.deleted").length > 0, "the deleted segments' producer snapshots go too");
  assert.throws(() => log.read(straddling - 1, { maxBytes: 1000 }), OffsetOutOfRangeError);
  assert.equal(log.offsetForTimestamp(EARLIEST_TIMESTAMP)?.offset, straddling);
  clock.advance(DELETE_DELAY_MS);
  assert.deepEqual(files(disk, ".deleted"), []);
  assert.equal(log.deleteOldSegments(clock.now), 0, "a second check finds nothing more");
});

Deno.test("a wholly expired log rolls a new active segment at its end and starts there", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  appendBatches(log, clock, 12);
  const end = log.logEndOffset;
  clock.advance(RETENTION_MS + 1000);
  assert.ok(log.deleteOldSegments(clock.now) >= 2);
  assert.deepEqual(log.segmentBaseOffsets(), [end]);
  assert.equal(log.logStartOffset, end);
  assert.equal(log.logEndOffset, end);
  appendBatches(log, clock, 1);
  assert.equal(log.logEndOffset, end + 4);
  assert.equal(log.deleteOldSegments(clock.now), 0, "the new records are young");
});

Deno.test("retention.bytes keeps the newest segments that fit the limit", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock, { retentionMs: -1, retentionBytes: 2500 });
  appendBatches(log, clock, 60);
  const before = log.segmentBaseOffsets().length;
  const deleted = log.deleteOldSegments(clock.now);
  assert.ok(deleted > 0);
  assert.equal(log.segmentBaseOffsets().length, before - deleted);
  assert.ok(log.sizeInBytes() >= 2500, `${log.sizeInBytes()} bytes kept`);
  assert.ok(log.sizeInBytes() - 1000 < 2500, "no further segment could go without dropping below the limit");
});

Deno.test("a log without the delete policy keeps old segments but loses those below its start", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock, { cleanupPolicyDelete: false, retentionBytes: 0 });
  appendBatches(log, clock, 30);
  clock.advance(RETENTION_MS * 2);
  assert.equal(log.deleteOldSegments(clock.now), 0);
  const segments = log.segmentBaseOffsets();
  log.advanceLogStartOffset(segments[2]! + 1);
  assert.deepEqual(log.segmentBaseOffsets(), segments, "moving the start deletes nothing by itself");
  assert.equal(log.deleteOldSegments(clock.now), 2);
  assert.deepEqual(log.segmentBaseOffsets(), segments.slice(2));
  assert.equal(log.logStartOffset, segments[2]! + 1, "the start stays where DeleteRecords put it");
});

Deno.test("a restart removes leftover .deleted files and starts at the first segment left", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock, { retentionMs: -1, retentionBytes: 2000 });
  appendBatches(log, clock, 40);
  log.deleteOldSegments(clock.now);
  const kept = log.segmentBaseOffsets();
  assert.ok(files(disk, ".deleted").length > 0);
  // A crash before the delayed removal: the log is simply opened again, with a stale checkpoint.
  const reopened = openLog(disk, new ManualClock(clock.now), { retentionMs: -1, retentionBytes: 2000 }, 0);
  assert.deepEqual(files(disk, ".deleted"), []);
  assert.deepEqual(reopened.segmentBaseOffsets(), kept);
  assert.equal(reopened.logStartOffset, kept[0]);
  assert.equal(reopened.logEndOffset, log.logEndOffset);
});

Deno.test("a timestamp lookup skips segments left below the log start", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const start = clock.now;
  const log = openLog(disk, clock);
  appendBatches(log, clock, 30);
  const segments = log.segmentBaseOffsets();
  log.advanceLogStartOffset(segments[2]!);
  const found = log.offsetForTimestamp(start);
  assert.equal(found?.offset, segments[2]);
});

Deno.test("segments whose records carry no timestamp expire by the file's mtime, which a restart keeps", () => {
  const clock = new ManualClock();
  const disk = new MemoryDisk(clock);
  let log = openLog(disk, clock);
  for (let index = 0; index < 20; index++) {
    const batch = buildSimpleBatch(4, { baseTimestamp: -1, maxTimestamp: -1, prefix: `u${index}` });
    assert.equal(log.append(batch, { leaderEpoch: 0, nowMs: clock.now }).errorCode, 0);
  }
  const closed = log.segmentBaseOffsets().slice(0, -1);
  assert.ok(closed.length > 1, "the records span several segments");
  clock.advance(RETENTION_MS - 1);
  assert.equal(log.deleteOldSegments(clock.now), 0, "younger than retention.ms by their last write");
  log.close();
  // A restart must not make them young again: the mtime is the file's, not the time the log was opened.
  clock.advance(2);
  log = openLog(disk, clock);
  assert.ok(log.deleteOldSegments(clock.now) >= closed.length, "older than retention.ms by mtime");
  log.close();
});
