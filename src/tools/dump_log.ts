/**
 * `dafka dump-log`: what `kafka-dump-log.sh` prints for segment files
 * (`.log`), offset and time indexes (`.index`, `.timeindex`) and producer
 * state snapshots (`.snapshot`), from the files' bytes alone, so it reads the
 * files of Kafka and of Dafka alike. `verify` checks every batch's CRC and
 * that each index entry points at the batch holding its offset.
 */
import { decodeProducerSnapshot } from "../log/mod.ts";
import {
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  type BatchHeader,
  compressionOf,
  decodeBatch,
  isControl,
  isTransactional,
  LOG_OVERHEAD,
  readBatchHeader,
  timestampTypeIsLogAppend,
} from "../protocol/mod.ts";

export interface DumpOptions {
  /** Print each record of each batch (`--print-data-log`). */
  printData: boolean;
  /** Check CRCs and index entries (`--verify`); problems are listed at the end. */
  verify: boolean;
}

export interface DumpResult {
  lines: string[];
  problems: string[];
}

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"];
const decoder = new TextDecoder();

/** The base offset encoded in a segment file name (20 digits). */
export function baseOffsetOf(fileName: string): number {
  const match = /(\d{20})\.[a-z]+$/.exec(fileName);
  return match ? Number(match[1]) : 0;
}

interface BatchAt {
  position: number;
  header: BatchHeader;
}

/** The batches of a segment, stopping at a torn or invalid tail (reported as a problem). */
export function segmentBatches(bytes: Uint8Array, problems: string[]): BatchAt[] {
  const batches: BatchAt[] = [];
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + position + 8, 4).getInt32(0);
    if (length < BATCH_HEADER_SIZE - LOG_OVERHEAD || position + LOG_OVERHEAD + length > bytes.length) {
      problems.push(`torn or invalid batch at position ${position} (length ${length})`);
      break;
    }
    if (bytes[position + 16] !== 2) {
      problems.push(`batch at position ${position} has magic ${bytes[position + 16]}, not 2`);
      break;
    }
    batches.push({ position, header: readBatchHeader(bytes, position) });
    position += LOG_OVERHEAD + length;
  }
  return batches;
}

function batchLine(bytes: Uint8Array, { position, header }: BatchAt): string {
  const lastOffset = header.baseOffset + header.lastOffsetDelta;
  const lastSequence = header.baseSequence < 0 ? -1 : header.baseSequence + header.lastOffsetDelta;
  const timestampType = timestampTypeIsLogAppend(header.attributes) ? "LogAppendTime" : "CreateTime";
  return `baseOffset: ${header.baseOffset} lastOffset: ${lastOffset} count: ${header.recordCount} ` +
    `baseSequence: ${header.baseSequence} lastSequence: ${lastSequence} producerId: ${header.producerId} ` +
    `producerEpoch: ${header.producerEpoch} partitionLeaderEpoch: ${header.partitionLeaderEpoch} ` +
    `isTransactional: ${isTransactional(header.attributes)} isControl: ${isControl(header.attributes)} ` +
    `position: ${position} ${timestampType}: ${header.maxTimestamp} size: ${
      LOG_OVERHEAD + header.batchLength
    } ` +
    `magic: ${header.magic} compresscodec: ${CODECS[compressionOf(header.attributes)] ?? "unknown"} ` +
    `crc: ${header.crc} isvalid: ${batchCrcIsValid(bytes, header)}`;
}

