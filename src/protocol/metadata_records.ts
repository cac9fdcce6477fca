/**
 * The KRaft metadata records Dafka writes to `__cluster_metadata-0`, and
 * Kafka's framing of a record value in that log.
 *
 * Each record value is: an unsigned varint frame version (always 1), an
 * unsigned varint record type (the record's "api key"), an unsigned varint
 * record version, then the record's fields in the flexible (compact) encoding,
 * tagged fields included. Every metadata record is flexible from version 0.
 *
 * Versions per record:
 * - RegisterBrokerRecord (0), 0-3: v1 adds in-controlled-shutdown, v2
 *   is-migrating-ZooKeeper-broker, v3 the tagged log directory ids.
 * - UnregisterBrokerRecord (1), 0.
 * - TopicRecord (2), 0.
 * - PartitionRecord (3), 0-2: v1 adds the replicas' directory ids (KIP-858),
 *   v2 the tagged eligible leader replicas and last known ELR (KIP-966).
 * - ConfigRecord (4), 0.
 * - PartitionChangeRecord (5), 0-2: every change is a tagged field; v1 adds
 *   directories, v2 eligible leader replicas and last known ELR.
 * - FenceBrokerRecord (7) and UnfenceBrokerRecord (8), 0: what Kafka wrote
 *   before metadata.version 3.3-IV2; later versions write
 *   BrokerRegistrationChangeRecord instead, but replay still accepts them.
 * - RemoveTopicRecord (9), 0.
 * - FeatureLevelRecord (12), 0: Kafka keeps it at version 0 for good, since a
 *   log starts with it and readers need it to learn the metadata version.
 * - ProducerIdsRecord (15), 0.
 * - BrokerRegistrationChangeRecord (17), 0-2: v1 adds the tagged
 *   in-controlled-shutdown change, v2 the tagged log directory ids.
 * - NoOpRecord (20), 0: no fields; the controller writes it to advance the
 *   log and the high watermark.
 */
import { decodeFields, encodeFields, type Message } from "./codec.ts";
import type { MessageInputOf, MessageOf } from "./message_types.ts";
import { ProtocolError, Reader } from "./reader.ts";
import { arrayOf, type Field, field, inRange, structs } from "./schema.ts";
import { Writer } from "./writer.ts";

/** The description of one metadata record type. */
export interface MetadataRecordSchema {
  /** The record type, written as the frame's "api key". */
  apiKey: number;
  name: string;
  /** Versions Dafka reads and writes, e.g. "0-3". */
  versions: string;
  /** Always "0+": metadata records have no non-flexible version. */
  flexible: string;
  readonly fields: readonly Field[];
}

/** The record types by name (KRaft's api keys of metadata records), for readable call sites. */
export const MetadataRecordType = {
  RegisterBroker: 0,
  UnregisterBroker: 1,
  Topic: 2,
  Partition: 3,
  Config: 4,
  PartitionChange: 5,
  FenceBroker: 7,
  UnfenceBroker: 8,
  RemoveTopic: 9,
  FeatureLevel: 12,
  ProducerIds: 15,
  BrokerRegistrationChange: 17,
  NoOp: 20,
} as const;

/** A metadata record type Dafka knows. */
export type MetadataRecordTypeId = typeof MetadataRecordType[keyof typeof MetadataRecordType];

/** The only frame version Kafka has written since 3.0 (version 0 was the 2.8 preview). */
const FRAME_VERSION = 1;

export const registerBrokerRecord = {
  apiKey: MetadataRecordType.RegisterBroker,
  name: "RegisterBrokerRecord",
  versions: "0-3",
  flexible: "0+",
  fields: [
    field("brokerId", "int32", "0+"),
    field("isMigratingZkBroker", "bool", "2+"),
    field("incarnationId", "uuid", "0+"),
    field("brokerEpoch", "int64", "0+"),
    field(
      "endPoints",
      structs([
        field("name", "string", "0+"),
        field("host", "string", "0+"),
        field("port", "uint16", "0+"),
        field("securityProtocol", "int16", "0+"),
      ]),
      "0+",
    ),
    field(
      "features",
      structs([
        field("name", "string", "0+"),
        field("minSupportedVersion", "int16", "0+"),
        field("maxSupportedVersion", "int16", "0+"),
      ]),
      "0+",
    ),
    field("rack", "string", "0+", { nullable: "0+" }),
    field("fenced", "bool", "0+", { default: true }),
    field("inControlledShutdown", "bool", "1+"),
    field("logDirs", arrayOf("uuid"), "3+", { tag: 0 }),
  ],
} as const satisfies MetadataRecordSchema;

export const unregisterBrokerRecord = {
  apiKey: MetadataRecordType.UnregisterBroker,
  name: "UnregisterBrokerRecord",
  versions: "0",
  flexible: "0+",
  fields: [
    field("brokerId", "int32", "0+"),
    field("brokerEpoch", "int64", "0+"),
  ],
} as const satisfies MetadataRecordSchema;

