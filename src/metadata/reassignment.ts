/**
 * Partition reassignment (KIP-455), as Kafka's ReplicationControlManager runs
 * it. AlterPartitionReassignments sets a partition's target replicas: one
 * PartitionChangeRecord makes its replicas the target followed by the
 * replicas leaving (`removingReplicas`), and names the ones joining
 * (`addingReplicas`). The joining brokers find themselves replicas in the
 * image and fetch from the leader, which adds them to the ISR once they have
 * caught up (AlterPartition); the ISR change that holds every target replica
 * completes the reassignment (partition_change_builder.ts): the leaving
 * replicas drop out of replicas and ISR, and a leaving leader hands over to
 * the first target replica in the ISR. A reassignment the ISR already
 * satisfies (a reordering, a removal) completes in the same record.
 *
 * A null target cancels an ongoing reassignment: the joining replicas are
 * dropped and the leaving ones kept. Brokers that stop being replicas delete
 * their copy (the broker's job, from the image).
 */
import { ErrorCode } from "../protocol/mod.ts";
import type { MetadataImage, PartitionImage, TopicImage } from "./image.ts";
import {
  CLEAN_ELECTIONS,
  effectiveMinIsr,
  type ElectionSettings,
  elrEnabled,
  isActiveBroker,
  uncleanElectionEnabled,
} from "./leader_election.ts";
import { buildPartitionChange, type PartitionChangeInput } from "./partition_change_builder.ts";
import type { PartitionChangeRecord } from "./records.ts";

export interface ReassignmentRequest {
  topics: { name: string; partitions: { partitionIndex: number; replicas: number[] | null }[] }[];
}

export interface ReassignmentResult {
  name: string;
  partitions: { partitionIndex: number; errorCode: number; errorMessage: string | null }[];
}

export interface ReassignmentDecision {
  /** Committed together (Kafka writes them as one atomic batch). */
  records: PartitionChangeRecord[];
  responses: ReassignmentResult[];
}

class ReassignmentError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

