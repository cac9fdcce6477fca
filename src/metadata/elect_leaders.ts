/**
 * ElectLeaders (KIP-183, KIP-460) and the controller's automatic preferred
 * leader elections (`auto.leader.rebalance.enable`), as Kafka's
 * ReplicationControlManager decides them.
 *
 * A PREFERRED election moves leadership to the partition's first replica if
 * it is in the ISR and active; a partition already led by it needs none. An
 * UNCLEAN election gives a leaderless partition a leader, from the ISR (or
 * ELR) if one of them is live, else any live replica, which then leads alone
 * and RECOVERING; a partition with a leader needs none.
 */
import { ErrorCode } from "../protocol/mod.ts";
import type { MetadataImage, PartitionImage, TopicImage } from "./image.ts";
import {
  CLEAN_ELECTIONS,
  effectiveMinIsr,
  type ElectionSettings,
  elrEnabled,
  isActiveBroker,
  NO_LEADER,
} from "./leader_election.ts";
import { buildPartitionChange, type Election } from "./partition_change_builder.ts";
import type { PartitionChangeRecord } from "./records.ts";

/** ElectLeaders' election types (KIP-460). */
export const ElectionType = { Preferred: 0, Unclean: 1 } as const;

export interface ElectLeadersRequest {
  electionType: number;
  /** null: every partition of every topic. */
  topicPartitions: { topic: string; partitions: number[] }[] | null;
}

export interface ElectionResult {
  topic: string;
  partitionResult: { partitionId: number; errorCode: number; errorMessage: string | null }[];
}

export interface ElectLeadersDecision {
  /** INVALID_REQUEST for an unknown election type (then nothing is elected). */
  errorCode: number;
  records: PartitionChangeRecord[];
  results: ElectionResult[];
}

/** Kafka's cap on the elections one automatic rebalance writes; the next check continues. */
export const MAX_ELECTIONS_PER_REBALANCE = 1000;

/** Decides an ElectLeaders request. */
export function decideElectLeaders(
  image: MetadataImage,
  request: ElectLeadersRequest,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): ElectLeadersDecision {
  if (request.electionType !== ElectionType.Preferred && request.electionType !== ElectionType.Unclean) {
    return { errorCode: ErrorCode.INVALID_REQUEST, records: [], results: [] };
  }
  const records: PartitionChangeRecord[] = [];
  const decided = new Map<string, { errorCode: number; errorMessage: string | null }>();
  const decide = (topic: string, partitionId: number) => {
    const key = `${topic}\u0000${partitionId}`;
    const earlier = decided.get(key);
    if (earlier) return earlier;
    const outcome = electOne(image, topic, partitionId, request.electionType, settings);
    if (outcome.record) records.push(outcome.record);
    decided.set(key, outcome.error);
    return outcome.error;
  };
  let results: ElectionResult[];
  if (request.topicPartitions === null) {
    // Every partition; those that already have the leader asked for are left out of the answer.
    results = [...image.topicsByName.values()].map((topic) => ({
      topic: topic.name,
      partitionResult: topic.partitions.flatMap((_, partitionId) => {
        const error = decide(topic.name, partitionId);
        return error.errorCode === ErrorCode.ELECTION_NOT_NEEDED ? [] : [{ partitionId, ...error }];
      }),
    }));
  } else {
    results = request.topicPartitions.map((entry) => ({
      topic: entry.topic,
      partitionResult: entry.partitions.map((partitionId) => ({
        partitionId,
        ...decide(entry.topic, partitionId),
      })),
    }));
  }
  return { errorCode: ErrorCode.NONE, records, results };
}

function electOne(
  image: MetadataImage,
  topicName: string,
  partitionId: number,
  electionType: number,
  settings: ElectionSettings,
): { record: PartitionChangeRecord | null; error: { errorCode: number; errorMessage: string | null } } {
  const failed = (errorCode: number, errorMessage: string) => ({
    record: null,
    error: { errorCode, errorMessage },
  });
  const topic = image.topicsByName.get(topicName);
  if (!topic) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${topicName}`);
  const partition = topic.partitions[partitionId];
  if (!partition) {
    return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${topicName}-${partitionId}`);
  }
  const preferred = electionType === ElectionType.Preferred;
  if (preferred ? hasPreferredLeader(partition) : partition.leader !== NO_LEADER) {
    return failed(ErrorCode.ELECTION_NOT_NEEDED, "Leader election not needed for topic partition.");
  }
  const record = electionRecord(image, topic, partition, preferred ? "preferred" : "unclean", settings);
  if (!record) {
    return preferred
      ? failed(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, "The preferred leader was not available.")
      : failed(
        ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
        "Eligible topic partition leaders are not available.",
      );
  }
  return { record, error: { errorCode: ErrorCode.NONE, errorMessage: null } };
}

/** Whether the first replica leads the partition. */
export function hasPreferredLeader(partition: PartitionImage): boolean {
  return partition.replicas.length > 0 && partition.leader === partition.replicas[0];
}

function electionRecord(
  image: MetadataImage,
  topic: TopicImage,
  partition: PartitionImage,
  election: Election,
  settings: ElectionSettings,
): PartitionChangeRecord | null {
  return buildPartitionChange({
    topicId: topic.topicId,
    partition,
    isAcceptableLeader: (id) => isActiveBroker(image, id),
    minIsr: effectiveMinIsr(image, topic, settings),
    elrEnabled: elrEnabled(image),
    election,
  });
}

/**
 * The automatic rebalance: a preferred election for every partition not led by its first replica, where
 * that replica may lead (at most `maxElections`, in topic then partition order).
 */
export function preferredLeaderElections(
  image: MetadataImage,
  settings: ElectionSettings = CLEAN_ELECTIONS,
  maxElections = MAX_ELECTIONS_PER_REBALANCE,
): PartitionChangeRecord[] {
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topicsById.values()) {
    for (const partition of topic.partitions) {
      if (records.length >= maxElections) return records;
      if (!partition || hasPreferredLeader(partition)) continue;
      const record = electionRecord(image, topic, partition, "preferred", settings);
      if (record) records.push(record);
    }
  }
  return records;
}
