/**
 * The adapter between Dafka's Raft core (src/raft/) and the spec: a node's
 * state (`RaftNodeState`, with its log) and a message (`RaftEnvelope`) as the
 * spec's NodeState and Message.
 *
 * The spec names each log entry by its epoch, one per offset; the core keeps
 * batches of records, so a batch of n records is n entries. Kafka's
 * responses do not repeat the request they answer, while the spec's do
 * (a vote response says whether it answers a pre-vote, a fetch response
 * where its entries start): the adapter copies those fields from the request.
 *
 * One normalisation: the spec's error responses to Fetch carry no high
 * watermark (Kafka sends -1); Dafka's leader sends its own. Receivers ignore
 * it on an error, so the adapter drops it.
 */
import type {
  BatchSummary,
  RaftBatch,
  RaftEnvelope,
  RaftMessage,
  RaftNodeState,
} from "../../src/raft/mod.ts";
import { ErrorCode } from "../../src/protocol/mod.ts";
import { Kind, NO_OFFSET, SpecError, type SpecMessage, SpecModel, type SpecNode } from "./spec_model.ts";

/** Why a state or message cannot be compared with the spec (a part the spec does not model). */
export class NotModelled extends Error {}

function entriesOf(batches: readonly { baseOffset: number; lastOffset: number; epoch: number }[]): number[] {
  const entries: number[] = [];
  for (const batch of batches) {
    if (batch.baseOffset !== entries.length) {
      throw new NotModelled(
        `the log does not start at 0 or has a gap at ${batch.baseOffset} (snapshots are not modelled)`,
      );
    }
    for (let offset = batch.baseOffset; offset <= batch.lastOffset; offset++) entries.push(batch.epoch);
  }
  return entries;
}

function batchEntries(batches: readonly RaftBatch[]): number[] {
  return batches.flatMap((batch) => batch.records.map(() => batch.epoch));
}

function sorted(ids: readonly number[]): number[] {
  return [...ids].sort((left, right) => left - right);
}

/** A node's state as the spec's NodeState. */
export function specNodeOf(state: RaftNodeState, voters: readonly number[]): SpecNode {
  if (state.log === undefined) throw new Error("the state was recorded without its log");
  if (state.logStartOffset !== 0 || state.snapshotId !== null) {
    throw new NotModelled("snapshots are not modelled");
  }
  if (state.follower?.fetchingSnapshot) throw new NotModelled("snapshot downloads are not modelled");
  const endOffsets: Record<number, number> = Object.fromEntries(voters.map((voter) => [voter, NO_OFFSET]));
  if (state.leader !== null) {
    for (const progress of state.leader.voters) {
      // The spec counts the leader itself by what it flushed, and keeps no entry for it.
      if (progress.replicaId !== state.nodeId) endOffsets[progress.replicaId] = progress.endOffset;
    }
  }
  const log = entriesOf(state.log as BatchSummary[]);
  return {
    role: state.role,
    epoch: state.epoch,
    votedFor: state.votedId,
    leader: state.leaderId,
    log,
    flushedLength: state.persistedEndOffset,
    highWatermark: state.highWatermark,
    leaderHighWatermark: state.leader?.highWatermark ?? NO_OFFSET,
    granted: sorted(state.election?.granted ?? []),
    rejected: sorted(state.election?.rejected ?? []),
    hasFetchedFromLeader: state.follower?.hasFetchedFromLeader ?? false,
    epochStartOffset: state.leader?.epochStartOffset ?? NO_OFFSET,
    endOffsets,
  };
}

/** Kafka's error code as the spec's error name; codes the spec never uses keep their number. */
export function specErrorOf(errorCode: number): string {
  switch (errorCode) {
    case ErrorCode.NONE:
      return SpecError.none;
    case ErrorCode.FENCED_LEADER_EPOCH:
      return SpecError.fencedLeaderEpoch;
    case ErrorCode.UNKNOWN_LEADER_EPOCH:
      return SpecError.unknownLeaderEpoch;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      return SpecError.notLeaderOrFollower;
    case ErrorCode.INVALID_REQUEST:
      return SpecError.invalidRequest;
    default:
      return `error ${errorCode}`;
  }
}

/**
 * A message as the spec's Message. A response needs the request it answers
 * (`request`); null when it is not known (then a response cannot be checked).
 */
export function specMessageOf(envelope: RaftEnvelope, request: RaftMessage | null = null): SpecMessage {
  const base = { ...SpecModel.noMessage, source: envelope.from, dest: envelope.to };
  const body = envelope.body;
  switch (body.type) {
    case "VoteRequest":
      return {
        ...base,
        kind: Kind.voteRequest,
        epoch: body.replicaEpoch,
        preVote: body.preVote,
        lastEpoch: body.lastOffsetEpoch,
        offset: body.lastOffset,
      };
    case "VoteResponse":
      return {
        ...base,
        kind: Kind.voteResponse,
        epoch: body.leaderEpoch,
        leader: body.leaderId,
        error: specErrorOf(body.errorCode),
        granted: body.voteGranted,
        preVote: request?.type === "VoteRequest" ? request.preVote : false,
      };
    case "BeginQuorumEpochRequest":
      return { ...base, kind: Kind.beginQuorumEpochRequest, epoch: body.leaderEpoch, leader: body.leaderId };
    case "EndQuorumEpochRequest":
      return { ...base, kind: Kind.endQuorumEpochRequest, epoch: body.leaderEpoch, leader: body.leaderId };
    case "BeginQuorumEpochResponse":
    case "EndQuorumEpochResponse":
      return {
        ...base,
        kind: body.type === "BeginQuorumEpochResponse"
          ? Kind.beginQuorumEpochResponse
          : Kind.endQuorumEpochResponse,
        epoch: body.leaderEpoch,
        leader: body.leaderId,
        error: specErrorOf(body.errorCode),
      };
    case "FetchRequest":
      return {
        ...base,
        kind: Kind.fetchRequest,
        epoch: body.currentLeaderEpoch,
        lastEpoch: body.lastFetchedEpoch,
        offset: body.fetchOffset,
      };
    case "FetchResponse": {
      if (body.snapshotId !== null && (body.snapshotId.epoch >= 0 || body.snapshotId.endOffset >= 0)) {
        throw new NotModelled("a fetch answered with a snapshot id: snapshots are not modelled");
      }
      const error = specErrorOf(body.errorCode);
      const fetch = request?.type === "FetchRequest" ? request : null;
      return {
        ...base,
        kind: Kind.fetchResponse,
        epoch: body.currentLeader.leaderEpoch,
        leader: body.currentLeader.leaderId,
        error,
        highWatermark: error === SpecError.none ? body.highWatermark : NO_OFFSET,
        entries: batchEntries(body.batches),
        divergingEpoch: body.divergingEpoch?.epoch ?? -1,
        divergingEndOffset: body.divergingEpoch?.endOffset ?? -1,
        lastEpoch: fetch?.lastFetchedEpoch ?? 0,
        offset: fetch?.fetchOffset ?? NO_OFFSET,
      };
    }
    case "FetchSnapshotRequest":
    case "FetchSnapshotResponse":
      throw new NotModelled(`${body.type}: snapshots are not modelled`);
    case "UpdateRaftVoterRequest":
    case "UpdateRaftVoterResponse":
      throw new NotModelled(`${body.type}: voter changes (KIP-853) are not modelled`);
  }
}
