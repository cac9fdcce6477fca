/**
 * Ready: everything the driver must do for the core, in the order it must
 * be done (etcd-raft's Ready). One Ready is out at a time: the driver does
 * it, then calls `advance()`.
 *
 * 1. `quorumState`: write the `quorum-state` file and sync it.
 * 2. `snapshot`: write this snapshot (fetched from the leader), then replace
 *    the whole log with an empty one starting at its end offset.
 * 3. `truncateTo`: cut the log at this offset.
 * 4. `batches`: append these batches at the log end, then sync the log.
 * 5. `messages`: send them, only now that 1-4 are durable (a vote or a
 *    fetch offset promises what is on disk).
 * 6. `committed`: apply these batches to the state machine, in order, after
 *    loading `snapshot` if there is one. `highWatermark` is the new high
 *    watermark when it moved.
 * 7. `logStartOffset`: the log before this offset may be deleted (a local
 *    snapshot now covers it).
 */
import type { RaftCore } from "./_core.ts";
import { updateLocalState } from "./leader.ts";
import { onLeaderProgress } from "./leader_fetch.ts";
import type { RaftEnvelope } from "./messages.ts";
import { poll } from "./poll.ts";
import type { Snapshot } from "./raft_log.ts";
import { endOffsetOf, type QuorumStateRecord, type RaftBatch } from "./types.ts";

export interface Ready {
  quorumState: QuorumStateRecord | null;
  snapshot: Snapshot | null;
  truncateTo: number | null;
  batches: RaftBatch[];
  messages: RaftEnvelope[];
  committed: RaftBatch[];
  highWatermark: number | null;
  logStartOffset: number | null;
}

function sameQuorumState(left: QuorumStateRecord | null, right: QuorumStateRecord): boolean {
  return left !== null && left.epoch === right.epoch && left.leaderId === right.leaderId &&
    left.votedId === right.votedId;
}

function committedBatches(core: RaftCore): RaftBatch[] {
  if (core.highWatermark <= core.appliedOffset) return [];
  return core.log.batchesBetween(core.appliedOffset, core.highWatermark);
}

/** Whether a Ready would carry anything (always false while one is out). */
export function hasReady(core: RaftCore): boolean {
  if (core.inflightReady !== null) return false;
  return !sameQuorumState(core.handedQuorumState, core.quorumState()) || core.pendingInstall !== null ||
    core.lowestTruncation !== null || core.log.endOffset !== core.handedEndOffset ||
    core.pendingLogStartOffset !== null || core.outbox.length > 0 ||
    core.highWatermark > core.handedHighWatermark || committedBatches(core).length > 0;
}

/** Hands out the next Ready. */
export function takeReady(core: RaftCore): Ready {
  if (core.inflightReady !== null) throw new Error("the previous Ready has not been advanced");
  const quorumState = core.quorumState();
  const snapshot = core.pendingInstall;
  const truncation = core.lowestTruncation;
  const appendFrom = snapshot !== null
    ? snapshot.id.endOffset
    : Math.min(core.handedEndOffset, truncation ?? Infinity);
  const committed = committedBatches(core);
  const ready: Ready = {
    quorumState: sameQuorumState(core.handedQuorumState, quorumState) ? null : quorumState,
    snapshot,
    truncateTo: snapshot === null && truncation !== null && truncation < core.handedEndOffset
      ? truncation
      : null,
    batches: core.log.batches.filter((batch) => batch.baseOffset >= appendFrom),
    messages: core.outbox,
    committed,
    highWatermark: core.highWatermark > core.handedHighWatermark ? core.highWatermark : null,
    logStartOffset: core.pendingLogStartOffset,
  };
  const lastCommitted = committed.at(-1);
  if (lastCommitted !== undefined) core.appliedOffset = endOffsetOf(lastCommitted);
  core.handedQuorumState = quorumState;
  core.handedEndOffset = core.log.endOffset;
  core.handedHighWatermark = Math.max(core.handedHighWatermark, core.highWatermark);
  core.lowestTruncation = null;
  core.pendingInstall = null;
  core.pendingLogStartOffset = null;
  core.outbox = [];
  core.inflightReady = { endOffset: core.log.endOffset };
  return ready;
}

/** The driver has done the Ready: what it wrote is durable. */
export function advanceReady(core: RaftCore): void {
  const inflight = core.inflightReady;
  if (inflight === null) throw new Error("no Ready to advance");
  core.inflightReady = null;
  // A truncation since the Ready was handed out undoes what it wrote beyond that point.
  core.persistedEndOffset = Math.min(
    inflight.endOffset,
    core.lowestTruncation ?? Infinity,
    core.log.endOffset,
  );
  if (core.role.name === "Leader" && updateLocalState(core)) onLeaderProgress(core);
  poll(core);
}
