/**
 * Faults that only tests inject, to prove that the checkers catch what they
 * claim to catch: a fetch answer that lost a batch or changed a record on
 * its way to the client, and a disk that acknowledges syncs of segment files
 * without making anything durable.
 */
import type { Disk, FileHandle } from "../../src/io/mod.ts";
import { buildBatch, decodeBatch, LOG_OVERHEAD, scanBatches } from "../../src/protocol/mod.ts";

/** The test-only faults a run can carry. */
export interface TestFaults {
  /** Changes the records of every fetch answer before the checker sees them. */
  tamperFetch?: (records: Uint8Array) => Uint8Array;
  /** The node's `.log` files ignore `sync()`: an acknowledged flush is a lie. */
  segmentSyncIgnored?: boolean;
}

/** Drops the second batch of an answer holding three or more, leaving a hole in the offsets. */
export function dropMiddleBatch(records: Uint8Array): Uint8Array {
  const { headers } = scanBatches(records);
  if (headers.length < 3) return records;
  const second = headers[1]!;
  const end = second.position + LOG_OVERHEAD + second.batchLength;
  const out = new Uint8Array(records.length - (end - second.position));
  out.set(records.subarray(0, second.position));
  out.set(records.subarray(end), second.position);
  return out;
}

/** Rewrites the first batch of an answer with one byte of its first non-empty value flipped (and a valid CRC). */
export function changeFirstValue(records: Uint8Array): Uint8Array {
  const { headers } = scanBatches(records);
  const first = headers[0];
  if (first === undefined) return records;
  const batch = decodeBatch(records, 0);
  const target = batch.records.find((record) => record.value !== null && record.value.length > 0);
  if (target === undefined) return records;
  const rebuilt = buildBatch({
    baseOffset: first.baseOffset,
    partitionLeaderEpoch: first.partitionLeaderEpoch,
    producerId: first.producerId,
    producerEpoch: first.producerEpoch,
    baseSequence: first.baseSequence,
    records: batch.records.map((record) => {
      const value = record === target ? record.value!.slice() : record.value;
      if (record === target) value![0] = value![0]! ^ 0xff;
      return {
        offset: record.offset,
        timestamp: record.timestamp,
        key: record.key,
        value,
        headers: record.headers,
      };
    }),
  });
  const rest = records.subarray(LOG_OVERHEAD + first.batchLength);
  const out = new Uint8Array(rebuilt.length + rest.length);
  out.set(rebuilt);
  out.set(rest, rebuilt.length);
  return out;
}

/** A disk whose segment files (`*.log`) pretend to sync. */
export function ignoringSegmentSyncs(disk: Disk): Disk {
  return {
    open: (path, options) => {
      const handle = disk.open(path, options);
      if (!path.endsWith(".log")) return handle;
      const lying: FileHandle = {
        size: () => handle.size(),
        readAt: (position, length) => handle.readAt(position, length),
        writeAt: (position, bytes) => handle.writeAt(position, bytes),
        append: (bytes) => handle.append(bytes),
        truncate: (length) => handle.truncate(length),
        sync: () => {},
        modifiedMs: () => handle.modifiedMs(),
        close: () => handle.close(),
      };
      return lying;
    },
    exists: (path) => disk.exists(path),
    readFile: (path) => disk.readFile(path),
    writeFileAtomic: (path, bytes) => disk.writeFileAtomic(path, bytes),
    list: (path) => disk.list(path),
    isDirectory: (path) => disk.isDirectory(path),
    mkdirs: (path) => disk.mkdirs(path),
    rename: (from, to) => disk.rename(from, to),
    remove: (path) => disk.remove(path),
    syncDirectory: (path) => disk.syncDirectory(path),
  };
}
