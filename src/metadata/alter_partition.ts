/**
 * The active controller's answer to AlterPartition (KIP-497): a partition's
 * leader asks to change its ISR, or to mark itself recovered after an unclean
 * election (KIP-704). As Kafka's ReplicationControlManager checks it: the
 * requesting broker's epoch (top level), then per partition the topic, the
 * partition, the epochs the leader acts on, the new ISR's shape, and that every
 * member of the new ISR may be in it (KIP-841: registered, unfenced, not
 * shutting down; KIP-903: the broker epoch the leader saw is the registered
 * one, so a replica that restarted with an empty disk cannot be counted in
 * sync on the strength of its previous life).
 *
 * An accepted change is one PartitionChangeRecord (partition_change_builder.ts):
 * the new ISR, the partition epoch bumped by replay, the leader and its epoch
 * unchanged; unless the new ISR completes a reassignment (KIP-455), which then
 * drops the removed replicas and, when the leader is one of them, elects
 * another (the leader hears NEW_LEADER_ELECTED). With ELR (KIP-966) the
 * members an ISR below min.insync.replicas loses become eligible leaders.
 */
import { ErrorCode, uuidToString } from "../protocol/mod.ts";
import type { MetadataImage, PartitionImage, TopicImage } from "./image.ts";
import {
  CLEAN_ELECTIONS,
  effectiveMinIsr,
  type ElectionSettings,
  elrEnabled,
  isActiveBroker,
  NO_LEADER_CHANGE,
  uncleanElectionEnabled,
} from "./leader_election.ts";
import { buildPartitionChange } from "./partition_change_builder.ts";
import { LeaderRecoveryState, type PartitionChangeRecord } from "./records.ts";

/** One ISR member as v3 sends it; -1 as the epoch skips the check (what older versions mean). */
export interface IsrMember {
  brokerId: number;
  brokerEpoch: number;
}

/** One partition of an AlterPartition request, as decoded (either ISR field, by version). */
export interface AlterPartitionData {
  partitionIndex: number;
  leaderEpoch: number;
  /** Versions 0-2. */
  newIsr: number[];
  /** Version 3 and later. */
  newIsrWithEpochs: IsrMember[];
  leaderRecoveryState: number;
  partitionEpoch: number;
}

/** An AlterPartition request: topics by name before version 2, by id from it. */
export interface AlterPartitionRequest {
  version: number;
  brokerId: number;
  brokerEpoch: number;
  topics: { topicName: string; topicId: Uint8Array; partitions: AlterPartitionData[] }[];
}

/** The answer for one partition: its state after the change, or an error and zeros (as Kafka answers). */
export interface AlterPartitionResult {
  partitionIndex: number;
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  isr: number[];
  leaderRecoveryState: number;
  partitionEpoch: number;
}

export interface AlterPartitionResponse {
  errorCode: number;
  topics: { topicName: string; topicId: Uint8Array; partitions: AlterPartitionResult[] }[];
}

export interface AlterPartitionDecision {
  records: PartitionChangeRecord[];
  response: AlterPartitionResponse;
}

/** Decides an AlterPartition request against the image. */
export function decideAlterPartition(
  image: MetadataImage,
  request: AlterPartitionRequest,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): AlterPartitionDecision {
  const requester = image.brokers.get(request.brokerId);
  if (!requester || requester.brokerEpoch !== request.brokerEpoch) {
    return { records: [], response: { errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] } };
  }
  const records: PartitionChangeRecord[] = [];
  const topics = request.topics.map((topicData) => {
    const topic = request.version > 1
      ? image.topicsById.get(uuidToString(topicData.topicId))
      : image.topicsByName.get(topicData.topicName);
    const partitions = topicData.partitions.map((data) => {
      if (!topic) {
        const unknown = request.version > 1
          ? ErrorCode.UNKNOWN_TOPIC_ID
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return refused(data.partitionIndex, unknown);
      }
      const outcome = decidePartition(image, request, topic, data, settings);
      if (outcome.record) records.push(outcome.record);
      return outcome.result;
    });
    return { topicName: topicData.topicName, topicId: topicData.topicId, partitions };
  });
  return { records, response: { errorCode: ErrorCode.NONE, topics } };
}

