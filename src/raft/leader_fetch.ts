/**
 * Serving Fetch requests for `__cluster_metadata-0` (KafkaRaftClient's
 * handleFetchRequest and tryCompleteFetchRequest).
 *
 * The fetch offset and last fetched epoch are checked against the log: a
 * follower whose log diverges is told where to truncate, one below the log
 * start is sent to the snapshot, and otherwise it gets the batches from its
 * offset, which also records (for a voter) that it holds everything below.
 * A fetch with nothing to return is held (long polling) until the log or
 * the high watermark moves or `maxWaitMs` passes.
 *
 * A fetch is also answered at once when the leader's high watermark is past
 * the fetcher's, so that followers learn a commit within a round trip rather
 * than a whole `maxWaitMs` later (KIP-1166). Fetch before v17 does not carry
 * the fetcher's high watermark: the leader then takes the one it last
 * answered that replica with. Without this, the fetch whose offset moves the
 * high watermark would itself be held, and every follower would learn of the
 * commit only when its held fetch expired.
 */
import type { RaftCore } from "./_core.ts";
import { knownProgress, updateReplicaState } from "./leader.ts";
import type { FetchRequest, FetchResponse, RaftEnvelope } from "./messages.ts";
import type { LeaderRole, ParkedFetch } from "./roles.ts";
import { approximateBatchBytes } from "./types.ts";
import { UNKNOWN_FETCHER_HIGH_WATERMARK } from "./wire_common.ts";
import { ErrorCode } from "../protocol/mod.ts";

/** An answer with no records: an error, or the leader's view only. */
export function emptyFetchResponse(core: RaftCore, errorCode: number): FetchResponse {
  return {
    type: "FetchResponse",
    errorCode,
    highWatermark: core.role.name === "Leader" ? core.role.highWatermark : -1,
    logStartOffset: core.log.startOffset,
    currentLeader: { leaderId: core.leaderId, leaderEpoch: core.epoch },
    divergingEpoch: null,
    snapshotId: null,
    batches: [],
  };
}

/** Refusals that depend on the request alone (Kafka answers them before anything else). */
function requestError(core: RaftCore, envelope: RaftEnvelope<FetchRequest>): number | null {
  const request = envelope.body;
  if (request.clusterId !== null && core.clusterId !== null && request.clusterId !== core.clusterId) {
    return ErrorCode.INCONSISTENT_CLUSTER_ID;
  }
  if (
    request.maxWaitMs < 0 || request.fetchOffset < 0 || request.lastFetchedEpoch < 0 ||
    request.lastFetchedEpoch > request.currentLeaderEpoch
  ) return ErrorCode.INVALID_REQUEST;
  // A replica id that is not the sender's, or that is this node's own, is forged.
  if (request.replicaId === core.nodeId) return ErrorCode.INVALID_REQUEST;
  if (request.replicaId >= 0 && envelope.from >= 0 && envelope.from !== request.replicaId) {
    return ErrorCode.INVALID_REQUEST;
  }
  return null;
}

