/**
 * One node of the KRaft metadata quorum as a pure state machine, in the
 * etcd-raft style: it does no I/O and reads no clock.
 *
 * Inputs: `step(message, nowMs)` for a request or response from another
 * node, `tick(nowMs)` when time passes (at the latest at
 * `nextDeadlineMs()`), `propose(values, nowMs)` on the leader,
 * `resign(nowMs)` for a graceful shutdown, `recordSnapshot` after the
 * application wrote a snapshot. Outputs: `ready()` returns what to persist,
 * send and apply, in order (see ready.ts); `advance()` says it is done.
 * `state()` shows the whole state as plain data after any step.
 *
 * Bad input (requests from non-voters, stale epochs, forged replica ids,
 * malformed responses) gets Kafka's error codes and changes nothing.
 */
import { RaftCore, type RaftCoreOptions } from "./_core.ts";
import { handleFetchResponse } from "./follower_fetch.ts";
import {
  handleBeginQuorumEpochRequest,
  handleBeginQuorumEpochResponse,
  handleEndQuorumEpochRequest,
  handleEndQuorumEpochResponse,
} from "./handle_quorum_epoch.ts";
import { handleVoteRequest, handleVoteResponse } from "./handle_vote.ts";
import { handleFetchRequest, onLeaderProgress } from "./leader_fetch.ts";
import { isRequest, type RaftEnvelope } from "./messages.ts";
import { type RaftNodeState, stateOf } from "./node_state.ts";
import { nextDeadlineMs, poll } from "./poll.ts";
import type { Snapshot } from "./raft_log.ts";
import { advanceReady, hasReady, type Ready, takeReady } from "./ready.ts";
import type { RoleName } from "./roles.ts";
import { handleFetchSnapshotRequest, handleFetchSnapshotResponse } from "./snapshot_transfer.ts";
import type { TraceInput, TraceSink } from "./trace.ts";
import { initializeRole } from "./transitions.ts";
import { handleUpdateVoterRequest, handleUpdateVoterResponse } from "./update_voter.ts";
import { lastOffsetOf, NO_NODE, type RaftBatch, type VoterInfo } from "./types.ts";
import {
  addVoter,
  removeVoter,
  updateVoter,
  type VoterChangeResult,
  type VoterRequest,
} from "./voter_changes.ts";
import { quorumConfigOfSnapshot, type VoterSetEntry } from "./voter_history.ts";
import { ErrorCode } from "../protocol/mod.ts";

/** How to build a node. */
export interface RaftNodeOptions extends RaftCoreOptions {
  /** Receives every input with the state after it (see trace.ts); off by default. */
  trace?: TraceSink;
}

/** What `propose` did: the batch's place in the log, or why it was refused. */
export type ProposeResult =
  | { errorCode: 0; baseOffset: number; lastOffset: number; epoch: number }
  | { errorCode: number };

export class RaftNode {
  readonly #core: RaftCore;
  readonly #trace: TraceSink | null;
  #traceSequence = 0;

  /** Starts a node from what it found on disk (nothing, for a new node). */
  constructor(options: RaftNodeOptions) {
    const core = new RaftCore(options);
    initializeRole(core, options.quorumState ?? { epoch: 0, leaderId: NO_NODE, votedId: NO_NODE });
    poll(core);
    this.#core = core;
    this.#trace = options.trace ?? null;
    this.#record({ kind: "start" });
  }

