/**
 * What a partition's files must look like after every start-up, read
 * straight from a `Disk` (not through the log code under test):
 *
 * - every `.log` file is whole v2 batches, back to back, each passing its
 *   CRC32C, with offsets that grow across the segments and fit each segment;
 * - every segment has an `.index` whose entries point at batch boundaries
 *   holding their offsets, in order, and a `.timeindex` whose entries name a
 *   batch's last offset with the largest timestamp seen up to it;
 * - no `.deleted`, `.cleaned` or `.swap` file is left over.
 *
 * The simulator's disk-fault workload and the log's crash tests both use it;
 * `recordsOf` lets them compare the records with what was synced.
 */
import type { Disk } from "../../../src/io/mod.ts";
import {
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  type BatchHeader,
  decodeBatch,
  lastOffset,
  LOG_OVERHEAD,
  readBatchHeader,
} from "../../../src/protocol/mod.ts";

/** One batch found in a segment file. */
export interface FileBatch {
  segmentBaseOffset: number;
  position: number;
  header: BatchHeader;
  bytes: Uint8Array;
}

/** What a check of a partition folder found. */
export interface FolderCheck {
  /** Broken rules, as sentences; empty when the folder is sound. */
  problems: string[];
  /** Every batch of every segment, in offset order. */
  batches: FileBatch[];
  segmentBaseOffsets: number[];
}

const SEGMENT_LOG = /^(\d{20})\.log$/;
const LEFTOVER = /\.(deleted|cleaned|swap)$/;
const INT32_MAX = 0x7fffffff;

/** Checks every segment in `folder` (a partition's folder); see the file comment. */
export function checkPartitionFolder(disk: Disk, folder: string): FolderCheck {
  const problems: string[] = [];
  const batches: FileBatch[] = [];
  const names = disk.list(folder);
  for (const name of names) if (LEFTOVER.test(name)) problems.push(`${folder}/${name} is left over`);
  const baseOffsets = names.flatMap((name) => {
    const match = SEGMENT_LOG.exec(name);
    return match === null ? [] : [Number(match[1])];
  }).sort((left, right) => left - right);
  let previousLast = -1;
  for (const baseOffset of baseOffsets) {
    const prefix = `${folder}/${String(baseOffset).padStart(20, "0")}`;
    const bytes = disk.readFile(`${prefix}.log`) ?? new Uint8Array(0);
    const segmentBatches = readSegmentBatches(bytes, baseOffset, `${prefix}.log`, problems);
    for (const batch of segmentBatches) {
      if (batch.header.baseOffset <= previousLast) {
        problems.push(
          `${prefix}.log: batch ${batch.header.baseOffset} does not follow offset ${previousLast}`,
        );
      }
      previousLast = lastOffset(batch.header);
    }
    checkOffsetIndex(
      disk.readFile(`${prefix}.index`),
      segmentBatches,
      baseOffset,
      `${prefix}.index`,
      problems,
    );
    checkTimeIndex(
      disk.readFile(`${prefix}.timeindex`),
      segmentBatches,
      baseOffset,
      `${prefix}.timeindex`,
      problems,
    );
    batches.push(...segmentBatches);
  }
  return { problems, batches, segmentBaseOffsets: baseOffsets };
}

function readSegmentBatches(
  bytes: Uint8Array,
  baseOffset: number,
  path: string,
  problems: string[],
): FileBatch[] {
  const found: FileBatch[] = [];
  let position = 0;
  while (position < bytes.length) {
    if (position + BATCH_HEADER_SIZE > bytes.length) {
      problems.push(`${path}: ${bytes.length - position} bytes at ${position} are not a whole batch`);
      break;
    }
    const header = readBatchHeader(bytes, position);
    const end = position + LOG_OVERHEAD + header.batchLength;
    if (header.magic !== 2 || header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || end > bytes.length) {
      problems.push(`${path}: no whole v2 batch at ${position}`);
      break;
    }
    if (!batchCrcIsValid(bytes, header)) problems.push(`${path}: batch at ${position} fails its CRC`);
    const last = lastOffset(header);
    if (header.baseOffset < baseOffset || last - baseOffset > INT32_MAX || header.lastOffsetDelta < 0) {
      problems.push(`${path}: batch ${header.baseOffset}-${last} does not fit the segment`);
    }
    found.push({ segmentBaseOffset: baseOffset, position, header, bytes: bytes.subarray(position, end) });
    position = end;
  }
  return found;
}

