/**
 * The registry of every API Dafka's codec knows, and framing helpers that
 * encode and decode whole requests and responses with their headers.
 */
import { decodeFields, encodeFields, type Message } from "./codec.ts";
import type { RequestInput, RequestOf, ResponseInput, ResponseOf } from "./message_types.ts";
import {
  readRequestHeader,
  type RequestHeader,
  skipTaggedFields,
  writeRequestHeader,
  writeResponseHeader,
} from "./header.ts";
import { Reader } from "./reader.ts";
import { type ApiSchema, inRange } from "./schema.ts";
import { Writer } from "./writer.ts";
import {
  addRaftVoter,
  allocateProducerIds,
  alterConfigs,
  alterPartition,
  alterPartitionReassignments,
  apiVersions,
  beginQuorumEpoch,
  brokerHeartbeat,
  brokerRegistration,
  consumerGroupDescribe,
  consumerGroupHeartbeat,
  createPartitions,
  createTopics,
  deleteGroups,
  deleteRecords,
  deleteTopics,
  describeCluster,
  describeConfigs,
  describeGroups,
  describeLogDirs,
  describeQuorum,
  describeTopicPartitions,
  electLeaders,
  endQuorumEpoch,
  fetchApi,
  fetchSnapshot,
  findCoordinator,
  heartbeat,
  incrementalAlterConfigs,
  initProducerId,
  joinGroup,
  leaveGroup,
  listGroups,
  listOffsets,
  listPartitionReassignments,
  metadata,
  offsetCommit,
  offsetDelete,
  offsetFetch,
  offsetForLeaderEpoch,
  produce,
  removeRaftVoter,
  saslHandshake,
  syncGroup,
  updateRaftVoter,
  vote,
} from "./messages/mod.ts";

/** Every described API, as literal types (listed in key order). */
const SCHEMAS = [
  produce,
  fetchApi,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  saslHandshake,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  offsetForLeaderEpoch,
  describeConfigs,
  alterConfigs,
  describeLogDirs,
  createPartitions,
  deleteGroups,
  electLeaders,
  incrementalAlterConfigs,
  alterPartitionReassignments,
  listPartitionReassignments,
  offsetDelete,
  vote,
  beginQuorumEpoch,
  endQuorumEpoch,
  describeQuorum,
  alterPartition,
  fetchSnapshot,
  describeCluster,
  brokerRegistration,
  brokerHeartbeat,
  allocateProducerIds,
  consumerGroupHeartbeat,
  consumerGroupDescribe,
  describeTopicPartitions,
  addRaftVoter,
  removeRaftVoter,
  updateRaftVoter,
] as const;

/** The API keys Dafka's codec knows. */
export type ApiKey = typeof SCHEMAS[number]["apiKey"];

/** The schema of API `Key`, e.g. `SchemaOfKey<11>` is `typeof joinGroup`. */
export type SchemaOfKey<Key extends ApiKey> = Extract<typeof SCHEMAS[number], { readonly apiKey: Key }>;

/**
 * The request an encoder takes for API key `Key`: typed when `Key` is a known
 * literal key, the untyped `Message` when it is only known to be a number
 * (code that handles any API, such as forwarding).
 */
export type RequestInputForKey<Key extends number> = number extends Key ? Message
  : Key extends ApiKey ? RequestInput<SchemaOfKey<Key>>
  : Message;

/** The decoded response for API key `Key`, typed as `RequestInputForKey` is. */
export type ResponseForKey<Key extends number> = number extends Key ? Message
  : Key extends ApiKey ? ResponseOf<SchemaOfKey<Key>>
  : Message;

/** Every described API, by key. */
export const API_SCHEMAS: ReadonlyMap<number, ApiSchema> = new Map(
  SCHEMAS.map((schema) => [schema.apiKey, schema]),
);

export function isFlexible(schema: ApiSchema, version: number): boolean {
  return inRange(schema.flexible, version);
}

/** ApiVersions responses always use header v0 (KIP-511), others v1 when flexible. */
export function responseHeaderIsFlexible(schema: ApiSchema, version: number): boolean {
  return schema.apiKey !== 18 && isFlexible(schema, version);
}

/** Decodes a request body (the header already read) at `version`. */
export function decodeRequestBody<S extends ApiSchema>(
  schema: S,
  version: number,
  reader: Reader,
): RequestOf<S> {
  return decodeFields<S["request"]>(reader, schema.request, version, isFlexible(schema, version));
}

/** Decodes a whole request frame (without the 4-byte size prefix). */
export function decodeRequest(frame: Uint8Array): { header: RequestHeader; body: Message } {
  const reader = new Reader(frame);
  const header = readRequestHeader(reader);
  const schema = API_SCHEMAS.get(header.apiKey);
  if (!schema) throw new Error(`unknown api key ${header.apiKey}`);
  const flexible = isFlexible(schema, header.apiVersion);
  if (flexible) skipTaggedFields(reader);
  return { header, body: decodeFields(reader, schema.request, header.apiVersion, flexible) };
}

/** Encodes a request with its size prefix (for clients: the simulator and tests). */
export function encodeRequest<Key extends number>(
  header: RequestHeader & { apiKey: Key },
  body: RequestInputForKey<Key>,
): Uint8Array {
  const schema = API_SCHEMAS.get(header.apiKey);
  if (!schema) throw new Error(`unknown api key ${header.apiKey}`);
  const flexible = isFlexible(schema, header.apiVersion);
  const writer = new Writer(256);
  writer.int32(0);
  writeRequestHeader(writer, header, flexible);
  encodeFields(writer, schema.request, header.apiVersion, flexible, body);
  const bytes = writer.finish();
  new DataView(bytes.buffer, bytes.byteOffset).setInt32(0, bytes.length - 4);
  return bytes;
}

/**
 * Encodes a response with its size prefix as chunks: large record byte arrays
 * stay separate chunks so that Fetch never copies them into a new buffer.
 */
export function encodeResponse<S extends ApiSchema>(
  schema: S,
  version: number,
  correlationId: number,
  body: ResponseInput<S>,
): Uint8Array[] {
  const writer = new Writer(256);
  writeResponseHeader(writer, correlationId, responseHeaderIsFlexible(schema, version));
  encodeFields(writer, schema.response, version, isFlexible(schema, version), body);
  const chunks = writer.chunks();
  const size = new Uint8Array(4);
  new DataView(size.buffer).setInt32(0, writer.length);
  return [size, ...chunks];
}

/** Decodes a response frame (without the size prefix) for a request of `apiKey`/`version`. */
export function decodeResponse<Key extends number>(
  apiKey: Key,
  version: number,
  frame: Uint8Array,
): { correlationId: number; body: ResponseForKey<Key> } {
  const schema = API_SCHEMAS.get(apiKey);
  if (!schema) throw new Error(`unknown api key ${apiKey}`);
  const reader = new Reader(frame);
  const correlationId = reader.int32();
  if (responseHeaderIsFlexible(schema, version)) skipTaggedFields(reader);
  const body = decodeFields(reader, schema.response, version, isFlexible(schema, version));
  return { correlationId, body: body as ResponseForKey<Key> };
}
