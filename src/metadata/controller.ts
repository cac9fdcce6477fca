/**
 * The controller's decisions, as pure functions from the metadata image and a
 * request to the records that carry it out (or the Kafka error that refuses
 * it). The caller appends the records to the metadata log and applies them;
 * nothing here changes state, which is what lets a Raft quorum replicate it.
 */
import { ConfigError, parseConfigValue, TOPIC_CONFIGS } from "../config/mod.ts";
import { ErrorCode } from "../protocol/mod.ts";
import type { MetadataImage, TopicImage } from "./image.ts";
import { ConfigResourceType, type MetadataRecord, MetadataRecordType } from "./records.ts";
import { collisionKey, topicNameProblem } from "./topic_names.ts";

export interface Refusal {
  errorCode: number;
  errorMessage: string;
}

export type Decision = { records: MetadataRecord[] } | Refusal;

export function isRefusal(decision: Decision): decision is Refusal {
  return "errorCode" in decision;
}

export interface NewTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
}

/** A topic a broker asks the controller for (auto-creation, `__consumer_offsets`). */
export interface TopicToCreate {
  name: string;
  /** -1 for `num.partitions`. */
  numPartitions: number;
  /** -1 for `default.replication.factor`. */
  replicationFactor: number;
  configs: { name: string; value: string }[];
}

export interface PlacementContext {
  defaultPartitions: number;
  defaultReplicationFactor: number;
  /** Brokers that may hold replicas, sorted. */
  brokerIds: number[];
  newTopicId: () => Uint8Array;
}

/** Validates topic-level config entries; returns a refusal for the first bad one. */
export function validateTopicConfigs(configs: { name: string; value: string | null }[]): Refusal | null {
  for (const entry of configs) {
    const definition = TOPIC_CONFIGS.get(entry.name);
    if (!definition) {
      return {
        errorCode: ErrorCode.INVALID_CONFIG,
        errorMessage: `Unknown topic config name: ${entry.name}`,
      };
    }
    if (entry.value === null) continue;
    try {
      parseConfigValue(definition, entry.value);
    } catch (error) {
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: (error as ConfigError).message };
    }
  }
  return compactionLagConflict(configs);
}

/**
 * Kafka's one check across topic keys (LogConfig.validateValues): min.compaction.lag.ms may not exceed
 * max.compaction.lag.ms, each taken from `configs` or Kafka's default.
 */
function compactionLagConflict(configs: { name: string; value: string | null }[]): Refusal | null {
  const lag = (name: "min.compaction.lag.ms" | "max.compaction.lag.ms") => {
    const given = configs.find((entry) => entry.name === name && entry.value !== null)?.value;
    const definition = TOPIC_CONFIGS.get(name)!;
    return parseConfigValue(definition, given ?? definition.defaultValue!) as number;
  };
  const min = lag("min.compaction.lag.ms");
  const max = lag("max.compaction.lag.ms");
  if (min <= max) return null;
  return {
    errorCode: ErrorCode.INVALID_CONFIG,
    errorMessage:
      `conflict topic config setting min.compaction.lag.ms (${min}) > max.compaction.lag.ms (${max})`,
  };
}

/** Records creating `topic`, or the reason Kafka would refuse it. */
export function decideCreateTopic(
  image: MetadataImage,
  topic: NewTopic,
  context: PlacementContext,
): Decision {
  const nameProblem = topicNameProblem(topic.name);
  if (nameProblem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameProblem };
  if (image.topicsByName.has(topic.name)) {
    return {
      errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
      errorMessage: `Topic '${topic.name}' already exists.`,
    };
  }
  for (const existing of image.topicsByName.keys()) {
    if (collisionKey(existing) === collisionKey(topic.name)) {
      return {
        errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
        errorMessage: `Topic '${topic.name}' collides with existing topic: ${existing}`,
      };
    }
  }
  const placement = topic.assignments.length > 0
    ? placeExplicitly(topic, context)
    : placeEvenly(topic, context, 0);
  if ("errorCode" in placement) return placement;
  const configProblem = validateTopicConfigs(topic.configs);
  if (configProblem) return configProblem;
  const topicId = context.newTopicId();
  const records: MetadataRecord[] = [{ type: MetadataRecordType.Topic, name: topic.name, topicId }];
  for (const entry of topic.configs) {
    if (entry.value === null) continue;
    records.push({
      type: MetadataRecordType.Config,
      resourceType: ConfigResourceType.Topic,
      resourceName: topic.name,
      name: entry.name,
      value: entry.value,
    });
  }
  placement.forEach((replicas, partitionId) => records.push(partitionRecord(topicId, partitionId, replicas)));
  return { records };
}

