/**
 * What the cleaner keeps of one batch (Kafka's LogCleaner record filter and
 * MemoryRecords.filterTo).
 *
 * First the batch as a whole: an aborted transaction's data and a marker
 * whose transaction is gone may be discarded; a producer's last batch is kept
 * even when empty (its sequence numbers and epoch are producer state), and so
 * is the last batch before the uncleanable part of the log (so that the log's
 * end offset survives). Then each record: it stays if it is past what the
 * offset map covers, or if it holds its key's latest offset and is either a
 * value or a tombstone whose delete horizon has not passed.
 *
 * A batch that keeps every record and needs no new delete horizon is copied
 * as it is. Otherwise it is rebuilt with the same base offset, last offset,
 * producer fields, leader epoch and codec, holding only the kept records at
 * their original offsets; the first time it keeps a tombstone (or is an
 * empty transaction's marker) it gets the delete horizon now +
 * `delete.retention.ms`, which later cleanings compare with their own time.
 */
import {
  type BatchHeader,
  buildBatch,
  Compression,
  compressionOf,
  type DecodedRecord,
  decodeRecords,
  isControl,
  isTransactional,
  lastOffset,
  NO_PRODUCER_ID,
  TimestampType,
  timestampTypeIsLogAppend,
} from "../../protocol/mod.ts";
import type { OffsetMap } from "./offset_map.ts";
import { decodedSize } from "./segment_reader.ts";
import { controlRecordTypeOf, type TransactionTracker } from "./transactions.ts";

/** Attributes bit 6: the base timestamp holds the batch's delete horizon (KIP-534). */
const DELETE_HORIZON_FLAG = 0x40;

/** The batch's delete horizon, or null when it has none. */
export function deleteHorizonOf(header: BatchHeader): number | null {
  return (header.attributes & DELETE_HORIZON_FLAG) !== 0 ? header.baseTimestamp : null;
}

/** What the cleaner knows about a producer that is still active (Kafka's LastRecord). */
export interface LastRecordOfProducer {
  /** The last offset of its last data batch, or null when it has none (only markers). */
  lastDataOffset: number | null;
  producerEpoch: number;
}

/** Everything the filter needs besides the batch. */
export interface FilterContext {
  map: OffsetMap;
  /** The time the cleaning round started. */
  nowMs: number;
  deleteRetentionMs: number;
  transactions: TransactionTracker;
  lastRecordsOfActiveProducers: ReadonlyMap<number, LastRecordOfProducer>;
  /** The round's first uncleanable offset: the batch ending just below it is always kept. */
  upperBoundOffset: number;
}

/** What became of a batch. */
export interface FilteredBatch {
  /** The bytes to write (the original batch or a rebuilt one), or null to drop the batch. */
  output: Uint8Array | null;
  recordsRead: number;
  recordsRetained: number;
  /** About how many bytes the decoded records took (0 when the records were not decoded). */
  decodedBytes: number;
}

type BatchRetention = "delete" | "retain-empty" | "delete-empty";

function isLastBatchOfProducer(header: BatchHeader, context: FilterContext): boolean {
  const last = context.lastRecordsOfActiveProducers.get(header.producerId);
  if (last === undefined) return false;
  if (last.lastDataOffset !== null) return lastOffset(header) === last.lastDataOffset;
  return isControl(header.attributes) && header.producerEpoch === last.producerEpoch;
}

/** Kafka's shouldRetainRecord for a data batch's record. */
function retainRecord(record: DecodedRecord, header: BatchHeader, context: FilterContext): boolean {
  if (record.offset > context.map.latestOffset) return true;
  if (record.key === null) return false;
  const latest = record.offset >= context.map.get(record.key);
  if (!latest) return false;
  if (record.value !== null) return true;
  const horizon = deleteHorizonOf(header);
  return horizon === null || context.nowMs < horizon;
}

/** Decides what to keep of the batch `bytes` (whose header is `header`, at position 0). */
export function filterBatch(bytes: Uint8Array, header: BatchHeader, context: FilterContext): FilteredBatch {
  const control = isControl(header.attributes);
  const canDiscard = control
    ? context.transactions.onControlBatch(header, controlRecordTypeOf(bytes, header))
    : context.transactions.onDataBatch(header);
  const horizon = deleteHorizonOf(header);
  const discardRecords = control ? canDiscard && horizon !== null && horizon <= context.nowMs : canDiscard;
  const retention: BatchRetention =
    header.producerId !== NO_PRODUCER_ID && isLastBatchOfProducer(header, context)
      ? "retain-empty"
      : lastOffset(header) + 1 === context.upperBoundOffset
      ? "retain-empty"
      : discardRecords
      ? "delete"
      : "delete-empty";
  if (retention === "delete") {
    return { output: null, recordsRead: header.recordCount, recordsRetained: 0, decodedBytes: 0 };
  }
  // Records of a batch kept only for its producer state are not even decoded.
  const records = discardRecords && !control ? [] : decodeRecords(bytes, header);
  const retained = discardRecords
    ? []
    : control
    ? records
    : records.filter((record) => retainRecord(record, header, context));
  const result = {
    recordsRead: header.recordCount,
    recordsRetained: retained.length,
    decodedBytes: decodedSize(records),
  };
  if (retained.length === 0) {
    return { ...result, output: retention === "retain-empty" ? emptyBatch(header) : null };
  }
  const hasTombstone = !control && retained.some((record) => record.value === null);
  const needsHorizon = (hasTombstone || (canDiscard && control)) && horizon === null;
  if (retained.length === records.length && !needsHorizon) return { ...result, output: bytes };
  const newHorizon = needsHorizon ? context.nowMs + context.deleteRetentionMs : horizon;
  return { ...result, output: rebuildBatch(header, retained, newHorizon) };
}

function batchFields(header: BatchHeader) {
  return {
    baseOffset: header.baseOffset,
    lastOffsetDelta: header.lastOffsetDelta,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    isTransactional: isTransactional(header.attributes),
    isControl: isControl(header.attributes),
    timestampType: timestampTypeIsLogAppend(header.attributes)
      ? TimestampType.LogAppendTime
      : TimestampType.CreateTime,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
  };
}

/** The kept records in a batch like the original, with the original's last offset and codec. */
function rebuildBatch(
  header: BatchHeader,
  retained: DecodedRecord[],
  deleteHorizonMs: number | null,
): Uint8Array {
  return buildBatch({
    ...batchFields(header),
    records: retained.map((record) => ({
      offset: record.offset,
      timestamp: record.timestamp,
      key: record.key,
      value: record.value,
      headers: record.headers,
    })),
    compression: compressionOf(header.attributes),
    maxTimestamp: timestampTypeIsLogAppend(header.attributes) ? header.maxTimestamp : undefined,
    deleteHorizonMs: deleteHorizonMs ?? undefined,
  });
}

/** A batch with no records that keeps the original's offsets and producer fields (Kafka's writeEmptyHeader). */
function emptyBatch(header: BatchHeader): Uint8Array {
  return buildBatch({
    ...batchFields(header),
    records: [],
    compression: Compression.None,
    maxTimestamp: header.maxTimestamp,
  });
}
