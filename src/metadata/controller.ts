/**
 * The controller's decisions, as pure functions from the metadata image and a
 * request to the records that carry it out (or the Kafka error that refuses
 * it). The caller appends the records to the metadata log and applies them;
 * nothing here changes state, which is what lets a Raft quorum replicate it.
 */
import { ConfigError, parseConfigValue, TOPIC_CONFIGS } from "../config/mod.ts";
import { ErrorCode } from "../protocol/mod.ts";
import type { MetadataImage, TopicImage } from "./image.ts";
import { isActiveBroker } from "./leader_election.ts";
import { ConfigResourceType, type MetadataRecord, MetadataRecordType } from "./records.ts";
import { placeStriped } from "./replica_placement.ts";
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
    ? placeExplicitly(image, topic)
    : placeEvenly(image, topic, context, 0);
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
  placement.forEach((placed, partitionId) => records.push(partitionRecord(topicId, partitionId, placed)));
  return { records };
}

/** A new partition's replicas (leader first among the in-sync ones) and its ISR. */
interface PlacedPartition {
  replicas: number[];
  isr: number[];
}

function partitionRecord(topicId: Uint8Array, partitionId: number, placed: PlacedPartition): MetadataRecord {
  return {
    type: MetadataRecordType.Partition,
    partitionId,
    topicId,
    replicas: placed.replicas,
    isr: placed.isr,
    leader: placed.isr[0]!,
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}

function placeExplicitly(image: MetadataImage, topic: NewTopic): PlacedPartition[] | Refusal {
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage:
        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.",
    };
  }
  const sorted = [...topic.assignments].sort((left, right) => left.partitionIndex - right.partitionIndex);
  const out: PlacedPartition[] = [];
  for (const [index, assignment] of sorted.entries()) {
    if (assignment.partitionIndex !== index) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: "Partitions should be a consecutive 0-based integer sequence",
      };
    }
    const factor = sorted[0]!.brokerIds.length;
    const placed = checkReplicas(image, assignment.brokerIds, index, index === 0 ? null : factor);
    if ("errorCode" in placed) return placed;
    out.push(placed);
  }
  return out;
}

/**
 * Checks a manual assignment as Kafka does: every broker registered (fenced
 * ones too), none twice, as many replicas as the other partitions have, and
 * at least one that is active; the ISR is the active replicas, led by the first.
 */
function checkReplicas(
  image: MetadataImage,
  replicas: number[],
  partition: number,
  expectedFactor: number | null,
): PlacedPartition | Refusal {
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
  const unknown = [...replicas].sort((left, right) => left - right).find((replica) =>
    !image.brokers.has(replica)
  );
  if (unknown !== undefined) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage:
        `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`,
    };
  }
  if (expectedFactor !== null && replicas.length !== expectedFactor) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage:
        `The manual partition assignment includes a partition with ${replicas.length} replica(s), ` +
        `but this is not consistent with previous partitions, which have ${expectedFactor} replica(s).`,
    };
  }
  const isr = replicas.filter((replica) => isActiveBroker(image, replica));
  if (isr.length === 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `All brokers specified in the manual partition assignment for partition ${partition} ` +
        "are fenced or in controlled shutdown.",
    };
  }
  return { replicas: [...replicas], isr };
}

/** Striped, rack-aware placement of new partitions starting at `firstPartition` (replica_placement.ts). */
function placeEvenly(
  image: MetadataImage,
  topic: { numPartitions: number; replicationFactor: number },
  context: PlacementContext,
  firstPartition: number,
): PlacedPartition[] | Refusal {
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
  if (brokers.length === 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: `Unable to replicate the partition ${factor} time(s): All brokers are currently fenced ` +
        "or in controlled shutdown.",
    };
  }
  if (factor > brokers.length) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: `Unable to replicate the partition ${factor} time(s): The target replication factor of ` +
        `${factor} cannot be reached because only ${brokers.length} broker(s) are registered.`,
    };
  }
  const usable = brokers.map((id) => ({ id, rack: image.brokers.get(id)?.rack ?? null }));
  // The brokers given are the active ones, so every replica starts in sync.
  return placeStriped(usable, partitions, factor, firstPartition).map((replicas) => ({
    replicas,
    isr: [...replicas],
  }));
}

/** Records deleting a topic. */
export function decideDeleteTopic(topic: TopicImage): Decision {
  return { records: [{ type: MetadataRecordType.RemoveTopic, topicId: topic.topicId }] };
}

/** Records adding partitions so that the topic has `totalCount`. */
export function decideCreatePartitions(
  image: MetadataImage,
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
  let placement: PlacedPartition[] | Refusal;
  if (assignments) {
    if (assignments.length !== totalCount - current) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: `Attempted to add ${
          totalCount - current
        } additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
      };
    }
    placement = [];
    for (const [index, replicas] of assignments.entries()) {
      const placed = checkReplicas(image, replicas, current + index, factor);
      if ("errorCode" in placed) return placed;
      placement.push(placed);
    }
  } else {
    placement = placeEvenly(
      image,
      { numPartitions: totalCount - current, replicationFactor: factor },
      context,
      current,
    );
  }
  if ("errorCode" in placement) return placement;
  return {
    records: placement.map((placed, index) => partitionRecord(topic.topicId, current + index, placed)),
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
