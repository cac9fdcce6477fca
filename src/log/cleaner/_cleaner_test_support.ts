/**
 * Helpers for the cleaner's tests: a compacted partition log on an in-memory
 * disk, keyed appends in any codec, reading the whole log back, and checks
 * that a log is valid (CRCs, offsets, indexes) and that compaction kept the
 * latest record of every key.
 */
import assert from "node:assert/strict";
import type { Clock, Disk } from "../../io/mod.ts";
import {
  batchCrcIsValid,
  type BatchHeader,
  batchSize,
  buildBatch,
  Compression,
  decodeRecords,
  lastOffset,
  readBatchHeader,
  type RecordHeader,
} from "../../protocol/mod.ts";
import type { LogConfig } from "../log_config.ts";
import { PartitionLog } from "../partition_log.ts";
import { type CompactionConfig, DEFAULT_COMPACTION_CONFIG } from "./compaction_config.ts";
import type { LogCleaner } from "./log_cleaner.ts";

export const TEST_DIRECTORY = "/data";
export const TEST_TOPIC = "table";
export const TEST_LOG_DIRECTORY = `${TEST_DIRECTORY}/${TEST_TOPIC}-0`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Opens (or reopens, recovering it) the test log. */
export function openTestLog(
  disk: Disk,
  clock: Clock,
  config: Partial<LogConfig> = {},
  options: { hadCleanShutdown?: boolean } = {},
): PartitionLog {
  return PartitionLog.open({
    disk,
    clock,
    directory: TEST_LOG_DIRECTORY,
    topic: TEST_TOPIC,
    partition: 0,
    config: { segmentBytes: 4096, indexIntervalBytes: 256, ...config },
    hadCleanShutdown: options.hadCleanShutdown ?? false,
  });
}

/** A compacting topic's settings for tests: clean as soon as anything is dirty. */
export function compactConfig(overrides: Partial<CompactionConfig> = {}): CompactionConfig {
  return {
    ...DEFAULT_COMPACTION_CONFIG,
    compact: true,
    delete: false,
    minCleanableDirtyRatio: 0,
    ...overrides,
  };
}

/** A record to append: key and value as text (null for none). */
export interface TextRecord {
  key: string | null;
  value: string | null;
  headers?: [string, string][];
}

/** How to append a batch. */
export interface AppendBatchOptions {
  compression?: Compression;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
}

/** Appends the records as one batch; returns its base offset. */
export function appendRecords(
  log: PartitionLog,
  clock: Clock,
  records: readonly TextRecord[],
  options: AppendBatchOptions = {},
): number {
  const now = clock.nowMs();
  const batch = buildBatch({
    records: records.map((record, index) => ({
      timestamp: now + index,
      key: record.key === null ? null : encoder.encode(record.key),
      value: record.value === null ? null : encoder.encode(record.value),
      headers: (record.headers ?? []).map(([key, value]) => ({
        key: encoder.encode(key),
        value: encoder.encode(value),
      })),
    })),
    compression: options.compression,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: options.baseSequence,
    isTransactional: options.isTransactional,
  });
  const result = log.append(batch, { leaderEpoch: 3, nowMs: now });
  assert.equal(result.errorCode, 0, result.errorMessage ?? "append failed");
  return result.baseOffset;
}

/** One record read back. */
export interface ReadRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

/** One batch read back, with its records. */
export interface ReadBatch {
  header: BatchHeader;
  records: ReadRecord[];
}

const text = (bytes: Uint8Array | null) => (bytes === null ? null : decoder.decode(bytes));

function toRead(header: BatchHeader, bytes: Uint8Array): ReadRecord[] {
  return decodeRecords(bytes, header).map((record) => ({
    offset: record.offset,
    timestamp: record.timestamp,
    key: text(record.key),
    value: text(record.value),
    headers: record.headers.map((header: RecordHeader) => [decoder.decode(header.key), text(header.value)]),
  }));
}

