/**
 * Leadership invariants of a replicated partition, checked after every
 * scheduler step on every running node:
 * - one leader per leader epoch: no two nodes ever lead the same partition
 *   with the same epoch (the controller hands out each epoch once);
 * - the leader's high watermark never goes back within one leader epoch
 *   (a new leader may start lower: it learns the committed offset from its
 *   followers, Kafka's KIP-101 caveat).
 */
import type { Violations } from "../violation.ts";

interface EpochRecord {
  nodeId: number;
  firstSeenMs: number;
  highWatermark: number;
}

export class LeaderEpochs {
  /** By `${partition}:${epoch}`. */
  readonly #epochs = new Map<string, EpochRecord>();

  constructor(private readonly violations: Violations) {}

  /** `nodeId` leads `partition` in `epoch` with this high watermark at `nowMs`. */
  observe(partition: number, epoch: number, nodeId: number, highWatermark: number, nowMs: number): void {
    const key = `${partition}:${epoch}`;
    const known = this.#epochs.get(key);
    if (known === undefined) {
      this.#epochs.set(key, { nodeId, firstSeenMs: nowMs, highWatermark });
      return;
    }
    if (known.nodeId !== nodeId) {
      throw this.violations.report(
        "one leader per leader epoch",
        `partition ${partition} epoch ${epoch} led by node ${known.nodeId} (seen at ${known.firstSeenMs} ms) ` +
          `and by node ${nodeId} at ${nowMs} ms`,
      );
    }
    if (highWatermark < known.highWatermark) {
      throw this.violations.report(
        "the leader's high watermark never goes back within a leader epoch",
        `partition ${partition} epoch ${epoch} on node ${nodeId}: ${known.highWatermark} then ${highWatermark} ` +
          `at ${nowMs} ms`,
      );
    }
    known.highWatermark = highWatermark;
  }

  /** The node seen leading `partition` in `epoch`, with when it was first seen; undefined if never seen. */
  leaderOf(partition: number, epoch: number): { nodeId: number; firstSeenMs: number } | undefined {
    return this.#epochs.get(`${partition}:${epoch}`);
  }

  /** Leader epochs seen across all partitions. */
  get size(): number {
    return this.#epochs.size;
  }
}
