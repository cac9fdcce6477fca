/**
 * The metadata log: `__cluster_metadata-0`, record batches whose records are
 * KRaft metadata records. Every change to topics, partitions, configs and
 * producer ids is appended here (and synced) before it is applied to the
 * image, and the image is rebuilt from here at start-up. A later Raft quorum
 * replicates exactly this log.
 */
import type { Clock, Disk } from "../io/types.ts";
import { isControl, scanBatches } from "../protocol/record_batch.ts";
import type { PartitionLog } from "../log/mod.ts";
import { decodeMetadataRecord, encodeMetadataRecord } from "../protocol/metadata_records.ts";
import { buildBatch, decodeBatches } from "../protocol/records.ts";
import { type MetadataRecord, MetadataRecordType } from "./records.ts";

/** The Raft epoch written into metadata batches until a quorum exists (a single voter's first term). */
const SINGLE_NODE_EPOCH = 1;

/** Encodes a typed record as the value of a metadata log record. */
export function encodeRecord(record: MetadataRecord): Uint8Array {
  const { type, ...value } = record;
  return encodeMetadataRecord(type, recordVersion(record), value);
}

/**
 * The version a record is written at: 0, unless it carries a field that only a
 * later version has. The codec drops fields absent from the version it
 * writes, so a controlled shutdown must go out as version 1 (as Kafka writes it).
 */
export function recordVersion(record: MetadataRecord): number {
  switch (record.type) {
    case MetadataRecordType.RegisterBroker:
      return record.inControlledShutdown ? 1 : 0;
    case MetadataRecordType.BrokerRegistrationChange:
      return record.inControlledShutdown !== 0 ? 1 : 0;
    default:
      return 0;
  }
}

/** Decodes a metadata log record value into a typed record. */
export function decodeRecord(bytes: Uint8Array): MetadataRecord {
  const decoded = decodeMetadataRecord(bytes);
  return { type: decoded.type, ...decoded.value } as MetadataRecord;
}

export class MetadataLog {
  constructor(
    private readonly log: PartitionLog,
    private readonly clock: Clock,
    private readonly disk: Disk | null = null,
  ) {}

  /**
   * Appends `records` as one batch and syncs it: a change is durable before it
   * is applied. The batch carries the log's current epoch (at least 1), so a
   * metadata log adopted from Kafka keeps non-decreasing leader epochs.
   */
  append(records: MetadataRecord[]): void {
    if (records.length === 0) return;
    const now = this.clock.nowMs();
    const epoch = Math.max(SINGLE_NODE_EPOCH, this.log.latestEpoch);
    const batch = buildBatch({
      records: records.map((record) => ({ timestamp: now, key: null, value: encodeRecord(record) })),
      partitionLeaderEpoch: epoch,
    });
    const result = this.log.append(batch, { leaderEpoch: epoch, nowMs: now });
    if (result.errorCode !== 0) throw new Error(`metadata log append failed: ${result.errorMessage}`);
    this.log.flush();
  }

  /**
   * Every record of the metadata: the newest snapshot (`<offset>-<epoch>.checkpoint`,
   * as KRaft writes them) if there is one, then the log from where the
   * snapshot ends. Control batches (leader changes, snapshot headers) and
   * record types Dafka does not use are skipped.
   */
  *replay(): Generator<MetadataRecord> {
    const snapshot = this.#newestSnapshot();
    let offset = this.log.logStartOffset;
    if (snapshot) {
      yield* recordsOf(snapshot.bytes, 0, this.onSkip);
      offset = Math.max(offset, snapshot.endOffset);
    }
    while (offset < this.log.logEndOffset) {
      const bytes = this.log.read(offset, {
        maxBytes: 1024 * 1024,
        minOneBatch: true,
        maxOffset: this.log.logEndOffset,
      });
      if (bytes.length === 0) break;
      yield* recordsOf(bytes, offset, this.onSkip);
      for (const batch of scanBatches(bytes).headers) offset = batch.baseOffset + batch.lastOffsetDelta + 1;
    }
  }

  /** Called with a reason for each record that replay skips. */
  onSkip: (reason: string) => void = () => {};

  #newestSnapshot(): { endOffset: number; bytes: Uint8Array } | null {
    if (!this.disk) return null;
    const names = this.disk.list(this.log.directory).filter((name) => SNAPSHOT_NAME.test(name)).sort();
    const newest = names.at(-1);
    if (!newest) return null;
    const bytes = this.disk.readFile(`${this.log.directory}/${newest}`);
    if (!bytes) return null;
    return { endOffset: Number(SNAPSHOT_NAME.exec(newest)![1]), bytes };
  }
}

/** KRaft snapshot files: `<end offset, 20 digits>-<epoch, 10 digits>.checkpoint`. */
const SNAPSHOT_NAME = /^(\d{20})-(\d{10})\.checkpoint$/;

function* recordsOf(
  bytes: Uint8Array,
  fromOffset: number,
  onSkip: (reason: string) => void,
): Generator<MetadataRecord> {
  for (const batch of decodeBatches(bytes)) {
    if (isControl(batch.header.attributes)) continue;
    for (const record of batch.records) {
      if (record.offset < fromOffset || record.value === null) continue;
      try {
        yield decodeRecord(record.value);
      } catch (error) {
        onSkip(`metadata record at offset ${record.offset}: ${(error as Error).message}`);
      }
    }
  }
}