  #record(input: TraceInput): void {
    if (this.#trace === null) return;
    this.#trace({
      nodeId: this.#core.nodeId,
      sequence: this.#traceSequence++,
      input,
      state: this.state(true),
    });
  }

  get nodeId(): number {
    return this.#core.nodeId;
  }

  get role(): RoleName {
    return this.#core.role.name;
  }

  get epoch(): number {
    return this.#core.epoch;
  }

  /** The leader of the current epoch as this node knows it, or -1. */
  get leaderId(): number {
    return this.#core.leaderId;
  }

  get highWatermark(): number {
    return this.#core.highWatermark;
  }

  get isLeader(): boolean {
    return this.#core.role.name === "Leader";
  }

  /** The log's batches after the log start, oldest first (do not change them). */
  get batches(): readonly RaftBatch[] {
    return this.#core.log.batches;
  }

  /** Handles a message addressed to this node. */
  step(envelope: RaftEnvelope, nowMs: number): void {
    const core = this.#core;
    this.#advanceClock(nowMs);
    if (envelope.to !== core.nodeId) return;
    if (isRequest(envelope.body)) this.#handleRequest(envelope);
    else if (core.requests.isExpected(envelope.from, envelope.correlationId)) this.#handleResponse(envelope);
    poll(core);
    this.#record({ kind: "step", nowMs, message: envelope });
  }

  #handleRequest(envelope: RaftEnvelope): void {
    const core = this.#core;
    const body = envelope.body;
    switch (body.type) {
      case "VoteRequest":
        return handleVoteRequest(core, { ...envelope, body });
      case "BeginQuorumEpochRequest":
        return handleBeginQuorumEpochRequest(core, { ...envelope, body });
      case "EndQuorumEpochRequest":
        return handleEndQuorumEpochRequest(core, { ...envelope, body });
      case "FetchRequest":
        return handleFetchRequest(core, { ...envelope, body });
      case "FetchSnapshotRequest":
        return handleFetchSnapshotRequest(core, { ...envelope, body });
      case "UpdateRaftVoterRequest":
        return handleUpdateVoterRequest(core, { ...envelope, body });
    }
  }

  #handleResponse(envelope: RaftEnvelope): void {
    const core = this.#core;
    const body = envelope.body;
    switch (body.type) {
      case "VoteResponse":
        return handleVoteResponse(core, { ...envelope, body });
      case "BeginQuorumEpochResponse":
        return handleBeginQuorumEpochResponse(core, { ...envelope, body });
      case "EndQuorumEpochResponse":
        return handleEndQuorumEpochResponse(core, { ...envelope, body });
      case "FetchResponse":
        return handleFetchResponse(core, { ...envelope, body });
      case "FetchSnapshotResponse":
        return handleFetchSnapshotResponse(core, { ...envelope, body });
      case "UpdateRaftVoterResponse":
        return handleUpdateVoterResponse(core, { ...envelope, body });
    }
  }

  /** Lets time pass: timers that are due fire. */
  tick(nowMs: number): void {
    this.#advanceClock(nowMs);
    poll(this.#core);
    this.#record({ kind: "tick", nowMs });
  }

  /** The monotonic time by which `tick` must be called at the latest. */
  nextDeadlineMs(): number {
    return nextDeadlineMs(this.#core);
  }

  /**
   * Appends `values` as one batch of data records, on the leader only. The
   * batch is committed once it is below the high watermark with this epoch.
   * `appendTimeMs` (wall-clock time) stamps the batch; it defaults to `nowMs`.
   */
  propose(values: readonly Uint8Array[], nowMs: number, appendTimeMs = nowMs): ProposeResult {
    this.#advanceClock(nowMs);
    const result = this.#propose(values, appendTimeMs);
    this.#record({ kind: "propose", nowMs, values: [...values], errorCode: result.errorCode });
    return result;
  }

  #propose(values: readonly Uint8Array[], appendTimeMs: number): ProposeResult {
    const core = this.#core;
    const role = core.role;
    if (role.name !== "Leader" || role.resignRequested) {
      return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    }
    if (values.length === 0) return { errorCode: ErrorCode.INVALID_REQUEST };
    const batch: RaftBatch = {
      baseOffset: core.log.endOffset,
      epoch: role.epoch,
      appendTimeMs,
      control: false,
      records: values.map((value) => ({ type: "data", value })),
    };
    core.log.append(batch);
    onLeaderProgress(core);
    return {
      errorCode: ErrorCode.NONE,
      baseOffset: batch.baseOffset,
      lastOffset: lastOffsetOf(batch),
      epoch: role.epoch,
    };
  }

  /** The voters in force (the latest VotersRecord, else the bootstrap voters), with their endpoints. */
  get voters(): readonly VoterInfo[] {
    return this.#core.voterInfos;
  }

  /** The finalized kraft.version: 1 when the voters live in the log (KIP-853), 0 for static voters. */
  get kraftVersion(): number {
    return this.#core.kraftVersion;
  }

  /** The voter set and kraft.version a snapshot ending at `endOffset` must carry. */
  quorumConfigBefore(endOffset: number): { voters: VoterSetEntry | null; kraftVersion: number | null } {
    return this.#core.log.quorumConfigBefore(endOffset);
  }

  /**
   * AddRaftVoter (KIP-853), on the leader: appends a VotersRecord with the
   * new voter, in force at once; the change is done once that batch commits.
   */
  addVoter(request: VoterRequest, nowMs: number): VoterChangeResult {
    return this.#voterChange(nowMs, "add", request.voterId, () => addVoter(this.#core, request));
  }

  /** RemoveRaftVoter (KIP-853), on the leader; `directoryId` null matches any. */
  removeVoter(voterId: number, directoryId: string | null, nowMs: number): VoterChangeResult {
    return this.#voterChange(nowMs, "remove", voterId, () => removeVoter(this.#core, voterId, directoryId));
  }

  /** UpdateRaftVoter (KIP-853), on the leader: a voter's new listeners. */
  updateVoter(request: VoterRequest, nowMs: number): VoterChangeResult {
    return this.#voterChange(nowMs, "update", request.voterId, () => updateVoter(this.#core, request));
  }

  #voterChange(
    nowMs: number,
    change: "add" | "remove" | "update",
    voterId: number,
    run: () => VoterChangeResult,
  ): VoterChangeResult {
    this.#advanceClock(nowMs);
    const result = run();
    poll(this.#core);
    this.#record({ kind: "voterChange", nowMs, change, voterId, errorCode: result.errorCode });
    return result;
  }

  /** Graceful shutdown of a leader: it resigns and tells the voters (no effect on other states). */
  resign(nowMs: number): void {
    this.#advanceClock(nowMs);
    const role = this.#core.role;
    if (role.name === "Leader") role.resignRequested = true;
    poll(this.#core);
    this.#record({ kind: "resign", nowMs });
  }

  /**
   * The application wrote a snapshot of everything it applied below
   * `snapshot.id.endOffset` (a batch boundary): the log now starts there,
   * and followers that fall behind fetch this snapshot.
   */
  recordSnapshot(snapshot: Snapshot): void {
    const core = this.#core;
    const { endOffset, epoch } = snapshot.id;
    if (endOffset > core.appliedOffset) {
      throw new RangeError(`snapshot end ${endOffset} is beyond what was applied`);
    }
    if (endOffset <= core.log.startOffset) return;
    const expectedEpoch = core.log.epochOfOffset(endOffset - 1);
    if (epoch !== expectedEpoch) throw new RangeError(`snapshot epoch ${epoch} is not ${expectedEpoch}`);
    // A log that starts at the snapshot learns its voter set from it: without it, a restart would fall
    // back to the bootstrap voters (a standalone node would then elect itself alone).
    if (
      core.log.quorumConfigBefore(endOffset).voters !== null &&
      quorumConfigOfSnapshot(snapshot.bytes).voters === null
    ) {
      throw new RangeError(`snapshot ${endOffset}-${epoch} lacks the voter set in force at its end`);
    }
    core.log.compactTo(snapshot);
    core.pendingLogStartOffset = endOffset;
    this.#record({ kind: "recordSnapshot", snapshotId: { endOffset, epoch } });
  }

  /** Whether `ready()` has anything (false while a Ready is out). */
  hasReady(): boolean {
    return hasReady(this.#core);
  }

  /** What to persist, send and apply now; call `advance()` once done. */
  ready(): Ready {
    const ready = takeReady(this.#core);
    this.#record({ kind: "ready", ready });
    return ready;
  }

  /** The last Ready is done (persisted, sent, applied). */
  advance(nowMs?: number): void {
    if (nowMs !== undefined) this.#advanceClock(nowMs);
    advanceReady(this.#core);
    this.#record({ kind: "advance", nowMs: this.#core.nowMs });
  }

  /** The node's state as plain data (a copy); with `withLog` the log's batches too. */
  state(withLog = false): RaftNodeState {
    return stateOf(this.#core, withLog);
  }

  #advanceClock(nowMs: number): void {
    // Monotonic time never goes back; a driver that passes an older time changes nothing.
    if (nowMs > this.#core.nowMs) this.#core.nowMs = nowMs;
  }
}
