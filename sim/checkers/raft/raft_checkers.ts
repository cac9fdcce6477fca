/**
 * The invariants of a Raft simulation, checked after every step of every
 * node:
 * - election safety: at most one leader per epoch;
 * - committed entries never change or disappear, and logs agree below the
 *   high watermark (every node's batches below its high watermark must match
 *   the committed history);
 * - leader completeness: every acknowledged proposal is in the log of every
 *   leader of a higher epoch than the one it was acknowledged in (a leader of
 *   a lower epoch can still win late, from delayed votes, but never commit);
 * - state machine safety: each node's applied state (including snapshots it
 *   made or loaded) is a prefix of the committed history;
 * - voter changes (dynamic voters): a leader's voter set shares a majority
 *   with the committed one (voter_quorums.ts).
 */
import { endOffsetOf, type RaftBatch, type Ready } from "../../../src/raft/mod.ts";
import { InvariantViolation } from "../violation.ts";
import type { HostObserver, RaftHost } from "../../scenarios/raft/raft_host.ts";
import { CommittedHistory, digestOf } from "./committed_history.ts";
import { checkVoterQuorums } from "./voter_quorums.ts";

/** A proposal waiting to be seen committed by its proposer. */
export interface PendingProposal {
  proposer: number;
  baseOffset: number;
  epoch: number;
  digest: string;
}

/** A proposal whose batch the proposer saw committed. */
export interface AcknowledgedProposal extends PendingProposal {
  /**
   * The proposer's epoch when it saw the batch committed: the batch was
   * committed in this epoch or earlier, so every leader of a higher epoch must hold it.
   */
  acknowledgedInEpoch: number;
}

/** The index of the first batch at or after `offset` (binary search). */
function firstIndexAtOrAfter(batches: readonly RaftBatch[], offset: number): number {
  let low = 0;
  let high = batches.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (batches[middle]!.baseOffset < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class RaftCheckers implements HostObserver {
  readonly history = new CommittedHistory();
  readonly acknowledged: AcknowledgedProposal[] = [];
  readonly pending: PendingProposal[] = [];
  /** The leader of each epoch seen so far. */
  readonly leaders = new Map<number, number>();
  /** Per node: its log is checked against the history below this offset. */
  readonly #verifiedEnd = new Map<number, number>();
  stepsChecked = 0;
  /** Every node of the run (set once they exist). */
  hosts: readonly RaftHost[] = [];

  afterStep(host: RaftHost): void {
    const node = host.node;
    if (node === null) return;
    this.stepsChecked++;
    if (node.isLeader) {
      this.#checkLeader(host);
      checkVoterQuorums(node, this.history.committedVoterIds);
    }
    this.#checkLogBelowHighWatermark(host);
  }

  #checkLeader(host: RaftHost): void {
    const node = host.node!;
    const known = this.leaders.get(node.epoch);
    if (known === undefined) {
      this.leaders.set(node.epoch, host.id);
      this.#checkLeaderCompleteness(host);
    } else if (known !== host.id) {
      throw new InvariantViolation(
        "at most one leader per epoch",
        `nodes ${known} and ${host.id} both lead epoch ${node.epoch}`,
      );
    }
  }

  /** A new leader must hold every proposal acknowledged in a lower epoch. */
  #checkLeaderCompleteness(host: RaftHost): void {
    const node = host.node!;
    for (const proposal of this.acknowledged) {
      if (proposal.acknowledgedInEpoch < node.epoch) this.#checkHolds(host, proposal);
    }
  }

  #checkHolds(host: RaftHost, proposal: AcknowledgedProposal): void {
    const node = host.node!;
    const batches = node.batches;
    const logStart = batches[0]?.baseOffset ?? node.state().logStartOffset;
    if (proposal.baseOffset < logStart) return;
    const batch = batches[firstIndexAtOrAfter(batches, proposal.baseOffset)];
    if (
      batch === undefined || batch.baseOffset !== proposal.baseOffset || batch.epoch !== proposal.epoch ||
      digestOf(batch) !== proposal.digest
    ) {
      throw new InvariantViolation(
        "acknowledged proposals are in every later leader's log",
        `node ${host.id}, leader of epoch ${node.epoch}, lacks the batch at ${proposal.baseOffset} ` +
          `(epoch ${proposal.epoch}) acknowledged in epoch ${proposal.acknowledgedInEpoch}`,
      );
    }
  }

  #checkLogBelowHighWatermark(host: RaftHost): void {
    const node = host.node!;
    const highWatermark = node.highWatermark;
    let verified = this.#verifiedEnd.get(host.id) ?? 0;
    if (highWatermark <= verified) return;
    const batches = node.batches;
    for (let index = firstIndexAtOrAfter(batches, verified); index < batches.length; index++) {
      const batch = batches[index]!;
      if (endOffsetOf(batch) > highWatermark) break;
      this.history.record(batch, `node ${host.id}'s log below its high watermark ${highWatermark}`);
      verified = endOffsetOf(batch);
    }
    this.#verifiedEnd.set(host.id, verified);
  }

  onReady(host: RaftHost, ready: Ready): void {
    for (const batch of ready.committed) {
      this.history.record(batch, `node ${host.id} committed`);
      const acknowledged = this.pending.findIndex((proposal) =>
        proposal.proposer === host.id && proposal.baseOffset === batch.baseOffset
      );
      if (acknowledged < 0) continue;
      const [proposal] = this.pending.splice(acknowledged, 1);
      // The proposer sees its batch committed only if it is the batch it proposed.
      if (proposal!.epoch === batch.epoch && proposal!.digest === digestOf(batch)) {
        const acknowledgedProposal = { ...proposal!, acknowledgedInEpoch: host.node!.epoch };
        this.acknowledged.push(acknowledgedProposal);
        // Leaders of higher epochs already in office must hold it too.
        for (const other of this.hosts) {
          if (other.node?.isLeader && other.node.epoch > acknowledgedProposal.acknowledgedInEpoch) {
            this.#checkHolds(other, acknowledgedProposal);
          }
        }
      }
    }
    if (ready.snapshot !== null) this.#verifiedEnd.set(host.id, ready.snapshot.id.endOffset);
  }

  onSnapshot(host: RaftHost, kind: "created" | "loaded" | "restored"): void {
    const app = host.app;
    const expected = this.history.valuesBelow(app.appliedOffset, `node ${host.id}'s ${kind} snapshot`);
    const same = expected.length === app.values.length &&
      expected.every((value, index) => value === app.values[index]);
    if (!same) {
      throw new InvariantViolation(
        "state is a prefix of the history",
        `node ${host.id}'s ${kind} snapshot at ${app.appliedOffset} holds ${app.values.length} values ` +
          `that differ from the ${expected.length} committed below it`,
      );
    }
    if (kind === "restored") this.#verifiedEnd.set(host.id, app.appliedOffset);
  }

  /** A node (re)started: its log is checked again from its start. */
  onStart(host: RaftHost): void {
    this.#verifiedEnd.delete(host.id);
  }

  /** Notes a proposal made by `proposer`, to acknowledge once it sees it committed. */
  onProposal(proposal: PendingProposal): void {
    this.pending.push(proposal);
  }
}
