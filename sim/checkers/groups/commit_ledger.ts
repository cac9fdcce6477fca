/**
 * What both group checkers (classic and KIP-848) know of committed offsets:
 * the highest offset whose commit the coordinator acknowledged per
 * partition, and the rule that offsets read back never fall below it. Also
 * the settled-group rule that every partition is held exactly once.
 */

/** A broken invariant: its name and what was seen. */
export interface LedgerViolation {
  invariant: string;
  message: string;
}

export class CommitLedger {
  /** partition → the highest offset whose commit was acknowledged. */
  readonly #acknowledged = new Map<number, number>();

  /** A commit of `offset` to `partition` was acknowledged. */
  acknowledge(partition: number, offset: number): void {
    this.#acknowledged.set(partition, Math.max(this.#acknowledged.get(partition) ?? -1, offset));
  }

  /** The highest acknowledged offset of each partition now (taken before reading offsets back). */
  snapshot(): Map<number, number> {
    return new Map(this.#acknowledged);
  }

  /** Offsets read back from the coordinator against what was acknowledged before the read was sent. */
  checkRead(
    committed: ReadonlyMap<number, number>,
    expected: ReadonlyMap<number, number>,
    when: string,
  ): LedgerViolation | null {
    for (const [partition, acknowledged] of expected) {
      const read = committed.get(partition) ?? -1;
      if (read < acknowledged) {
        return {
          invariant: "an acknowledged commit is never lost",
          message:
            `partition ${partition}: ${acknowledged} was acknowledged, ${when} the coordinator has ${read}`,
        };
      }
    }
    return null;
  }
}

/** Whether the partitions held by a settled group's live members are each of 0..partitions-1 exactly once. */
export function coverageViolation(
  partitions: number,
  held: readonly number[],
  what: string,
): LedgerViolation | null {
  const sorted = [...held].sort((left, right) => left - right);
  const every = Array.from({ length: partitions }, (_, index) => index);
  if (sorted.join() === every.join()) return null;
  return {
    invariant: "every partition is eventually assigned when members are alive",
    message: `${what} [${sorted}]`,
  };
}
