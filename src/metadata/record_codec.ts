/**
 * The values of the metadata log's data records (`__cluster_metadata-0`,
 * replicated by the Raft quorum, see src/server/raft_driver/metadata_quorum.ts): KRaft
 * metadata records, as typed records both ways.
 */
import { decodeMetadataRecord, encodeMetadataRecord } from "../protocol/mod.ts";
import { type MetadataRecord, MetadataRecordType } from "./records.ts";

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
    case MetadataRecordType.Partition:
      return (record.eligibleLeaderReplicas?.length ?? 0) > 0 || (record.lastKnownElr?.length ?? 0) > 0
        ? 2
        : 0;
    case MetadataRecordType.PartitionChange:
      return record.eligibleLeaderReplicas != null || record.lastKnownElr != null ? 2 : 0;
    default:
      return 0;
  }
}

/** Decodes a metadata log record value into a typed record. */
export function decodeRecord(bytes: Uint8Array): MetadataRecord {
  const decoded = decodeMetadataRecord(bytes);
  return { type: decoded.type, ...decoded.value } as MetadataRecord;
}
