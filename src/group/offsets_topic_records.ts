/**
 * The records of `__consumer_offsets`, in Kafka's layout so that either
 * broker reads the other's log directory. A record's key starts with an
 * int16 version that says what the record is:
 *
 * - versions 0 and 1: an OffsetCommitKey (group, topic, partition); its value
 *   is an OffsetCommitValue (an int16 version, then the fields);
 * - version 2: a GroupMetadataKey (group); its value a GroupMetadataValue with
 *   a classic group's generation, protocol, leader and members;
 * - versions 3 and later: the records of KIP-848 consumer groups and share
 *   groups, kept here as raw bytes for the modules that own them.
 *
 * A null value is a tombstone: the key's offset or group is deleted.
 *
 * Value versions, written from the facts of Kafka's schemas:
 * OffsetCommitValue v0 (offset, metadata, commit timestamp), v1 adds an
 * expire timestamp (only v1 has it), v2 drops it, v3 adds the leader epoch
 * before the metadata, v4 is the first flexible version. GroupMetadataValue
 * v0 (protocol type, generation, protocol, leader, members with id, client
 * id, client host, session timeout, subscription, assignment), v1 adds each
 * member's rebalance timeout, v2 the current state timestamp, v3 each
 * member's group instance id, v4 is the first flexible version.
 *
 * Kafka 4 writes OffsetCommitKey v1 with OffsetCommitValue v3 (v1 when the
 * commit carries an explicit retention), and GroupMetadataKey v2 with
 * GroupMetadataValue v3; Dafka writes the same.
 */
import {
  decodeFields,
  encodeFields,
  type Field,
  field,
  inRange,
  type MessageInputOf,
  type MessageOf,
  ProtocolError,
  Reader,
  structs,
  Writer,
} from "../protocol/mod.ts";

/** A committed offset as stored. */
export interface OffsetCommitValue {
  offset: number;
  /** -1 when unknown (value versions before 3 do not carry it). */
  leaderEpoch: number;
  /** Never null in the log: a commit without metadata stores "". */
  metadata: string;
  commitTimestamp: number;
  /** Only value version 1 carries it; -1 otherwise. */
  expireTimestamp: number;
}

/** One member of a classic group as stored. */
export interface GroupMetadataMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** -1 in value version 0, which predates it (the session timeout then serves). */
  rebalanceTimeout: number;
  sessionTimeout: number;
  /** The member's metadata for the group's selected protocol. */
  subscription: Uint8Array;
  assignment: Uint8Array;
}

/** A classic group as stored. */
export interface GroupMetadataValue {
  /** "" for a group without one (a simple or empty group). */
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (value versions before 2). */
  currentStateTimestamp: number;
  members: GroupMetadataMember[];
}

/** One record of `__consumer_offsets`, decoded. */
export type OffsetsTopicRecord =
  | {
    kind: "offset-commit";
    groupId: string;
    topic: string;
    partition: number;
    value: OffsetCommitValue | null;
  }
  | { kind: "group-metadata"; groupId: string; value: GroupMetadataValue | null }
  | { kind: "other"; keyVersion: number; key: Uint8Array; value: Uint8Array | null };

/** A record ready for a batch. */
export interface EncodedRecord {
  key: Uint8Array;
  value: Uint8Array | null;
}

const OFFSET_COMMIT_KEY = [
  field("group", "string", "0-1"),
  field("topic", "string", "0-1"),
  field("partition", "int32", "0-1"),
] as const;

const GROUP_METADATA_KEY = [field("group", "string", "2")] as const;

const OFFSET_COMMIT_VALUE = [
  field("offset", "int64", "0+"),
  field("leaderEpoch", "int32", "3+", { default: -1 }),
  field("metadata", "string", "0+"),
  field("commitTimestamp", "int64", "0+"),
  field("expireTimestamp", "int64", "1", { default: -1 }),
] as const;

const GROUP_METADATA_VALUE = [
  field("protocolType", "string", "0+"),
  field("generation", "int32", "0+"),
  field("protocol", "string", "0+", { nullable: "0+" }),
  field("leader", "string", "0+", { nullable: "0+" }),
  field("currentStateTimestamp", "int64", "2+", { default: -1 }),
  field(
    "members",
    structs([
      field("memberId", "string", "0+"),
      field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
      field("clientId", "string", "0+"),
      field("clientHost", "string", "0+"),
      field("rebalanceTimeout", "int32", "1+", { default: -1 }),
      field("sessionTimeout", "int32", "0+"),
      field("subscription", "bytes", "0+"),
      field("assignment", "bytes", "0+"),
    ]),
    "0+",
  ),
] as const;

