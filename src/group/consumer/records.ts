/**
 * The KIP-848 consumer group records of `__consumer_offsets`, with Kafka's
 * key and value layouts, so that Kafka and Dafka read each other's logs.
 *
 * A record key starts with an int16 "version" that is really the record type,
 * followed by the key's fields in the non-flexible encoding. A record value
 * starts with an int16 value version (always 0 for these records) followed by
 * the value's fields in the flexible encoding, tagged fields included. A null
 * value is a tombstone: it deletes what the key names.
 *
 * Record types (key versions):
 * - 3 ConsumerGroupMetadata: group id -> group epoch.
 * - 4 ConsumerGroupPartitionMetadata: group id -> subscribed topics (id, name,
 *   partition count; the per-partition racks list is written empty, as Kafka
 *   4.0 does, since nothing reads it any more).
 * - 5 ConsumerGroupMemberMetadata: group id, member id -> subscription and
 *   client details; the tagged ClassicMemberMetadata (tag 0) is kept for
 *   round trips but Dafka never writes it.
 * - 6 ConsumerGroupTargetAssignmentMetadata: group id -> assignment epoch.
 * - 7 ConsumerGroupTargetAssignmentMember: group id, member id -> target partitions.
 * - 8 ConsumerGroupCurrentMemberAssignment: group id, member id -> member epoch,
 *   previous epoch, state, assigned partitions and partitions pending revocation.
 *
 * Regular-expression records (type 16, Kafka 4.0) are not handled: Dafka does
 * not support regex subscriptions yet.
 */
import {
  arrayOf,
  decodeFields,
  encodeFields,
  type Field,
  field,
  ProtocolError,
  Reader,
  struct,
  structs,
  Writer,
} from "../../protocol/mod.ts";
import type { TopicPartitionsWire } from "./assignment.ts";

/** Record types, written as the key's int16 version. */
export const ConsumerGroupRecordType = {
  GROUP_METADATA: 3,
  PARTITION_METADATA: 4,
  MEMBER_METADATA: 5,
  TARGET_ASSIGNMENT_METADATA: 6,
  TARGET_ASSIGNMENT_MEMBER: 7,
  CURRENT_MEMBER_ASSIGNMENT: 8,
} as const;

/** The only value version of these records that Kafka 4.0 writes. */
const VALUE_VERSION = 0;

const groupKey = [field("groupId", "string", "0+")] as const;
const memberKey = [field("groupId", "string", "0+"), field("memberId", "string", "0+")] as const;

const topicPartitionsFields = [
  field("topicId", "uuid", "0+"),
  field("partitions", arrayOf("int32"), "0+"),
] as const;

/** The key and value fields of one record type. */
export interface ConsumerGroupRecordSchema {
  readonly name: string;
  readonly key: readonly Field[];
  readonly value: readonly Field[];
}

/** Key and value fields by record type, as literal types (the value types derive from them). */
export const CONSUMER_GROUP_RECORD_SCHEMAS = {
  [ConsumerGroupRecordType.GROUP_METADATA]: {
    name: "ConsumerGroupMetadata",
    key: groupKey,
    value: [field("epoch", "int32", "0+")],
  },
  [ConsumerGroupRecordType.PARTITION_METADATA]: {
    name: "ConsumerGroupPartitionMetadata",
    key: groupKey,
    value: [
      field(
        "topics",
        structs([
          field("topicId", "uuid", "0+"),
          field("topicName", "string", "0+"),
          field("numPartitions", "int32", "0+"),
          field(
            "partitionMetadata",
            structs([field("partition", "int32", "0+"), field("racks", arrayOf("string"), "0+")]),
            "0+",
          ),
        ]),
        "0+",
      ),
    ],
  },
  [ConsumerGroupRecordType.MEMBER_METADATA]: {
    name: "ConsumerGroupMemberMetadata",
    key: memberKey,
    value: [
      field("instanceId", "string", "0+", { nullable: "0+" }),
      field("rackId", "string", "0+", { nullable: "0+" }),
      field("clientId", "string", "0+"),
      field("clientHost", "string", "0+"),
      field("subscribedTopicNames", arrayOf("string"), "0+"),
      field("subscribedTopicRegex", "string", "0+", { nullable: "0+" }),
      field("rebalanceTimeoutMs", "int32", "0+", { default: -1 }),
      field("serverAssignor", "string", "0+", { nullable: "0+" }),
      field(
        "classicMemberMetadata",
        struct([
          field("sessionTimeoutMs", "int32", "0+"),
          field(
            "supportedProtocols",
            structs([field("name", "string", "0+"), field("metadata", "bytes", "0+")]),
            "0+",
          ),
        ]),
        "0+",
        { nullable: "0+", tag: 0, default: null },
      ),
    ],
  },
  [ConsumerGroupRecordType.TARGET_ASSIGNMENT_METADATA]: {
    name: "ConsumerGroupTargetAssignmentMetadata",
    key: groupKey,
    value: [field("assignmentEpoch", "int32", "0+")],
  },
  [ConsumerGroupRecordType.TARGET_ASSIGNMENT_MEMBER]: {
    name: "ConsumerGroupTargetAssignmentMember",
    key: memberKey,
    value: [field("topicPartitions", structs(topicPartitionsFields), "0+")],
  },
  [ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT]: {
    name: "ConsumerGroupCurrentMemberAssignment",
    key: memberKey,
    value: [
      field("memberEpoch", "int32", "0+"),
      field("previousMemberEpoch", "int32", "0+"),
      field("state", "int8", "0+"),
      field("assignedPartitions", structs(topicPartitionsFields), "0+"),
      field("partitionsPendingRevocation", structs(topicPartitionsFields), "0+"),
    ],
  },
} as const satisfies Record<number, ConsumerGroupRecordSchema>;