export const topicRecord = {
  apiKey: MetadataRecordType.Topic,
  name: "TopicRecord",
  versions: "0",
  flexible: "0+",
  fields: [
    field("name", "string", "0+"),
    field("topicId", "uuid", "0+"),
  ],
} as const satisfies MetadataRecordSchema;

export const partitionRecord = {
  apiKey: MetadataRecordType.Partition,
  name: "PartitionRecord",
  versions: "0-2",
  flexible: "0+",
  fields: [
    field("partitionId", "int32", "0+", { default: -1 }),
    field("topicId", "uuid", "0+"),
    field("replicas", arrayOf("int32"), "0+"),
    field("isr", arrayOf("int32"), "0+"),
    // Empty unless a reassignment is under way, so a record may leave them out.
    field("removingReplicas", arrayOf("int32"), "0+", { default: [] }),
    field("addingReplicas", arrayOf("int32"), "0+", { default: [] }),
    field("leader", "int32", "0+", { default: -1 }),
    field("leaderRecoveryState", "int8", "0+", { tag: 0 }),
    field("leaderEpoch", "int32", "0+", { default: -1 }),
    field("partitionEpoch", "int32", "0+", { default: -1 }),
    field("directories", arrayOf("uuid"), "1+"),
    field("eligibleLeaderReplicas", arrayOf("int32"), "2+", { nullable: "2+", tag: 1, default: null }),
    field("lastKnownElr", arrayOf("int32"), "2+", { nullable: "2+", tag: 2, default: null }),
  ],
} as const satisfies MetadataRecordSchema;

export const configRecord = {
  apiKey: MetadataRecordType.Config,
  name: "ConfigRecord",
  versions: "0",
  flexible: "0+",
  fields: [
    field("resourceType", "int8", "0+"),
    field("resourceName", "string", "0+"),
    field("name", "string", "0+"),
    field("value", "string", "0+", { nullable: "0+" }),
  ],
} as const satisfies MetadataRecordSchema;

/**
 * Tagged fields left at their defaults mean "unchanged": a leader of -2 keeps
 * the leader (-1 means no leader), null lists keep the lists.
 */
export const partitionChangeRecord = {
  apiKey: MetadataRecordType.PartitionChange,
  name: "PartitionChangeRecord",
  versions: "0-2",
  flexible: "0+",
  fields: [
    field("partitionId", "int32", "0+", { default: -1 }),
    field("topicId", "uuid", "0+"),
    field("isr", arrayOf("int32"), "0+", { nullable: "0+", tag: 0, default: null }),
    field("leader", "int32", "0+", { tag: 1, default: -2 }),
    field("replicas", arrayOf("int32"), "0+", { nullable: "0+", tag: 2, default: null }),
    field("removingReplicas", arrayOf("int32"), "0+", { nullable: "0+", tag: 3, default: null }),
    field("addingReplicas", arrayOf("int32"), "0+", { nullable: "0+", tag: 4, default: null }),
    field("leaderRecoveryState", "int8", "0+", { tag: 5, default: -1 }),
    field("directories", arrayOf("uuid"), "1+", { nullable: "1+", tag: 8, default: null }),
    field("eligibleLeaderReplicas", arrayOf("int32"), "2+", { nullable: "2+", tag: 6, default: null }),
    field("lastKnownElr", arrayOf("int32"), "2+", { nullable: "2+", tag: 7, default: null }),
  ],
} as const satisfies MetadataRecordSchema;

/** Kafka names this record's fields `Id` and `Epoch`, unlike the later records. */
export const fenceBrokerRecord = {
  apiKey: MetadataRecordType.FenceBroker,
  name: "FenceBrokerRecord",
  versions: "0",
  flexible: "0+",
  fields: [
    field("id", "int32", "0+"),
    field("epoch", "int64", "0+"),
  ],
} as const satisfies MetadataRecordSchema;

export const unfenceBrokerRecord = {
  apiKey: MetadataRecordType.UnfenceBroker,
  name: "UnfenceBrokerRecord",
  versions: "0",
  flexible: "0+",
  fields: [
    field("id", "int32", "0+"),
    field("epoch", "int64", "0+"),
  ],
} as const satisfies MetadataRecordSchema;

export const removeTopicRecord = {
  apiKey: MetadataRecordType.RemoveTopic,
  name: "RemoveTopicRecord",
  versions: "0",
  flexible: "0+",
  fields: [field("topicId", "uuid", "0+")],
} as const satisfies MetadataRecordSchema;

export const featureLevelRecord = {
  apiKey: MetadataRecordType.FeatureLevel,
  name: "FeatureLevelRecord",
  versions: "0",
  flexible: "0+",
  fields: [
    field("name", "string", "0+"),
    field("featureLevel", "int16", "0+"),
  ],
} as const satisfies MetadataRecordSchema;

