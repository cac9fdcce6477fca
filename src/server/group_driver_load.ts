/**
 * Reading a `__consumer_offsets` partition back at start-up: every record
 * from the log start to the log end, in order, decoded with Kafka's
 * schemas. Old message formats (magic 0 and 1, written by Kafka before
 * 0.11) are read too. Offsets committed inside a transaction count only once
 * its commit marker is read; an aborted transaction's offsets are dropped.
 */
import type { PartitionLog } from "../log/mod.ts";
import { decodeOffsetsTopicRecord, type OffsetsTopicRecord } from "../group/mod.ts";
import {
  ControlRecordType,
  decodeBatch,
  type DecodedRecord,
  isControl,
  isTransactional,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  messagesOfEntry,
  readControlRecordType,
  readLegacyEntry,
} from "../protocol/mod.ts";

/** How much of the log one read takes. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** What loading found, for the node's log. */
export interface LoadSummary {
  records: number;
  /** Records that could not be decoded (skipped, as they cannot be served). */
  skipped: number;
}

/**
 * Calls `apply` with every record of `log` in order. Undecodable records are
 * reported through `warn` and skipped.
 */
export function readOffsetsPartition(
  log: PartitionLog,
  apply: (record: OffsetsTopicRecord) => void,
  warn: (line: string) => void,
): LoadSummary {
  const summary: LoadSummary = { records: 0, skipped: 0 };
  const pendingTransactions = new Map<number, OffsetsTopicRecord[]>();
  const decodeOne = (record: DecodedRecord): OffsetsTopicRecord | null => {
    try {
      return decodeOffsetsTopicRecord(record.key, record.value);
    } catch (error) {
      summary.skipped++;
      warn(
        `skipping record at offset ${record.offset} of ${log.topic}-${log.partition}: ${
          (error as Error).message
        }`,
      );
      return null;
    }
  };
  const applyCounted = (record: OffsetsTopicRecord) => {
    apply(record);
    summary.records++;
  };
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const bytes = log.read(offset, { maxBytes: READ_CHUNK_BYTES, minOneBatch: true });
    if (bytes.length === 0) break;
    const next = forEachEntry(bytes, (entry) => {
      if (entry.kind === "legacy") {
        for (const record of entry.records) {
          const decoded = decodeOne(record);
          if (decoded) applyCounted(decoded);
        }
        return;
      }
      const { header, records } = entry.batch;
      if (isControl(header.attributes)) {
        const pending = pendingTransactions.get(header.producerId) ?? [];
        pendingTransactions.delete(header.producerId);
        const type = records[0] ? readControlRecordType(records[0].key) : ControlRecordType.Abort;
        if (type === ControlRecordType.Commit) pending.forEach(applyCounted);
        return;
      }
      const decoded = records.map(decodeOne).filter((record) => record !== null);
      if (isTransactional(header.attributes)) {
        const pending = pendingTransactions.get(header.producerId) ?? [];
        pending.push(...decoded);
        pendingTransactions.set(header.producerId, pending);
        return;
      }
      decoded.forEach(applyCounted);
    });
    if (next <= offset) break;
    offset = next;
  }
  return summary;
}

type Entry =
  | { kind: "batch"; batch: ReturnType<typeof decodeBatch> }
  | { kind: "legacy"; records: DecodedRecord[] };

/** Visits each whole entry of `bytes`; returns the offset after the last one. */
function forEachEntry(bytes: Uint8Array, visit: (entry: Entry) => void): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  let nextOffset = -1;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const length = view.getInt32(position + 8);
    const end = position + LOG_OVERHEAD + length;
    if (length < 0 || end > bytes.length) break;
    if (bytes[position + MAGIC_OFFSET] === 2) {
      const batch = decodeBatch(bytes, position);
      nextOffset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
      visit({ kind: "batch", batch });
    } else {
      const messages = messagesOfEntry(readLegacyEntry(bytes, position, true));
      const records = messages.map((message) => ({
        offset: message.offset,
        timestamp: message.timestamp,
        key: message.key,
        value: message.value,
        headers: [],
      }));
      nextOffset = Number(view.getBigInt64(position)) + 1;
      visit({ kind: "legacy", records });
    }
    position = end;
  }
  return nextOffset;
}