/** Every batch of the log from its start, read through `PartitionLog.read` as a consumer would. */
export function readLog(log: PartitionLog): ReadBatch[] {
  const batches: ReadBatch[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const bytes = log.read(next, { maxBytes: 1 << 20, minOneBatch: true });
    assert.ok(bytes.length > 0, `no batch at ${next} below the log end ${log.logEndOffset}`);
    let position = 0;
    while (position < bytes.length) {
      const header = readBatchHeader(bytes, position);
      const whole = bytes.subarray(position, position + batchSize(header));
      const local = { ...header, position: 0 };
      if (lastOffset(header) >= next) batches.push({ header: local, records: toRead(local, whole) });
      next = Math.max(next, lastOffset(header) + 1);
      position += batchSize(header);
    }
  }
  return batches;
}

/** The records of the log, in order. */
export function readRecords(log: PartitionLog): ReadRecord[] {
  return readLog(log).flatMap((batch) => batch.records);
}

/**
 * Checks what must hold of any log: in every segment file each batch passes
 * its CRC, batch offsets grow strictly across the whole log, every record
 * lies inside its batch's offset range, and the offset and time indexes
 * agree with the batches (each index entry points at the start of a batch
 * that begins at or before the entry's offset, and a lookup of every batch's
 * last offset lands at or before that batch).
 */
export function assertLogValid(disk: Disk, log: PartitionLog): void {
  let previousLast = -1;
  for (const segment of log.segments()) {
    const file = disk.readFile(segment.logPath);
    assert.ok(file !== null, `${segment.logPath} is missing`);
    assert.equal(file.length, segment.size(), `${segment.logPath} size`);
    const boundaries = new Map<number, BatchHeader>();
    let position = 0;
    while (position < file.length) {
      const header = readBatchHeader(file, position);
      assert.equal(header.magic, 2);
      assert.ok(batchCrcIsValid(file, header), `${segment.logPath}@${position}: CRC`);
      assert.ok(header.baseOffset > previousLast, `offsets go back at ${header.baseOffset}`);
      assert.ok(header.baseOffset >= segment.baseOffset, `batch ${header.baseOffset} below its segment`);
      const local = { ...header, position: 0 };
      for (const record of toRead(local, file.subarray(position, position + batchSize(header)))) {
        assert.ok(record.offset >= header.baseOffset && record.offset <= lastOffset(header));
      }
      boundaries.set(position, header);
      previousLast = lastOffset(header);
      position += batchSize(header);
    }
    assert.equal(position, file.length, `${segment.logPath} ends inside a batch`);
    const index = segment.offsetIndex;
    for (let entry = 0; entry < index.entryCount; entry++) {
      const { offset, position: at } = index.entry(entry);
      const header = boundaries.get(at);
      assert.ok(header !== undefined, `${segment.offsetIndexPath} entry ${entry} points inside a batch`);
      assert.ok(header.baseOffset <= offset, `${segment.offsetIndexPath} entry ${entry} is past its batch`);
    }
    for (const [at, header] of boundaries) {
      assert.ok(index.lookup(lastOffset(header)).position <= at, `index lookup of ${lastOffset(header)}`);
    }
    const timeIndex = segment.timeIndex;
    for (let entry = 1; entry < timeIndex.entryCount; entry++) {
      assert.ok(timeIndex.entry(entry).timestamp >= timeIndex.entry(entry - 1).timestamp);
    }
  }
}

/**
 * What a consumer reading the log from its start ends up with: the latest
 * value of each key, tombstones removing keys.
 */
export function tableOf(
  records: readonly { key: string | null; value: string | null }[],
): Map<string, string> {
  const table = new Map<string, string>();
  for (const record of records) {
    if (record.key === null) continue;
    if (record.value === null) table.delete(record.key);
    else table.set(record.key, record.value);
  }
  return table;
}

/** Runs the cleaner until it has nothing to do (bounded); returns the number of steps. */
export function cleanUntilIdle(cleaner: LogCleaner, budgetBytes = 64 * 1024, maxSteps = 100_000): number {
  for (let steps = 1; steps <= maxSteps; steps++) {
    if (!cleaner.cleanStep(budgetBytes).busy) return steps;
  }
  throw new Error(`the cleaner was still busy after ${maxSteps} steps`);
}