export const producerIdsRecord = {
  apiKey: MetadataRecordType.ProducerIds,
  name: "ProducerIdsRecord",
  versions: "0",
  flexible: "0+",
  fields: [
    field("brokerId", "int32", "0+"),
    field("brokerEpoch", "int64", "0+", { default: -1 }),
    field("nextProducerId", "int64", "0+"),
  ],
} as const satisfies MetadataRecordSchema;

/**
 * A change to a registration. `fenced` is 1 to fence, -1 to unfence and 0 for
 * no change; `inControlledShutdown` is 1 when the broker enters controlled
 * shutdown and 0 for no change. Both are tagged, so a 0 is not written.
 */
export const brokerRegistrationChangeRecord = {
  apiKey: MetadataRecordType.BrokerRegistrationChange,
  name: "BrokerRegistrationChangeRecord",
  versions: "0-2",
  flexible: "0+",
  fields: [
    field("brokerId", "int32", "0+"),
    field("brokerEpoch", "int64", "0+"),
    field("fenced", "int8", "0+", { tag: 0 }),
    field("inControlledShutdown", "int8", "1+", { tag: 1 }),
    field("logDirs", arrayOf("uuid"), "2+", { tag: 2 }),
  ],
} as const satisfies MetadataRecordSchema;

export const noOpRecord = {
  apiKey: MetadataRecordType.NoOp,
  name: "NoOpRecord",
  versions: "0",
  flexible: "0+",
  fields: [],
} as const satisfies MetadataRecordSchema;

/** Every metadata record schema, as literal types. */
const RECORD_SCHEMAS = [
  registerBrokerRecord,
  unregisterBrokerRecord,
  topicRecord,
  partitionRecord,
  configRecord,
  partitionChangeRecord,
  fenceBrokerRecord,
  unfenceBrokerRecord,
  removeTopicRecord,
  featureLevelRecord,
  producerIdsRecord,
  brokerRegistrationChangeRecord,
  noOpRecord,
] as const;

/** Every metadata record type Dafka knows, by type. */
export const METADATA_RECORDS: ReadonlyMap<number, MetadataRecordSchema> = new Map(
  RECORD_SCHEMAS.map((schema) => [schema.apiKey, schema]),
);

/** The schema of record type `Type`, e.g. `MetadataRecordSchemaOf<2>` is `typeof topicRecord`. */
export type MetadataRecordSchemaOf<Type extends MetadataRecordTypeId> = Extract<
  typeof RECORD_SCHEMAS[number],
  { readonly apiKey: Type }
>;

/** The decoded fields of a record of type `Type` (every field present). */
export type MetadataRecordValue<Type extends MetadataRecordTypeId> = MessageOf<
  MetadataRecordSchemaOf<Type>["fields"]
>;

/**
 * The fields of a record of type `Type` as the encoder takes them: typed for a
 * literal type, untyped when the type is only known to be a number.
 */
export type MetadataRecordInput<Type extends number> = number extends Type ? Message
  : Type extends MetadataRecordTypeId ? MessageInputOf<MetadataRecordSchemaOf<Type>["fields"]>
  : Message;

/** A decoded metadata record: its type, its version and its fields. */
export interface MetadataRecord {
  type: number;
  version: number;
  value: Message;
}

function schemaFor(type: number, version: number): MetadataRecordSchema {
  const schema = METADATA_RECORDS.get(type);
  if (!schema) throw new ProtocolError(`unknown metadata record type ${type}`);
  if (!inRange(schema.versions, version)) {
    throw new ProtocolError(`${schema.name} has no version ${version}`);
  }
  return schema;
}

/** Encodes a record value as it is stored in the metadata log. */
export function encodeMetadataRecord<Type extends number>(
  type: Type,
  version: number,
  value: MetadataRecordInput<Type>,
): Uint8Array {
  const schema = schemaFor(type, version);
  const writer = new Writer(64);
  writer.uvarint(FRAME_VERSION).uvarint(type).uvarint(version);
  encodeFields(writer, schema.fields, version, true, value);
  return writer.finish();
}

/**
 * Decodes a record value from the metadata log. Throws a `ProtocolError` for
 * another frame version, an unknown type or version, or bytes left over.
 */
export function decodeMetadataRecord(bytes: Uint8Array): MetadataRecord {
  const reader = new Reader(bytes);
  const frameVersion = reader.uvarint();
  if (frameVersion !== FRAME_VERSION) {
    throw new ProtocolError(`unsupported metadata record frame version ${frameVersion}`);
  }
  const type = reader.uvarint();
  const version = reader.uvarint();
  const schema = schemaFor(type, version);
  const value = decodeFields(reader, schema.fields, version, true);
  if (reader.remaining > 0) {
    throw new ProtocolError(`${reader.remaining} bytes left after ${schema.name}`);
  }
  return { type, version, value };
}
