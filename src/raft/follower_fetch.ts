/**
 * The fetching side: followers and observers pull the log from the leader
 * (or, while they look for it, from any voter), append what comes back,
 * truncate where the leader says their log diverges, and learn the high
 * watermark (KafkaRaftClient.handleFetchResponse and the poll methods).
 *
 * Input from the leader is checked before it touches the log: batches must
 * continue the log exactly, and a truncation may never reach below the high
 * watermark. A response that fails these checks is dropped (Kafka would
 * stop); the node backs off and fetches again.
 */
import type { RaftCore } from "./_core.ts";
import { maybeHandleCommonResponse } from "./common_response.ts";
import type { FetchResponse, RaftEnvelope } from "./messages.ts";
import type { FollowerRole } from "./roles.ts";
import { endOffsetOf, type RaftBatch } from "./types.ts";
import { sendUpdateVoter, shouldUpdateVoter } from "./update_voter.ts";

/** Why a batch list cannot be appended, or null when it can. */
function appendProblem(core: RaftCore, batches: readonly RaftBatch[], leaderEpoch: number): string | null {
  let expected = core.log.endOffset;
  let lastEpoch = core.log.lastFetchedEpoch;
  for (const batch of batches) {
    if (batch.baseOffset !== expected) return `batch at ${batch.baseOffset}, expected ${expected}`;
    if (batch.records.length === 0) return `empty batch at ${batch.baseOffset}`;
    if (batch.epoch < lastEpoch || batch.epoch > leaderEpoch) {
      return `batch epoch ${batch.epoch} out of order`;
    }
    if (batch.control !== batch.records.every((record) => record.type !== "data")) {
      return `batch at ${batch.baseOffset} mixes control and data records`;
    }
    expected = endOffsetOf(batch);
    lastEpoch = batch.epoch;
  }
  return null;
}

/** Applies a successful fetch answer. Returns false when it was refused. */
function applyFetch(core: RaftCore, role: FollowerRole, response: FetchResponse): boolean {
  const diverging = response.divergingEpoch;
  if (diverging !== null && diverging.epoch >= 0) {
    const offset = core.log.truncationOffsetFor({ offset: diverging.endOffset, epoch: diverging.epoch });
    if (
      diverging.endOffset < core.highWatermark || offset < core.highWatermark || offset < core.log.startOffset
    ) {
      core.debug(`refused truncation to ${offset}: below the high watermark ${core.highWatermark}`);
      return false;
    }
    if (offset < core.log.endOffset) {
      core.debug(`truncating to ${offset}: the log diverges from the leader's`);
    }
    core.truncateLog(offset);
    return true;
  }
  const snapshotId = response.snapshotId;
  if (snapshotId !== null && (snapshotId.epoch >= 0 || snapshotId.endOffset >= 0)) {
    if (snapshotId.epoch < 0 || snapshotId.endOffset < 0) return false;
    role.fetchingSnapshot = { snapshotId, chunks: [], receivedBytes: 0 };
    core.debug(`fetching snapshot ${snapshotId.endOffset}-${snapshotId.epoch}`);
    return true;
  }
  const problem = appendProblem(core, response.batches, role.epoch);
  if (problem !== null) {
    core.debug(`refused fetched batches: ${problem}`);
    return false;
  }
  for (const batch of response.batches) core.log.append(batch);
  if (response.highWatermark >= 0) {
    core.raiseHighWatermark(Math.min(core.log.endOffset, response.highWatermark));
  }
  return true;
}

export function handleFetchResponse(core: RaftCore, envelope: RaftEnvelope<FetchResponse>): void {
  const response = envelope.body;
  const leader = response.currentLeader;
  const handled = maybeHandleCommonResponse(core, response.errorCode, leader.leaderId, leader.leaderEpoch);
  if (handled !== null) {
    core.requests.onResponse(envelope.from, handled, core.nowMs);
    return;
  }
  const role = core.role;
  if (role.name !== "Follower" || envelope.from !== role.leaderId) {
    core.requests.onResponse(envelope.from, true, core.nowMs);
    return;
  }
  const applied = applyFetch(core, role, response);
  if (applied) {
    role.fetchDeadlineMs = core.nowMs + core.timeouts.fetchTimeoutMs;
    role.hasFetchedFromLeader = true;
  }
  core.requests.onResponse(envelope.from, applied, core.nowMs);
}

function sendFetch(core: RaftCore, destination: number): void {
  core.sendRequest(destination, {
    type: "FetchRequest",
    clusterId: core.clusterId,
    replicaId: core.nodeId,
    maxWaitMs: core.timeouts.fetchMaxWaitMs,
    maxBytes: core.timeouts.fetchMaxBytes,
    currentLeaderEpoch: core.epoch,
    fetchOffset: core.log.endOffset,
    lastFetchedEpoch: core.log.lastFetchedEpoch,
    logStartOffset: core.log.startOffset,
    highWatermark: core.highWatermark,
  });
}

/**
 * Where a node looking for the leader asks: the other voters, or for an
 * observer of a dynamic quorum (and a voter that knows no other) the
 * bootstrap servers, as Kafka's observers do.
 */
function leaderSearchTargets(core: RaftCore): number[] {
  const bootstrap = core.dynamic?.bootstrapServers ?? [];
  const voters = core.remoteVoters;
  if (bootstrap.length === 0) return voters;
  // The voters this node knows of may all be gone (its log is behind the voter changes): the
  // bootstrap servers are asked too.
  return [...new Set([...voters, ...bootstrap])];
}

/** Looking for the leader: a Fetch to a random voter (or bootstrap server) that is ready, when nothing else is in flight. */
export function sendFetchToAnyVoter(core: RaftCore): void {
  if (core.requests.hasAnyInflight(core.nowMs)) return;
  const voters = leaderSearchTargets(core);
  if (voters.length === 0) return;
  const start = core.random.int(voters.length);
  for (let step = 0; step < voters.length; step++) {
    const voterId = voters[(start + step) % voters.length]!;
    if (core.requests.isReady(voterId, core.nowMs)) {
      sendFetch(core, voterId);
      return;
    }
  }
}

/**
 * A follower fetches from its leader (or downloads its snapshot); when the
 * leader does not answer, it asks the other voters whether leadership moved.
 */
export function sendFetchToBestNode(core: RaftCore, role: FollowerRole): void {
  const leaderId = role.leaderId;
  if (core.requests.hasTimedOut(leaderId, core.nowMs)) {
    core.requests.reset(leaderId, core.nowMs);
    sendFetchToAnyVoter(core);
  } else if (core.requests.isBackingOff(leaderId, core.nowMs)) {
    sendFetchToAnyVoter(core);
  } else if (!core.requests.hasAnyInflight(core.nowMs)) {
    const download = role.fetchingSnapshot;
    if (download === null) {
      // Between two fetches (one request in flight per node), the voter's listeners if they changed.
      if (shouldUpdateVoter(core, role)) sendUpdateVoter(core, role);
      else sendFetch(core, leaderId);
      return;
    }
    core.sendRequest(leaderId, {
      type: "FetchSnapshotRequest",
      clusterId: core.clusterId,
      replicaId: core.nodeId,
      maxBytes: core.timeouts.fetchSnapshotMaxBytes,
      currentLeaderEpoch: core.epoch,
      snapshotId: download.snapshotId,
      position: download.receivedBytes,
    });
  }
}