/** Decides an AlterPartitionReassignments request: a record per partition that changes, an error per one refused. */
export function decideAlterPartitionReassignments(
  image: MetadataImage,
  request: ReassignmentRequest,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): ReassignmentDecision {
  const records: PartitionChangeRecord[] = [];
  const responses = request.topics.map((topicRequest) => ({
    name: topicRequest.name,
    partitions: topicRequest.partitions.map((target) => {
      try {
        const record = decidePartition(image, topicRequest.name, target, settings);
        if (record) records.push(record);
        return { partitionIndex: target.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (error) {
        if (!(error instanceof ReassignmentError)) throw error;
        return {
          partitionIndex: target.partitionIndex,
          errorCode: error.errorCode,
          errorMessage: error.message,
        };
      }
    }),
  }));
  return { records, responses };
}

function decidePartition(
  image: MetadataImage,
  topicName: string,
  target: { partitionIndex: number; replicas: number[] | null },
  settings: ElectionSettings,
): PartitionChangeRecord | null {
  const topic = image.topicsByName.get(topicName);
  if (!topic) {
    throw new ReassignmentError(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      `Unable to find a topic named ${topicName}.`,
    );
  }
  const partition = topic.partitions[target.partitionIndex];
  if (!partition) {
    throw new ReassignmentError(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      `Unable to find partition ${topicName}:${target.partitionIndex}.`,
    );
  }
  return target.replicas === null
    ? cancel(image, topic, partition, settings)
    : change(image, topic, partition, target.replicas, settings);
}

/** Whether a partition has a reassignment under way. */
export function isReassigning(partition: PartitionImage): boolean {
  return partition.removingReplicas.length > 0 || partition.addingReplicas.length > 0;
}

function change(
  image: MetadataImage,
  topic: TopicImage,
  partition: PartitionImage,
  target: number[],
  settings: ElectionSettings,
): PartitionChangeRecord | null {
  validateTarget(image, target);
  const current = partition.replicas;
  const removing = difference(current, target);
  const adding = difference(target, current);
  const replicas = [...target, ...removing];
  const input = baseInput(image, topic, partition, settings, false);
  if (!sameList(replicas, current)) input.targetReplicas = replicas;
  if (removing.length > 0) input.targetRemoving = removing;
  if (adding.length > 0) input.targetAdding = adding;
  return buildPartitionChange(input);
}

/** Kafka's PartitionReassignmentRevert: drop the joining replicas, keep the leaving ones. */
function cancel(
  image: MetadataImage,
  topic: TopicImage,
  partition: PartitionImage,
  settings: ElectionSettings,
): PartitionChangeRecord | null {
  if (!isReassigning(partition)) {
    throw new ReassignmentError(
      ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
      "No partition reassignment is in progress.",
    );
  }
  const replicas = partition.replicas.filter((id) => !partition.addingReplicas.includes(id));
  let isr = partition.isr.filter((id) => !partition.addingReplicas.includes(id));
  const unclean = uncleanElectionEnabled(image, topic.name, settings);
  if (isr.length === 0) {
    // Only joining replicas are in sync: going back means trusting an original replica that is not.
    if (!unclean) {
      throw new ReassignmentError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Unable to revert partition assignment for ${topic.name}:${partition.partition} because it would ` +
          "require an unclean leader election.",
      );
    }
    isr = [replicas[0]!];
  }
  const input = baseInput(image, topic, partition, settings, unclean);
  input.targetIsr = isr;
  input.targetReplicas = replicas;
  input.targetRemoving = [];
  input.targetAdding = [];
  return buildPartitionChange(input);
}

function baseInput(
  image: MetadataImage,
  topic: TopicImage,
  partition: PartitionImage,
  settings: ElectionSettings,
  unclean: boolean,
): PartitionChangeInput {
  return {
    topicId: topic.topicId,
    partition,
    isAcceptableLeader: (id) => isActiveBroker(image, id),
    minIsr: effectiveMinIsr(image, topic, settings),
    elrEnabled: elrEnabled(image),
    election: unclean ? "unclean" : "online",
  };
}

/** Kafka's checks of a manual assignment: not empty, every broker registered (fenced ones too), none twice. */
function validateTarget(image: MetadataImage, target: number[]): void {
  if (target.length === 0) {
    throw new ReassignmentError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      "The manual partition assignment includes an empty replica list.",
    );
  }
  const sorted = [...target].sort((left, right) => left - right);
  sorted.forEach((brokerId, index) => {
    if (!image.brokers.has(brokerId)) {
      throw new ReassignmentError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${brokerId}, but no such broker is registered.`,
      );
    }
    if (index > 0 && sorted[index - 1] === brokerId) {
      throw new ReassignmentError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes the broker ${brokerId} more than once.`,
      );
    }
  });
}

export interface OngoingReassignment {
  name: string;
  partitions: {
    partitionIndex: number;
    replicas: number[];
    addingReplicas: number[];
    removingReplicas: number[];
  }[];
}

/**
 * The reassignments under way: of the given topics' partitions, or of every topic when `topics` is null.
 * Unknown topics and partitions, and partitions not reassigning, are left out (as Kafka answers).
 */
export function listPartitionReassignments(
  image: MetadataImage,
  topics: { name: string; partitionIndexes: number[] }[] | null,
): OngoingReassignment[] {
  const wanted = topics === null
    ? [...image.topicsByName.values()].map((topic) => ({
      topic,
      indexes: topic.partitions.map((_, index) => index),
    }))
    : topics.flatMap((request) => {
      const topic = image.topicsByName.get(request.name);
      return topic ? [{ topic, indexes: request.partitionIndexes }] : [];
    });
  const out: OngoingReassignment[] = [];
  for (const { topic, indexes } of wanted) {
    const partitions = indexes.flatMap((index) => {
      const partition = topic.partitions[index];
      if (!partition || !isReassigning(partition)) return [];
      return [{
        partitionIndex: index,
        replicas: [...partition.replicas],
        addingReplicas: [...partition.addingReplicas],
        removingReplicas: [...partition.removingReplicas],
      }];
    });
    if (partitions.length > 0) out.push({ name: topic.name, partitions });
  }
  return out;
}

/** Members of `left` not in `right`, sorted (Kafka keeps them in a sorted set). */
function difference(left: number[], right: number[]): number[] {
  return [...new Set(left.filter((id) => !right.includes(id)))].sort((a, b) => a - b);
}

function sameList(left: number[], right: number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}