/** Value versions this code reads; the first flexible one is 4 for both. */
const VALUE_VERSIONS = "0-4";
const FIRST_FLEXIBLE_VALUE_VERSION = 4;
/** What Kafka 4 writes. */
export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
export const GROUP_METADATA_VALUE_VERSION = 3;

function encodeVersioned<const Fields extends readonly Field[]>(
  fields: Fields,
  version: number,
  flexible: boolean,
  value: MessageInputOf<Fields>,
): Uint8Array {
  const writer = new Writer(64);
  writer.int16(version);
  encodeFields(writer, fields, version, flexible, value);
  return writer.finish();
}

/** Decodes a key's fields; a key must be read whole, or it names something else. */
function decodeKey<const Fields extends readonly Field[]>(
  reader: Reader,
  fields: Fields,
  version: number,
  what: string,
): MessageOf<Fields> {
  const decoded = decodeFields(reader, fields, version, false);
  if (reader.remaining > 0) throw new ProtocolError(`${reader.remaining} bytes left after ${what}`);
  return decoded;
}

/** Encodes one record as Kafka 4 writes it. */
export function encodeOffsetsTopicRecord(record: OffsetsTopicRecord): EncodedRecord {
  switch (record.kind) {
    case "offset-commit": {
      const key = encodeVersioned(OFFSET_COMMIT_KEY, OFFSET_COMMIT_KEY_VERSION, false, {
        group: record.groupId,
        topic: record.topic,
        partition: record.partition,
      });
      if (record.value === null) return { key, value: null };
      const version = record.value.expireTimestamp >= 0
        ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY
        : OFFSET_COMMIT_VALUE_VERSION;
      return { key, value: encodeVersioned(OFFSET_COMMIT_VALUE, version, false, record.value) };
    }
    case "group-metadata": {
      const key = encodeVersioned(GROUP_METADATA_KEY, GROUP_METADATA_KEY_VERSION, false, {
        group: record.groupId,
      });
      if (record.value === null) return { key, value: null };
      return {
        key,
        value: encodeVersioned(GROUP_METADATA_VALUE, GROUP_METADATA_VALUE_VERSION, false, record.value),
      };
    }
    case "other":
      return { key: record.key, value: record.value };
  }
}

function readValueVersion(reader: Reader, what: string): number {
  const version = reader.int16();
  if (!inRange(VALUE_VERSIONS, version)) throw new ProtocolError(`unknown ${what} version ${version}`);
  return version;
}

function decodeOffsetCommitValue(bytes: Uint8Array): OffsetCommitValue {
  const reader = new Reader(bytes);
  const version = readValueVersion(reader, "OffsetCommitValue");
  const flexible = version >= FIRST_FLEXIBLE_VALUE_VERSION;
  // Bytes after the known fields are ignored, as Kafka does (a newer writer's additions).
  return decodeFields(reader, OFFSET_COMMIT_VALUE, version, flexible);
}

function decodeGroupMetadataValue(bytes: Uint8Array): GroupMetadataValue {
  const reader = new Reader(bytes);
  const version = readValueVersion(reader, "GroupMetadataValue");
  const flexible = version >= FIRST_FLEXIBLE_VALUE_VERSION;
  return decodeFields(reader, GROUP_METADATA_VALUE, version, flexible);
}

/**
 * Decodes one record. Throws a ProtocolError for a record Dafka cannot read
 * (a null key, an unknown value version, a truncated field).
 */
export function decodeOffsetsTopicRecord(
  key: Uint8Array | null,
  value: Uint8Array | null,
): OffsetsTopicRecord {
  if (key === null) throw new ProtocolError("__consumer_offsets record without a key");
  const reader = new Reader(key);
  const keyVersion = reader.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const decoded = decodeKey(reader, OFFSET_COMMIT_KEY, keyVersion, "OffsetCommitKey");
    return {
      kind: "offset-commit",
      groupId: decoded.group,
      topic: decoded.topic,
      partition: decoded.partition,
      value: value === null ? null : decodeOffsetCommitValue(value),
    };
  }
  if (keyVersion === 2) {
    const decoded = decodeKey(reader, GROUP_METADATA_KEY, keyVersion, "GroupMetadataKey");
    return {
      kind: "group-metadata",
      groupId: decoded.group,
      value: value === null ? null : decodeGroupMetadataValue(value),
    };
  }
  return { kind: "other", keyVersion, key, value };
}