function checkOffsetIndex(
  bytes: Uint8Array | null,
  batches: readonly FileBatch[],
  baseOffset: number,
  path: string,
  problems: string[],
): void {
  if (bytes === null) return void problems.push(`${path} is missing`);
  if (bytes.length % 8 !== 0) {
    return void problems.push(`${path}: ${bytes.length} bytes is not whole entries`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byPosition = new Map(batches.map((batch) => [batch.position, batch]));
  let previous = { offset: -1, position: -1 };
  for (let entry = 0; entry < bytes.length / 8; entry++) {
    const offset = baseOffset + view.getInt32(entry * 8);
    const position = view.getInt32(entry * 8 + 4);
    const batch = byPosition.get(position);
    const lastInSegment = batches.length === 0
      ? baseOffset - 1
      : lastOffset(batches[batches.length - 1]!.header);
    if (offset <= previous.offset || position <= previous.position) {
      problems.push(`${path}: entry ${entry} (${offset} at ${position}) is out of order`);
    } else if (batch === undefined) {
      problems.push(`${path}: entry ${entry} points at ${position}, not at a batch`);
    } else if (batch.header.baseOffset > offset || offset > lastInSegment) {
      problems.push(
        `${path}: entry ${entry} names offset ${offset}, but the batch there starts at ${batch.header.baseOffset}`,
      );
    }
    previous = { offset, position };
  }
}

function checkTimeIndex(
  bytes: Uint8Array | null,
  batches: readonly FileBatch[],
  baseOffset: number,
  path: string,
  problems: string[],
): void {
  if (bytes === null) return void problems.push(`${path} is missing`);
  if (bytes.length % 12 !== 0) {
    return void problems.push(`${path}: ${bytes.length} bytes is not whole entries`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The largest timestamp up to and including each batch, by the batch's last offset.
  const maxSoFar = new Map<number, { batchMax: number; runningMax: number }>();
  let running = -1;
  for (const batch of batches) {
    running = Math.max(running, batch.header.maxTimestamp);
    maxSoFar.set(lastOffset(batch.header), { batchMax: batch.header.maxTimestamp, runningMax: running });
  }
  let previous = { timestamp: Number.NEGATIVE_INFINITY, offset: -1 };
  for (let entry = 0; entry < bytes.length / 12; entry++) {
    const timestamp = Number(view.getBigInt64(entry * 12));
    const offset = baseOffset + view.getInt32(entry * 12 + 8);
    const known = maxSoFar.get(offset);
    if (timestamp < previous.timestamp || offset < previous.offset) {
      problems.push(`${path}: entry ${entry} (${timestamp} at ${offset}) is out of order`);
    } else if (known === undefined || known.batchMax !== timestamp || known.runningMax !== timestamp) {
      problems.push(
        `${path}: entry ${entry} (${timestamp} at ${offset}) names no batch holding the largest timestamp`,
      );
    }
    previous = { timestamp, offset };
  }
}

/** The records of checked batches as offset and value text (null for a null value). */
export function recordsOf(batches: readonly FileBatch[]): { offset: number; value: string | null }[] {
  const decoder = new TextDecoder();
  return batches.flatMap((batch) =>
    decodeBatch(batch.bytes).records.map((record) => ({
      offset: record.offset,
      value: record.value === null ? null : decoder.decode(record.value),
    }))
  );
}
