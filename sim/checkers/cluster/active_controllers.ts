/**
 * At most one node is the active controller in each Raft epoch: two nodes
 * deciding metadata changes in the same epoch would let both commit
 * decisions made against different images.
 */
import { InvariantViolation } from "../violation.ts";

export class ActiveControllers {
  /** The node that was active controller in each epoch seen so far. */
  readonly byEpoch = new Map<number, number>();

  /** Notes that `nodeId` is the active controller in `epoch`. */
  observe(nodeId: number, epoch: number): void {
    const known = this.byEpoch.get(epoch);
    if (known === undefined) this.byEpoch.set(epoch, nodeId);
    else if (known !== nodeId) {
      throw new InvariantViolation(
        "at most one active controller per epoch",
        `nodes ${known} and ${nodeId} are both active controller in epoch ${epoch}`,
      );
    }
  }

  /** Distinct nodes that have been active controller. */
  get distinctNodes(): number {
    return new Set(this.byEpoch.values()).size;
  }
}
