/**
 * FetchSnapshot both ways (KIP-630): the leader serves its latest snapshot
 * in chunks; a follower whose fetch offset fell below the leader's log start
 * downloads it, checks it, and replaces its log with it.
 */
import type { RaftCore } from "./_core.ts";
import { isForged, isOtherCluster, maybeHandleCommonResponse } from "./common_response.ts";
import { updateCheckQuorum } from "./leader.ts";
import { leaderOnlyError } from "./leader_fetch.ts";
import type { FetchSnapshotRequest, FetchSnapshotResponse, RaftEnvelope } from "./messages.ts";
import type { FollowerRole, SnapshotDownload } from "./roles.ts";
import type { SnapshotId } from "./types.ts";
import { ErrorCode } from "../protocol/mod.ts";

const NO_SNAPSHOT: SnapshotId = { endOffset: -1, epoch: -1 };

function snapshotError(core: RaftCore, errorCode: number): FetchSnapshotResponse {
  return {
    type: "FetchSnapshotResponse",
    errorCode,
    currentLeader: { leaderId: core.leaderId, leaderEpoch: core.epoch },
    snapshotId: NO_SNAPSHOT,
    size: -1,
    position: -1,
    bytes: new Uint8Array(0),
  };
}

function requestError(core: RaftCore, envelope: RaftEnvelope<FetchSnapshotRequest>): number | null {
  const request = envelope.body;
  if (isOtherCluster(core, request.clusterId)) return ErrorCode.INCONSISTENT_CLUSTER_ID;
  if (request.replicaId === core.nodeId || isForged(envelope.from, request.replicaId)) {
    return ErrorCode.INVALID_REQUEST;
  }
  return leaderOnlyError(core, request.currentLeaderEpoch);
}

export function handleFetchSnapshotRequest(
  core: RaftCore,
  envelope: RaftEnvelope<FetchSnapshotRequest>,
): void {
  const request = envelope.body;
  const error = requestError(core, envelope);
  if (error !== null) {
    core.respond(envelope, snapshotError(core, error));
    return;
  }
  const snapshot = core.log.snapshotById(request.snapshotId);
  if (snapshot === null) {
    core.respond(envelope, snapshotError(core, ErrorCode.SNAPSHOT_NOT_FOUND));
    return;
  }
  const size = snapshot.bytes.length;
  if (request.position < 0 || request.position >= size) {
    core.respond(envelope, snapshotError(core, ErrorCode.POSITION_OUT_OF_RANGE));
    return;
  }
  const chunkBytes = Math.max(1, Math.min(request.maxBytes, core.timeouts.fetchSnapshotMaxBytes));
  updateCheckQuorum(core, request.replicaId);
  core.respond(envelope, {
    type: "FetchSnapshotResponse",
    errorCode: ErrorCode.NONE,
    currentLeader: { leaderId: core.leaderId, leaderEpoch: core.epoch },
    snapshotId: snapshot.id,
    size,
    position: request.position,
    bytes: snapshot.bytes.slice(request.position, request.position + chunkBytes),
  });
}

function concatenate(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let position = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, position);
    position += chunk.length;
  }
  return bytes;
}

/** The download is complete: check it, then let it replace the log. Returns false when refused. */
function finishDownload(core: RaftCore, role: FollowerRole, download: SnapshotDownload): boolean {
  role.fetchingSnapshot = null;
  const id = download.snapshotId;
  const bytes = concatenate(download.chunks, download.receivedBytes);
  const own = core.log.endOffsetAndEpoch;
  const ahead = id.epoch > own.epoch || (id.epoch === own.epoch && id.endOffset > own.offset);
  if (!ahead || id.endOffset < core.highWatermark) {
    core.debug(`refused snapshot ${id.endOffset}-${id.epoch}: not ahead of the log`);
    return false;
  }
  if (!core.validateSnapshot(bytes, id)) {
    core.debug(`refused snapshot ${id.endOffset}-${id.epoch}: malformed`);
    return false;
  }
  const snapshot = { id, bytes };
  core.log.installSnapshot(snapshot);
  core.pendingInstall = snapshot;
  core.lowestTruncation = null;
  core.appliedOffset = Math.max(core.appliedOffset, id.endOffset);
  core.raiseHighWatermark(id.endOffset);
  core.debug(`installed snapshot ${id.endOffset}-${id.epoch}`);
  return true;
}

/** Checks a chunk against the download; returns why it does not fit, or null. */
function chunkProblem(download: SnapshotDownload, response: FetchSnapshotResponse): string | null {
  const id = download.snapshotId;
  if (response.snapshotId.endOffset !== id.endOffset || response.snapshotId.epoch !== id.epoch) {
    return "another snapshot";
  }
  if (response.position !== download.receivedBytes) return `position ${response.position}`;
  if (response.size < download.receivedBytes + response.bytes.length || response.bytes.length === 0) {
    return `size ${response.size}`;
  }
  return null;
}

export function handleFetchSnapshotResponse(
  core: RaftCore,
  envelope: RaftEnvelope<FetchSnapshotResponse>,
): void {
  const response = envelope.body;
  const leader = response.currentLeader;
  const handled = maybeHandleCommonResponse(core, response.errorCode, leader.leaderId, leader.leaderEpoch);
  const role = core.role;
  if (handled === false && response.errorCode === ErrorCode.SNAPSHOT_NOT_FOUND && role.name === "Follower") {
    // The leader has a newer snapshot: start over with a Fetch.
    role.fetchingSnapshot = null;
    role.fetchDeadlineMs = core.nowMs + core.timeouts.fetchTimeoutMs;
    core.requests.onResponse(envelope.from, true, core.nowMs);
    return;
  }
  if (handled !== null || role.name !== "Follower" || envelope.from !== role.leaderId) {
    core.requests.onResponse(envelope.from, handled ?? true, core.nowMs);
    return;
  }
  const download = role.fetchingSnapshot;
  const problem = download === null ? "no download under way" : chunkProblem(download, response);
  if (download === null || problem !== null) {
    core.debug(`refused snapshot chunk: ${problem}`);
    role.fetchingSnapshot = null;
    core.requests.onResponse(envelope.from, false, core.nowMs);
    return;
  }
  download.chunks.push(response.bytes);
  download.receivedBytes += response.bytes.length;
  const accepted = download.receivedBytes < response.size || finishDownload(core, role, download);
  role.fetchDeadlineMs = core.nowMs + core.timeouts.fetchTimeoutMs;
  core.requests.onResponse(envelope.from, accepted, core.nowMs);
}
