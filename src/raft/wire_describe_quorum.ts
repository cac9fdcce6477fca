/**
 * DescribeQuorum (55) answered from a node's state: only the leader knows
 * the voters' progress; other nodes answer NOT_LEADER_OR_FOLLOWER.
 */
import { type ElementOf, ErrorCode, type ResponseInput, uuidFromString } from "../protocol/mod.ts";
import type { describeQuorum } from "../protocol/messages/mod.ts";
import type { RaftNodeState } from "./node_state.ts";
import type { ReplicaProgress } from "./roles.ts";
import { METADATA_PARTITION, METADATA_TOPIC } from "./types.ts";
import { ZERO_UUID } from "./wire_common.ts";

type QuorumPartition = ElementOf<ElementOf<ResponseInput<typeof describeQuorum>["topics"]>["partitions"]>;
type ReplicaState = ElementOf<QuorumPartition["currentVoters"]>;

/**
 * The DescribeQuorum response body for `state`. The core's times are
 * monotonic: `wallClockOffsetMs` (wall clock minus monotonic clock) turns
 * them into the wall-clock timestamps Kafka reports.
 */
export function describeQuorumToWire(
  state: RaftNodeState,
  wallClockOffsetMs = 0,
): ResponseInput<typeof describeQuorum> {
  const leader = state.leader;
  // v2 (KIP-853): the voters' directory ids, and their listeners under `nodes`.
  const directoryIds = new Map(
    state.voterSet.map((
      voter,
    ) => [voter.voterId, voter.directoryId === null ? null : uuidFromString(voter.directoryId)]),
  );
  const replica = (progress: ReplicaProgress): ReplicaState => ({
    replicaId: progress.replicaId,
    replicaDirectoryId: directoryIds.get(progress.replicaId) ?? ZERO_UUID,
    logEndOffset: progress.replicaId === state.nodeId ? state.persistedEndOffset : progress.endOffset,
    lastFetchTimestamp: progress.lastFetchTimeMs < 0 ? -1 : progress.lastFetchTimeMs + wallClockOffsetMs,
    lastCaughtUpTimestamp: progress.lastCaughtUpTimeMs < 0
      ? -1
      : progress.lastCaughtUpTimeMs + wallClockOffsetMs,
  });
  const partition: QuorumPartition = leader === null
    ? {
      partitionIndex: METADATA_PARTITION,
      errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
      errorMessage: null,
      leaderId: state.leaderId,
      leaderEpoch: state.epoch,
      highWatermark: -1,
      currentVoters: [],
      observers: [],
    }
    : {
      partitionIndex: METADATA_PARTITION,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      leaderId: state.nodeId,
      leaderEpoch: state.epoch,
      highWatermark: leader.highWatermark,
      currentVoters: leader.voters.map(replica),
      observers: leader.observers.map(replica),
    };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: [{ topicName: METADATA_TOPIC, partitions: [partition] }],
    nodes: leader === null ? [] : state.voterSet
      .filter((voter) => voter.endpoints.length > 0)
      .map((voter) => ({
        nodeId: voter.voterId,
        listeners: voter.endpoints.map((endpoint) => ({ ...endpoint })),
      })),
  };
}
