/**
 * The metadata log: `__cluster_metadata-0`, record batches whose records are
 * KRaft metadata records. Every change to topics, partitions, configs and
 * producer ids is appended here (and synced) before it is applied to the
 * image, and the image is rebuilt from here at start-up. A later Raft quorum
 * replicates exactly this log.
 */
import type { Clock } from "../io/types.ts";
import type { PartitionLog } from "../log/mod.ts";
import { decodeMetadataRecord, encodeMetadataRecord } from "../protocol/metadata_records.ts";
import { buildBatch, decodeBatches } from "../protocol/records.ts";
import type { MetadataRecord } from "./records.ts";

/** The Raft epoch written into metadata batches until a quorum exists (a single voter's first term). */
const SINGLE_NODE_EPOCH = 1;

/** Encodes a typed record as the value of a metadata log record. */
export function encodeRecord(record: MetadataRecord): Uint8Array {
  const { type, ...value } = record;
  return encodeMetadataRecord(type, 0, value);
}

/** Decodes a metadata log record value into a typed record. */
export function decodeRecord(bytes: Uint8Array): MetadataRecord {
  const decoded = decodeMetadataRecord(bytes);
  return { type: decoded.type, ...decoded.value } as MetadataRecord;
}

export class MetadataLog {
  constructor(private readonly log: PartitionLog, private readonly clock: Clock) {}

  /** Appends `records` as one batch and syncs it: a change is durable before it is applied. */
  append(records: MetadataRecord[]): void {
    if (records.length === 0) return;
    const now = this.clock.nowMs();
    const batch = buildBatch({
      records: records.map((record) => ({ timestamp: now, key: null, value: encodeRecord(record) })),
      partitionLeaderEpoch: SINGLE_NODE_EPOCH,
    });
    const result = this.log.append(batch, { leaderEpoch: SINGLE_NODE_EPOCH, nowMs: now });
    if (result.errorCode !== 0) throw new Error(`metadata log append failed: ${result.errorMessage}`);
    this.log.flush();
  }

  /** Every record in the log, in order. */
  *replay(): Generator<MetadataRecord> {
    let offset = this.log.logStartOffset;
    while (offset < this.log.logEndOffset) {
      const bytes = this.log.read(offset, {
        maxBytes: 1024 * 1024,
        minOneBatch: true,
        maxOffset: this.log.logEndOffset,
      });
      if (bytes.length === 0) break;
      for (const batch of decodeBatches(bytes)) {
        for (const record of batch.records) {
          if (record.offset < offset || record.value === null) continue;
          yield decodeRecord(record.value);
        }
        offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
      }
    }
  }
}