/** Errors of a request meant for the leader of `requestEpoch` (validateLeaderOnlyRequest). */
export function leaderOnlyError(core: RaftCore, requestEpoch: number): number | null {
  if (requestEpoch < core.epoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (requestEpoch > core.epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  if (core.role.name !== "Leader") return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  return null;
}

/** Answers the fetch as things stand now (tryCompleteFetchRequest). */
function tryCompleteFetch(core: RaftCore, envelope: RaftEnvelope<FetchRequest>): FetchResponse {
  const request = envelope.body;
  const error = requestError(core, envelope) ?? leaderOnlyError(core, request.currentLeaderEpoch);
  if (error !== null || core.role.name !== "Leader") return emptyFetchResponse(core, error ?? 0);
  const log = core.log;
  const validation = request.fetchOffset === 0 && log.snapshot !== null
    ? { kind: "snapshot" as const, snapshotId: log.snapshot.id }
    : log.validateOffsetAndEpoch(request.fetchOffset, request.lastFetchedEpoch);
  const response = emptyFetchResponse(core, ErrorCode.NONE);
  if (validation.kind === "diverging") {
    response.divergingEpoch = { epoch: validation.epoch, endOffset: validation.endOffset };
  } else if (validation.kind === "snapshot") {
    response.snapshotId = validation.snapshotId;
  } else {
    const maxBytes = Math.max(0, Math.min(request.maxBytes, core.timeouts.fetchMaxBytes));
    response.batches = log.read(request.fetchOffset, maxBytes, approximateBatchBytes);
    if (request.replicaId >= 0 && updateReplicaState(core, request.replicaId, request.fetchOffset)) {
      onLeaderProgress(core);
    }
    response.highWatermark = core.role.highWatermark;
  }
  return response;
}

/**
 * The high watermark the fetcher knows: the one its request carries (v17+),
 * otherwise the one this leader last answered it with (-1 for none yet).
 */
function fetcherHighWatermark(core: RaftCore, request: FetchRequest): number {
  if (request.highWatermark !== UNKNOWN_FETCHER_HIGH_WATERMARK) return request.highWatermark;
  if (core.role.name !== "Leader" || request.replicaId < 0) return UNKNOWN_FETCHER_HIGH_WATERMARK;
  return knownProgress(core.role, request.replicaId)?.highWatermarkSent ?? UNKNOWN_FETCHER_HIGH_WATERMARK;
}

/** Whether a fetch must be answered now rather than held. */
function answerNow(core: RaftCore, request: FetchRequest, response: FetchResponse): boolean {
  return response.errorCode !== ErrorCode.NONE || response.batches.length > 0 || request.maxWaitMs === 0 ||
    response.divergingEpoch !== null || response.snapshotId !== null ||
    fetcherHighWatermark(core, request) < response.highWatermark;
}

/** Sends a fetch's answer, noting which high watermark the fetcher learns from it. */
function answerFetch(core: RaftCore, envelope: RaftEnvelope<FetchRequest>, response: FetchResponse): void {
  const replicaId = envelope.body.replicaId;
  // A diverging or snapshot answer does not give the fetcher the high watermark (it acts on the rest first).
  const teaches = core.role.name === "Leader" && replicaId >= 0 && response.errorCode === ErrorCode.NONE &&
    response.divergingEpoch === null && response.snapshotId === null;
  if (teaches) {
    const progress = knownProgress(core.role as LeaderRole, replicaId);
    if (progress !== undefined) progress.highWatermarkSent = response.highWatermark;
  }
  core.respond(envelope, response);
}

/** Handles a Fetch of the metadata partition. */
export function handleFetchRequest(core: RaftCore, envelope: RaftEnvelope<FetchRequest>): void {
  const response = tryCompleteFetch(core, envelope);
  if (core.role.name !== "Leader" || answerNow(core, envelope.body, response)) {
    answerFetch(core, envelope, response);
    return;
  }
  const role = core.role;
  // One held fetch per sender: an earlier one (its sender gave up on it) is answered now.
  const earlier = role.parkedFetches.filter((parked) => parked.request.from === envelope.from);
  role.parkedFetches = role.parkedFetches.filter((parked) => parked.request.from !== envelope.from);
  for (const parked of earlier) answerFetch(core, parked.request, tryCompleteFetch(core, parked.request));
  role.parkedFetches.push({ request: envelope, deadlineMs: core.nowMs + envelope.body.maxWaitMs });
}

/** Answers held fetches as things stand now (the log or the HW moved, they expired, or leadership ended). */
export function completeParkedFetches(core: RaftCore, parked: readonly ParkedFetch[]): void {
  if (core.role.name === "Leader") {
    const completed = new Set(parked);
    core.role.parkedFetches = core.role.parkedFetches.filter((held) => !completed.has(held));
  }
  for (const held of parked) answerFetch(core, held.request, tryCompleteFetch(core, held.request));
}

/** Answers every held fetch whose wait has ended. */
export function expireParkedFetches(core: RaftCore): void {
  if (core.role.name !== "Leader") return;
  const expired = core.role.parkedFetches.filter((held) => held.deadlineMs <= core.nowMs);
  if (expired.length > 0) completeParkedFetches(core, expired);
}

/** The leader's log end or high watermark moved: every held fetch has news. */
export function onLeaderProgress(core: RaftCore): void {
  if (core.role.name === "Leader" && core.role.parkedFetches.length > 0) {
    completeParkedFetches(core, [...core.role.parkedFetches]);
  }
}
