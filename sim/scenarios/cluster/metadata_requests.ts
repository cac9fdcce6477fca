/**
 * The metadata changes the cluster workload asks for, as Kafka requests:
 * what each one sends, which registers of the topic it writes (see
 * checkers/change_ledger.ts), and how to read its answer.
 */
import { type Message, uuidToString } from "../../../src/protocol/mod.ts";
import { ABSENT, ANY_TOPIC_ID, DEFAULT_CONFIG, type Writes } from "../../checkers/cluster/change_ledger.ts";

const CREATE_TOPICS = 19;
const DELETE_TOPICS = 20;
const CREATE_PARTITIONS = 37;
const INCREMENTAL_ALTER_CONFIGS = 44;
const TOPIC_RESOURCE = 2;
const SET = 0;
const DELETE = 1;
/** The config the workload changes. */
export const CHANGED_CONFIG = "retention.ms";
const ZERO_UUID_TEXT = uuidToString(new Uint8Array(16));

/** One change to one topic. */
export type MetadataChange =
  | { kind: "create"; topic: string; partitions: number; replicationFactor: number }
  | { kind: "delete"; topic: string }
  | { kind: "create-partitions"; topic: string; count: number }
  | { kind: "set-config"; topic: string; value: string | null };

/** A request ready to send. */
export interface ChangeRequest {
  apiKey: number;
  version: number;
  body: Message;
}

export function describeChange(change: MetadataChange): string {
  switch (change.kind) {
    case "create":
      return `create ${change.topic} (${change.partitions} partitions, replication ${change.replicationFactor})`;
    case "delete":
      return `delete ${change.topic}`;
    case "create-partitions":
      return `grow ${change.topic} to ${change.count} partitions`;
    case "set-config":
      return `set ${change.topic} ${CHANGED_CONFIG}=${change.value ?? "(delete)"}`;
  }
}

/** The registers the change writes if it takes effect (a new topic's id is learned from the answer). */
export function writesOf(change: MetadataChange): Writes {
  const config = `config:${CHANGED_CONFIG}`;
  switch (change.kind) {
    case "create":
      return { exists: ANY_TOPIC_ID, partitions: String(change.partitions), [config]: DEFAULT_CONFIG };
    case "delete":
      return { exists: ABSENT, partitions: "0", [config]: DEFAULT_CONFIG };
    case "create-partitions":
      return { partitions: String(change.count) };
    case "set-config":
      return { [config]: change.value ?? DEFAULT_CONFIG };
  }
}

export function requestOf(change: MetadataChange): ChangeRequest {
  switch (change.kind) {
    case "create":
      return {
        apiKey: CREATE_TOPICS,
        version: 7,
        body: {
          topics: [{
            name: change.topic,
            numPartitions: change.partitions,
            replicationFactor: change.replicationFactor,
            assignments: [],
            configs: [],
          }],
          timeoutMs: 30_000,
          validateOnly: false,
        },
      };
    case "delete":
      return {
        apiKey: DELETE_TOPICS,
        version: 6,
        body: { topics: [{ name: change.topic, topicId: new Uint8Array(16) }], timeoutMs: 30_000 },
      };
    case "create-partitions":
      return {
        apiKey: CREATE_PARTITIONS,
        version: 3,
        body: {
          topics: [{ name: change.topic, count: change.count, assignments: null }],
          timeoutMs: 30_000,
          validateOnly: false,
        },
      };
    case "set-config":
      return {
        apiKey: INCREMENTAL_ALTER_CONFIGS,
        version: 1,
        body: {
          resources: [{
            resourceType: TOPIC_RESOURCE,
            resourceName: change.topic,
            configs: [{
              name: CHANGED_CONFIG,
              configOperation: change.value === null ? DELETE : SET,
              value: change.value,
            }],
          }],
          validateOnly: false,
        },
      };
  }
}

/** The answer's error code for the change's one item, and what it teaches about the registers. */
export function outcomeOf(change: MetadataChange, response: Message): { errorCode: number; learned: Writes } {
  // One of CreateTopics', DeleteTopics' or IncrementalAlterConfigs' answers: the change's kind says which.
  const item: Message | undefined = (response.topics ?? response.responses ?? response.results)?.[0];
  if (item === undefined) return { errorCode: -1, learned: {} };
  if (change.kind !== "create" || item.errorCode !== 0) return { errorCode: item.errorCode, learned: {} };
  const topicId = uuidToString(item.topicId);
  return { errorCode: 0, learned: topicId === ZERO_UUID_TEXT ? {} : { exists: topicId } };
}