/** The same, looked up by a type read from a key (any int16). */
const SCHEMAS_BY_TYPE: Readonly<Record<number, ConsumerGroupRecordSchema | undefined>> =
  CONSUMER_GROUP_RECORD_SCHEMAS;

/** ConsumerGroupMetadataValue. */
export interface GroupMetadataValue {
  epoch: number;
}

/** One topic of ConsumerGroupPartitionMetadataValue. */
export interface PartitionMetadataTopic {
  topicId: Uint8Array;
  topicName: string;
  numPartitions: number;
  /** Deprecated in Kafka 4.0; written empty. */
  partitionMetadata: { partition: number; racks: string[] }[];
}

/** ConsumerGroupPartitionMetadataValue. */
export interface PartitionMetadataValue {
  topics: PartitionMetadataTopic[];
}

/** The classic-protocol details of a member of an upgraded group (never written by Dafka). */
export interface ClassicMemberMetadata {
  sessionTimeoutMs: number;
  supportedProtocols: { name: string; metadata: Uint8Array }[];
}

/** ConsumerGroupMemberMetadataValue. */
export interface MemberMetadataValue {
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
  classicMemberMetadata: ClassicMemberMetadata | null;
}

/** ConsumerGroupTargetAssignmentMetadataValue. */
export interface TargetAssignmentMetadataValue {
  assignmentEpoch: number;
}

/** ConsumerGroupTargetAssignmentMemberValue. */
export interface TargetAssignmentMemberValue {
  topicPartitions: TopicPartitionsWire[];
}

/** ConsumerGroupCurrentMemberAssignmentValue. */
export interface CurrentMemberAssignmentValue {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: number;
  assignedPartitions: TopicPartitionsWire[];
  partitionsPendingRevocation: TopicPartitionsWire[];
}

/** One consumer group record; a null value is a tombstone. */
export type ConsumerGroupRecord =
  | { type: typeof ConsumerGroupRecordType.GROUP_METADATA; groupId: string; value: GroupMetadataValue | null }
  | {
    type: typeof ConsumerGroupRecordType.PARTITION_METADATA;
    groupId: string;
    value: PartitionMetadataValue | null;
  }
  | {
    type: typeof ConsumerGroupRecordType.MEMBER_METADATA;
    groupId: string;
    memberId: string;
    value: MemberMetadataValue | null;
  }
  | {
    type: typeof ConsumerGroupRecordType.TARGET_ASSIGNMENT_METADATA;
    groupId: string;
    value: TargetAssignmentMetadataValue | null;
  }
  | {
    type: typeof ConsumerGroupRecordType.TARGET_ASSIGNMENT_MEMBER;
    groupId: string;
    memberId: string;
    value: TargetAssignmentMemberValue | null;
  }
  | {
    type: typeof ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT;
    groupId: string;
    memberId: string;
    value: CurrentMemberAssignmentValue | null;
  };

/** A record as bytes: the key, and the value or null for a tombstone. */
export interface EncodedRecord {
  key: Uint8Array;
  value: Uint8Array | null;
}

/** Whether a `__consumer_offsets` key belongs to one of these record types. */
export function isConsumerGroupRecordKey(key: Uint8Array): boolean {
  return key.length >= 2 && SCHEMAS_BY_TYPE[new Reader(key).int16()] !== undefined;
}

/** Encodes a record's key and value as Kafka lays them out. */
export function encodeConsumerGroupRecord(record: ConsumerGroupRecord): EncodedRecord {
  const schema = SCHEMAS_BY_TYPE[record.type]!;
  const key = new Writer(64);
  key.int16(record.type);
  encodeFields(key, schema.key, record.type, false, record);
  if (record.value === null) return { key: key.finish(), value: null };
  const value = new Writer(128);
  value.int16(VALUE_VERSION);
  encodeFields(value, schema.value, VALUE_VERSION, true, record.value);
  return { key: key.finish(), value: value.finish() };
}

/**
 * Decodes a record; null when the key is not one of these record types (an
 * offset commit or a classic group, for another decoder). Throws
 * ProtocolError on malformed bytes and on value versions other than 0, which
 * only a newer Kafka writes: guessing at their layout could load wrong state.
 */
export function decodeConsumerGroupRecord(
  key: Uint8Array,
  value: Uint8Array | null,
): ConsumerGroupRecord | null {
  const keyReader = new Reader(key);
  const type = keyReader.int16();
  const schema = SCHEMAS_BY_TYPE[type];
  if (!schema) return null;
  const keyFields = decodeFields(keyReader, schema.key, type, false);
  if (keyReader.remaining > 0) {
    throw new ProtocolError(`${keyReader.remaining} bytes left after ${schema.name} key`);
  }
  let decodedValue = null;
  if (value !== null) {
    const valueReader = new Reader(value);
    const version = valueReader.int16();
    if (version !== VALUE_VERSION) {
      throw new ProtocolError(`unsupported ${schema.name} value version ${version}`);
    }
    decodedValue = decodeFields(valueReader, schema.value, version, true);
    if (valueReader.remaining > 0) {
      throw new ProtocolError(`${valueReader.remaining} bytes left after ${schema.name} value`);
    }
  }
  return { type, ...keyFields, value: decodedValue } as ConsumerGroupRecord;
}
