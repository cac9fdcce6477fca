/**
 * The safety condition of voter changes (KIP-853, Raft's single-server
 * changes): the voter set a leader uses may differ from the committed one
 * only so far that every majority of the one meets every majority of the
 * other. Otherwise two leaders could be elected in one epoch, each by a
 * majority of a different set, or a commit counted by one set could be
 * missed by an election in the other. Checked on every leader after every
 * step: its latest voter set (committed or not) against the latest voter
 * set committed anywhere (a new leader's own high watermark may lag the
 * true commit point, so the run's committed history is the reference).
 */
import type { RaftNode } from "../../../src/raft/mod.ts";
import { InvariantViolation } from "../violation.ts";

function majorityOf(size: number): number {
  return Math.floor(size / 2) + 1;
}

/** Whether every majority of `left` meets every majority of `right`. */
export function majoritiesIntersect(left: readonly number[], right: readonly number[]): boolean {
  const union = new Set([...left, ...right]);
  return majorityOf(left.length) + majorityOf(right.length) > union.size;
}

/**
 * Throws when `node`, a leader, uses a voter set whose majorities can miss
 * those of `committedIds`, the latest committed voter set (null: none yet).
 */
export function checkVoterQuorums(node: RaftNode, committedIds: readonly number[] | null): void {
  if (!node.isLeader || node.kraftVersion < 1 || committedIds === null) return;
  const latest = node.voters.map((voter) => voter.voterId);
  if (!majoritiesIntersect(latest, committedIds)) {
    throw new InvariantViolation(
      "the voter set in use shares a majority with the committed one",
      `node ${node.nodeId}, leader of epoch ${node.epoch}, uses voters ${latest.join(",")} while ` +
        `${committedIds.join(",")} are committed`,
    );
  }
}
