/**
 * Producer state snapshot files (`<offset>.snapshot`, Kafka's
 * ProducerSnapshot message, version 1). Big-endian:
 *
 *   version int16 (1) | crc uint32 | count int32 | count entries of 46 bytes:
 *   producerId int64, epoch int16, lastSequence int32, lastOffset int64,
 *   offsetDelta int32, timestamp int64, coordinatorEpoch int32,
 *   currentTxnFirstOffset int64 (-1 when no transaction is open)
 *
 * The CRC32C covers every byte after the crc field. A snapshot keeps only
 * each producer's last batch.
 */
import { crc32c } from "../protocol/mod.ts";

/** One producer as a snapshot stores it. */
export interface ProducerSnapshotEntry {
  producerId: number;
  producerEpoch: number;
  /** NO_SEQUENCE (-1) when the producer has no batch. */
  lastSequence: number;
  /** -1 when the producer has no batch. */
  lastOffset: number;
  /** lastOffset minus the first offset of the last batch. */
  offsetDelta: number;
  timestamp: number;
  coordinatorEpoch: number;
  /** -1 when no transaction is open. */
  currentTxnFirstOffset: number;
}

/** A snapshot that cannot be read; Kafka deletes it and falls back to an older one. */
export class CorruptSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CorruptSnapshotError";
  }
}

export const PRODUCER_SNAPSHOT_VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6;
const ENTRY_SIZE = 46;

function readInt64(view: DataView, position: number): number {
  return view.getInt32(position) * 4294967296 + view.getUint32(position + 4);
}

/** The snapshot file's bytes for `entries`. */
export function encodeProducerSnapshot(entries: readonly ProducerSnapshotEntry[]): Uint8Array {
  const bytes = new Uint8Array(ENTRIES_OFFSET + 4 + entries.length * ENTRY_SIZE);
  const view = new DataView(bytes.buffer);
  view.setInt16(0, PRODUCER_SNAPSHOT_VERSION);
  view.setInt32(ENTRIES_OFFSET, entries.length);
  let position = ENTRIES_OFFSET + 4;
  for (const entry of entries) {
    view.setBigInt64(position, BigInt(entry.producerId));
    view.setInt16(position + 8, entry.producerEpoch);
    view.setInt32(position + 10, entry.lastSequence);
    view.setBigInt64(position + 14, BigInt(entry.lastOffset));
    view.setInt32(position + 22, entry.offsetDelta);
    view.setBigInt64(position + 26, BigInt(entry.timestamp));
    view.setInt32(position + 34, entry.coordinatorEpoch);
    view.setBigInt64(position + 38, BigInt(entry.currentTxnFirstOffset));
    position += ENTRY_SIZE;
  }
  view.setUint32(CRC_OFFSET, crc32c(bytes, ENTRIES_OFFSET));
  return bytes;
}

/** Parses a snapshot file; throws CorruptSnapshotError for a bad version, size or CRC. */
export function decodeProducerSnapshot(bytes: Uint8Array): ProducerSnapshotEntry[] {
  if (bytes.length < ENTRIES_OFFSET + 4) {
    throw new CorruptSnapshotError(`snapshot of ${bytes.length} bytes is too short`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getInt16(0);
  if (version !== PRODUCER_SNAPSHOT_VERSION) {
    throw new CorruptSnapshotError(`unknown snapshot version ${version}`);
  }
  const count = view.getInt32(ENTRIES_OFFSET);
  if (count < 0 || bytes.length !== ENTRIES_OFFSET + 4 + count * ENTRY_SIZE) {
    throw new CorruptSnapshotError(`snapshot of ${bytes.length} bytes cannot hold ${count} entries`);
  }
  const storedCrc = view.getUint32(CRC_OFFSET);
  const computedCrc = crc32c(bytes, ENTRIES_OFFSET);
  if (storedCrc !== computedCrc) {
    throw new CorruptSnapshotError(`snapshot CRC ${storedCrc} does not match the computed ${computedCrc}`);
  }
  const entries: ProducerSnapshotEntry[] = [];
  for (let position = ENTRIES_OFFSET + 4; position < bytes.length; position += ENTRY_SIZE) {
    entries.push({
      producerId: readInt64(view, position),
      producerEpoch: view.getInt16(position + 8),
      lastSequence: view.getInt32(position + 10),
      lastOffset: readInt64(view, position + 14),
      offsetDelta: view.getInt32(position + 22),
      timestamp: readInt64(view, position + 26),
      coordinatorEpoch: view.getInt32(position + 34),
      currentTxnFirstOffset: readInt64(view, position + 38),
    });
  }
  return entries;
}