/** Record bytes as text, with control characters escaped so that each record stays on one line. */
function text(bytes: Uint8Array | null): string {
  if (bytes === null) return "null";
  return decoder.decode(bytes).replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f]/g,
    (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

function recordLines(bytes: Uint8Array, { position, header }: BatchAt): string[] {
  const records = decodeBatch(bytes.subarray(0, position + LOG_OVERHEAD + header.batchLength), position, {
    verifyCrc: false,
  }).records;
  return records.map((record) =>
    `| offset: ${record.offset} CreateTime: ${record.timestamp} keySize: ${record.key?.length ?? -1} ` +
    `valueSize: ${record.value?.length ?? -1} headerKeys: [${
      record.headers.map((h) => decoder.decode(h.key)).join(",")
    }] ` +
    `key: ${text(record.key)} payload: ${text(record.value)}`
  );
}

/** Dumps a `.log` segment. */
export function dumpSegment(fileName: string, bytes: Uint8Array, options: DumpOptions): DumpResult {
  const problems: string[] = [];
  const lines = [`Dumping ${fileName}`, `Log starting offset: ${baseOffsetOf(fileName)}`];
  for (const batch of segmentBatches(bytes, problems)) {
    lines.push(batchLine(bytes, batch));
    if (options.verify && !batchCrcIsValid(bytes, batch.header)) {
      problems.push(`batch at offset ${batch.header.baseOffset} (position ${batch.position}) fails its CRC`);
    }
    if (options.printData) {
      try {
        lines.push(...recordLines(bytes, batch));
      } catch (error) {
        problems.push(`records of batch ${batch.header.baseOffset}: ${(error as Error).message}`);
      }
    }
  }
  return { lines, problems };
}

/** Entries of an index file; a zero entry after the first marks the unused, preallocated tail. */
function indexEntries(bytes: Uint8Array, entrySize: number): DataView[] {
  const entries: DataView[] = [];
  for (let position = 0; position + entrySize <= bytes.length; position += entrySize) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + position, entrySize);
    if (position > 0 && bytes.subarray(position, position + entrySize).every((byte) => byte === 0)) break;
    entries.push(view);
  }
  return entries;
}

/** The batch of `segment` holding `offset`, if any. */
function batchHolding(batches: BatchAt[], offset: number): BatchAt | undefined {
  return batches.find((batch) =>
    batch.header.baseOffset <= offset && offset <= batch.header.baseOffset + batch.header.lastOffsetDelta
  );
}

/** Dumps a `.index`; with `segment`, checks that each entry's position starts the batch holding its offset. */
export function dumpOffsetIndex(
  fileName: string,
  bytes: Uint8Array,
  segment: Uint8Array | null,
  options: DumpOptions,
): DumpResult {
  const base = baseOffsetOf(fileName);
  const problems: string[] = [];
  const batches = segment ? segmentBatches(segment, []) : [];
  const lines = [`Dumping ${fileName}`];
  for (const view of indexEntries(bytes, 8)) {
    const offset = base + view.getInt32(0);
    const position = view.getInt32(4);
    lines.push(`offset: ${offset} position: ${position}`);
    if (options.verify && segment) {
      const holder = batches.find((batch) => batch.position === position);
      if (!holder) problems.push(`index entry offset ${offset} points at ${position}, which starts no batch`);
      else if (batchHolding([holder], offset) === undefined) {
        problems.push(
          `index entry offset ${offset} points at the batch of offsets ${holder.header.baseOffset}+`,
        );
      }
    }
  }
  return { lines, problems };
}

/** Dumps a `.timeindex`; with `segment`, checks that each entry's offset is in the segment. */
export function dumpTimeIndex(
  fileName: string,
  bytes: Uint8Array,
  segment: Uint8Array | null,
  options: DumpOptions,
): DumpResult {
  const base = baseOffsetOf(fileName);
  const problems: string[] = [];
  const batches = segment ? segmentBatches(segment, []) : [];
  const lines = [`Dumping ${fileName}`];
  for (const view of indexEntries(bytes, 12)) {
    const timestamp = view.getInt32(0) * 4294967296 + view.getUint32(4);
    const offset = base + view.getInt32(8);
    lines.push(`timestamp: ${timestamp} offset: ${offset}`);
    if (options.verify && segment && !batchHolding(batches, offset)) {
      problems.push(`time index entry ${timestamp} points at offset ${offset}, which is not in the segment`);
    }
  }
  return { lines, problems };
}

/** Dumps a producer state `.snapshot`. */
export function dumpSnapshot(fileName: string, bytes: Uint8Array): DumpResult {
  const lines = [`Dumping ${fileName}`];
  try {
    for (const entry of decodeProducerSnapshot(bytes)) {
      lines.push(
        `producerId: ${entry.producerId} producerEpoch: ${entry.producerEpoch} coordinatorEpoch: ${entry.coordinatorEpoch} ` +
          `currentTxnFirstOffset: ${
            entry.currentTxnFirstOffset < 0 ? "None" : entry.currentTxnFirstOffset
          } ` +
          `lastTimestamp: ${entry.timestamp} lastSequence: ${entry.lastSequence} lastOffset: ${entry.lastOffset} ` +
          `offsetDelta: ${entry.offsetDelta}`,
      );
    }
    return { lines, problems: [] };
  } catch (error) {
    return { lines, problems: [`${fileName}: ${(error as Error).message}`] };
  }
}