function decidePartition(
  image: MetadataImage,
  request: AlterPartitionRequest,
  topic: TopicImage,
  data: AlterPartitionData,
  settings: ElectionSettings,
): { record: PartitionChangeRecord | null; result: AlterPartitionResult } {
  const partition = topic.partitions[data.partitionIndex];
  const members: IsrMember[] = request.version >= 3
    ? data.newIsrWithEpochs
    : data.newIsr.map((brokerId) => ({ brokerId, brokerEpoch: -1 }));
  const errorCode = partition
    ? validationError(image, request, partition, data, members)
    : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (!partition || errorCode !== ErrorCode.NONE) {
    return { record: null, result: refused(data.partitionIndex, errorCode) };
  }
  const record = buildPartitionChange({
    topicId: topic.topicId,
    partition,
    isAcceptableLeader: (replica) => isActiveBroker(image, replica),
    minIsr: effectiveMinIsr(image, topic, settings),
    elrEnabled: elrEnabled(image),
    election: uncleanElectionEnabled(image, topic.name, settings) ? "unclean" : "online",
    targetIsr: members.map((member) => member.brokerId),
    targetLeaderRecoveryState: data.leaderRecoveryState,
  });
  if (!record) return { record: null, result: stateOf(partition) };
  if (record.leader !== NO_LEADER_CHANGE && record.leader !== request.brokerId) {
    // The new ISR completed a reassignment that removes this leader: it must learn the new one first.
    const moved = request.version > 1 ? ErrorCode.NEW_LEADER_ELECTED : ErrorCode.FENCED_LEADER_EPOCH;
    return { record, result: refused(data.partitionIndex, moved) };
  }
  const after: AlterPartitionResult = {
    ...stateOf(partition),
    isr: record.isr ?? [...partition.isr],
    leaderEpoch: partition.leaderEpoch + (record.leader === NO_LEADER_CHANGE ? 0 : 1),
    leaderRecoveryState: record.leaderRecoveryState ?? partition.leaderRecoveryState,
    partitionEpoch: partition.partitionEpoch + 1,
  };
  return { record, result: after };
}

/**
 * Kafka's checks, in its order. Epochs above the controller's mean that this
 * controller is behind (a new one has been elected), so the leader is told to
 * look for it (NOT_CONTROLLER); epochs below mean the leader acts on an old state.
 * A request from a broker that does not lead the partition is INVALID_REQUEST,
 * as in Kafka.
 */
function validationError(
  image: MetadataImage,
  request: AlterPartitionRequest,
  partition: PartitionImage,
  data: AlterPartitionData,
  members: IsrMember[],
): number {
  if (data.leaderEpoch > partition.leaderEpoch) return ErrorCode.NOT_CONTROLLER;
  if (data.partitionEpoch > partition.partitionEpoch) return ErrorCode.NOT_CONTROLLER;
  if (data.leaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (request.brokerId !== partition.leader) return ErrorCode.INVALID_REQUEST;
  if (data.partitionEpoch < partition.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const isr = members.map((member) => member.brokerId);
  if (!isValidIsr(partition.replicas, isr) || !isr.includes(partition.leader)) {
    return ErrorCode.INVALID_REQUEST;
  }
  // A leader elected uncleanly recovers alone: no other replica may join before it has reconciled its log.
  const recovering = data.leaderRecoveryState === LeaderRecoveryState.Recovering;
  if (recovering && isr.length > 1) return ErrorCode.INVALID_REQUEST;
  if (recovering && partition.leaderRecoveryState === LeaderRecoveryState.Recovered) {
    return ErrorCode.INVALID_REQUEST;
  }
  if (data.leaderRecoveryState !== LeaderRecoveryState.Recovered && !recovering) {
    return ErrorCode.INVALID_REQUEST;
  }
  if (members.some((member) => !isEligible(image, member))) {
    return request.version > 1 ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.OPERATION_NOT_ATTEMPTED;
  }
  return ErrorCode.NONE;
}

/** Non-empty, no duplicates, no negative ids, every member a replica. */
function isValidIsr(replicas: number[], isr: number[]): boolean {
  return isr.length > 0 && new Set(isr).size === isr.length &&
    isr.every((member) => member >= 0 && replicas.includes(member));
}

/** KIP-841 and KIP-903: a member of a new ISR must be registered, unfenced, not shutting down, at the epoch seen. */
function isEligible(image: MetadataImage, member: IsrMember): boolean {
  const broker = image.brokers.get(member.brokerId);
  if (!broker || broker.fenced || broker.inControlledShutdown) return false;
  return member.brokerEpoch === -1 || member.brokerEpoch === broker.brokerEpoch;
}

function stateOf(partition: PartitionImage): AlterPartitionResult {
  return {
    partitionIndex: partition.partition,
    errorCode: ErrorCode.NONE,
    leaderId: partition.leader,
    leaderEpoch: partition.leaderEpoch,
    isr: [...partition.isr],
    leaderRecoveryState: partition.leaderRecoveryState,
    partitionEpoch: partition.partitionEpoch,
  };
}

function refused(partitionIndex: number, errorCode: number): AlterPartitionResult {
  return {
    partitionIndex,
    errorCode,
    leaderId: 0,
    leaderEpoch: 0,
    isr: [],
    leaderRecoveryState: 0,
    partitionEpoch: 0,
  };
}
