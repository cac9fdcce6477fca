/**
 * Which nodes lost data they had written but not flushed, and when: a power
 * loss (the unsynced tail of every log is gone or torn) or the loss of a
 * replica's disk (its partition folders wiped while the node was down). A
 * killed process or a pause loses nothing, so they are not counted.
 *
 * Kafka does not fsync on produce: a committed record can be lost only if
 * every replica holding it loses it. The checkers excuse a loss only as
 * precisely as that allows (see `committedLossExcuse` and
 * `overwriteExcused`).
 */

export type DataLossKind = "power-loss" | "disk-loss";

export interface DataLoss {
  nodeId: number;
  atMs: number;
  kind: DataLossKind;
  /**
   * Partitions of the replicated topic whose ISR (as the controller held it)
   * was this node alone at some moment between the loss and the node's
   * return (registered again, which takes it out of every other ISR).
   */
  soleIsrOf: number[];
  /** Until the node serves again, the loss may still make it a sole ISR member. */
  open: boolean;
}

export class DataLosses {
  readonly #losses: DataLoss[] = [];

  /** Notes a loss, open until `returned`. */
  add(loss: Omit<DataLoss, "open">): void {
    this.#losses.push({ ...loss, open: true });
  }

  /** Whether some loss is still open (the checker then watches the ISRs). */
  get anyOpen(): boolean {
    return this.#losses.some((loss) => loss.open);
  }

  /** The controller's image now has `nodeId` as the only ISR member of `partition`. */
  soleIsr(partition: number, nodeId: number): void {
    for (const loss of this.#losses) {
      if (loss.open && loss.nodeId === nodeId && !loss.soleIsrOf.includes(partition)) {
        loss.soleIsrOf.push(partition);
      }
    }
  }

  /** `nodeId` serves again: registered anew, so out of every ISR it does not hold alone. */
  returned(nodeId: number): void {
    for (const loss of this.#losses) if (loss.nodeId === nodeId) loss.open = false;
  }

  get count(): number {
    return this.#losses.length;
  }

  /** Losses strictly after `sinceMs`. */
  since(sinceMs: number): DataLoss[] {
    return this.#losses.filter((loss) => loss.atMs > sinceMs);
  }

  /**
   * Why a committed record of `partition`, written at or after `sinceMs`,
   * may be gone, or null when it must not be. An acks=all record was on at
   * least min.insync.replicas = RF - 1 replicas, and any committed record on
   * the whole ISR, which no replica leaves or joins without the record
   * (a replica that lost data leaves at its re-registration). So losing it
   * takes at least `replicasLostMax + 1` nodes losing data afterwards, or one
   * node losing it and being the partition's only ISR member before it
   * registers again (the others dropped for lag or fenced while it was down;
   * Kafka without KIP-966's eligible leader replicas then elects it with its
   * shortened log, and so does Dafka). Those who had the record truncate to
   * that log, so the loss shows on nodes that never lost power.
   */
  committedLossExcuse(partition: number, sinceMs: number, replicasLostMax: number): string | null {
    const after = this.since(sinceMs);
    const nodes = new Set(after.map((loss) => loss.nodeId));
    if (nodes.size > replicasLostMax) {
      return `${nodes.size} nodes lost unflushed data since (${[...nodes].join(", ")})`;
    }
    const sole = after.find((loss) => loss.soleIsrOf.includes(partition));
    if (sole !== undefined) {
      return `node ${sole.nodeId} lost data (${sole.kind}), then was the sole ISR member`;
    }
    return null;
  }

  describe(): string {
    if (this.#losses.length === 0) return "no node lost data";
    return this.#losses.map((loss) =>
      `node ${loss.nodeId} ${loss.kind} at ${loss.atMs}` +
      (loss.soleIsrOf.length > 0 ? ` (then sole ISR of ${loss.soleIsrOf.join(",")})` : "")
    ).join("; ");
  }
}