function partitionRecord(topicId: Uint8Array, partitionId: number, replicas: number[]): MetadataRecord {
  return {
    type: MetadataRecordType.Partition,
    partitionId,
    topicId,
    replicas,
    isr: [...replicas],
    leader: replicas[0]!,
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}

function placeExplicitly(topic: NewTopic, context: PlacementContext): number[][] | Refusal {
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage:
        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.",
    };
  }
  const sorted = [...topic.assignments].sort((left, right) => left.partitionIndex - right.partitionIndex);
  const out: number[][] = [];
  for (const [index, assignment] of sorted.entries()) {
    if (assignment.partitionIndex !== index) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: "Partitions should be a consecutive 0-based integer sequence",
      };
    }
    const problem = checkReplicas(assignment.brokerIds, context.brokerIds, index);
    if (problem) return problem;
    out.push(assignment.brokerIds);
  }
  return out;
}

/**
 * Partitions have one replica: replication between brokers (ISR) is not
 * built yet, and a second replica that never receives the data would make a
 * leader change lose it. Kafka's error for a factor the cluster cannot
 * give is INVALID_REPLICATION_FACTOR.
 */
export const MAX_REPLICATION_FACTOR = 1;

function unsupportedFactor(factor: number): Refusal {
  return {
    errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
    errorMessage:
      `Replication factor ${factor} is not supported: Dafka does not replicate partitions between ` +
      `brokers yet, so every partition has ${MAX_REPLICATION_FACTOR} replica.`,
  };
}

function checkReplicas(replicas: number[], brokerIds: number[], partition: number): Refusal | null {
  if (replicas.length > MAX_REPLICATION_FACTOR && new Set(replicas).size === replicas.length) {
    return unsupportedFactor(replicas.length);
  }
  if (replicas.length === 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `Empty replica list specified in partition ${partition}`,
    };
  }
  if (new Set(replicas).size !== replicas.length) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `Duplicate replica assignment for partition ${partition}`,
    };
  }
  const unknown = replicas.find((replica) => !brokerIds.includes(replica));
  if (unknown !== undefined) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage:
        `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`,
    };
  }
  return null;
}

/** Round-robin placement of `count` new partitions starting at `firstPartition`. */
function placeEvenly(
  topic: { numPartitions: number; replicationFactor: number },
  context: PlacementContext,
  firstPartition: number,
): number[][] | Refusal {
  const partitions = topic.numPartitions === -1 ? context.defaultPartitions : topic.numPartitions;
  const factor = topic.replicationFactor === -1 ? context.defaultReplicationFactor : topic.replicationFactor;
  if (partitions <= 0) {
    return {
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: "Number of partitions was set to an invalid non-positive value.",
    };
  }
  if (factor <= 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: "Replication factor must be larger than 0, or -1 to use the default value.",
    };
  }
  const brokers = context.brokerIds;
  if (factor > MAX_REPLICATION_FACTOR && factor <= brokers.length) return unsupportedFactor(factor);
  if (factor > brokers.length) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: `Unable to replicate the partition ${factor} time(s): The target replication factor of ` +
        `${factor} cannot be reached because only ${brokers.length} broker(s) are registered.`,
    };
  }
  const out: number[][] = [];
  for (let index = 0; index < partitions; index++) {
    const partition = firstPartition + index;
    const replicas: number[] = [];
    for (let copy = 0; copy < factor; copy++) replicas.push(brokers[(partition + copy) % brokers.length]!);
    out.push(replicas);
  }
  return out;
}

/** Records deleting a topic. */
export function decideDeleteTopic(topic: TopicImage): Decision {
  return { records: [{ type: MetadataRecordType.RemoveTopic, topicId: topic.topicId }] };
}

/** Records adding partitions so that the topic has `totalCount`. */
export function decideCreatePartitions(
  topic: TopicImage,
  totalCount: number,
  assignments: number[][] | null,
  context: PlacementContext,
): Decision {
  const current = topic.partitions.length;
  if (totalCount < current) {
    return {
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage:
        `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`,
    };
  }
  if (totalCount === current) {
    return {
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: `Topic already has ${current} partitions.`,
    };
  }
  const factor = topic.partitions[0]?.replicas.length ?? 1;
  let placement: number[][] | Refusal;
  if (assignments) {
    if (assignments.length !== totalCount - current) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: `Attempted to add ${
          totalCount - current
        } additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
      };
    }
    placement = assignments;
    for (const [index, replicas] of assignments.entries()) {
      const problem = checkReplicas(replicas, context.brokerIds, current + index);
      if (problem) return problem;
    }
  } else {
    placement = placeEvenly(
      { numPartitions: totalCount - current, replicationFactor: factor },
      context,
      current,
    );
  }
  if ("errorCode" in placement) return placement;
  return {
    records: placement.map((replicas, index) => partitionRecord(topic.topicId, current + index, replicas)),
  };
}

/** Block of producer ids handed out at once, as Kafka's controller does. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/** Records reserving the next block of producer ids for `brokerId`. */
export function decideProducerIdBlock(
  image: MetadataImage,
  brokerId: number,
): { records: MetadataRecord[]; firstId: number } {
  const firstId = image.nextProducerId;
  return {
    firstId,
    records: [{
      type: MetadataRecordType.ProducerIds,
      brokerId,
      brokerEpoch: 0,
      nextProducerId: firstId + PRODUCER_ID_BLOCK_SIZE,
    }],
  };
}
