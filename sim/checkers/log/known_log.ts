/**
 * What the checker knows of one partition's log as one incarnation of the
 * node served it: which record (by id) sits at each offset, learned from
 * acknowledgements and fetches. Within an incarnation nothing may change:
 * an offset always holds the same record, a record sits at one offset only,
 * and a producer's sequence number starts one batch only.
 *
 * A crash may legitimately lose what was not synced, so each incarnation
 * starts a fresh `KnownLog`; what must survive is carried over separately
 * (`RequiredRecords`).
 */

/** A conflict found while recording, as a sentence; null when consistent. */
export type Conflict = string | null;

/** One incarnation's view of one partition. */
export class KnownLog {
  readonly #idByOffset = new Map<number, string>();
  readonly #offsetById = new Map<string, number>();
  readonly #baseOffsetBySequence = new Map<string, number>();
  /** The bytes of batches already checked, by base offset: the same bytes need no second check. */
  readonly #checkedBatches = new Map<number, Uint8Array>();
  #endOffset = 0;

  /** Whether exactly these bytes were checked before at `baseOffset`. */
  alreadyChecked(baseOffset: number, bytes: Uint8Array): boolean {
    const checked = this.#checkedBatches.get(baseOffset);
    if (checked === undefined || checked.length !== bytes.length) return false;
    for (let index = 0; index < bytes.length; index++) if (checked[index] !== bytes[index]) return false;
    return true;
  }

  /** Remembers that the batch at `baseOffset` with these bytes passed every check. */
  checked(baseOffset: number, bytes: Uint8Array): void {
    this.#checkedBatches.set(baseOffset, bytes.slice());
  }

  /** The record id known at `offset`. */
  idAt(offset: number): string | undefined {
    return this.#idByOffset.get(offset);
  }

  /** One past the highest offset known so far. */
  get endOffset(): number {
    return this.#endOffset;
  }

  /** Records that `offset` holds record `id`. */
  record(offset: number, id: string): Conflict {
    const known = this.#idByOffset.get(offset);
    if (known !== undefined && known !== id) return `offset ${offset} held ${known}, now ${id}`;
    const where = this.#offsetById.get(id);
    if (where !== undefined && where !== offset) {
      return `record ${id} at offset ${where} and again at ${offset}`;
    }
    this.#idByOffset.set(offset, id);
    this.#offsetById.set(id, offset);
    this.#endOffset = Math.max(this.#endOffset, offset + 1);
    return null;
  }

  /** Records that an idempotent batch with this (producer id, epoch, base sequence) starts at `baseOffset`. */
  recordSequence(
    producerId: number,
    producerEpoch: number,
    baseSequence: number,
    baseOffset: number,
  ): Conflict {
    const key = `${producerId}:${producerEpoch}:${baseSequence}`;
    const where = this.#baseOffsetBySequence.get(key);
    if (where !== undefined && where !== baseOffset) {
      return `producer ${producerId} epoch ${producerEpoch} sequence ${baseSequence} appended at ${where} and again at ${baseOffset}`;
    }
    this.#baseOffsetBySequence.set(key, baseOffset);
    return null;
  }
}

/** A record that must be in the log from some incarnation on. */
export interface Requirement {
  id: string;
  /** The incarnation in which it became required; every later incarnation must have it. */
  since: number;
  /**
   * Synced: it survives everything. Otherwise it is only in the page cache
   * (written before a killed process): it survives until the next power loss.
   */
  durable: boolean;
  /** Why it must survive, for reports. */
  reason: string;
}

/** The records of one partition that must survive every later crash. */
export class RequiredRecords {
  readonly #byOffset = new Map<number, Requirement>();

  /** Adds a requirement; a different record already required at the offset is a conflict. */
  require(offset: number, requirement: Requirement): Conflict {
    const existing = this.#byOffset.get(offset);
    if (existing === undefined) {
      this.#byOffset.set(offset, requirement);
      return null;
    }
    if (existing.id === requirement.id) {
      if (requirement.durable && !existing.durable) this.#byOffset.set(offset, requirement);
      return null;
    }
    return `offset ${offset} must hold ${existing.id} (${existing.reason} in incarnation ${existing.since}), ` +
      `but ${requirement.id} is there now (${requirement.reason} in incarnation ${requirement.since})`;
  }

  /** A power loss: what was only in the page cache may be gone. */
  dropVolatile(): void {
    for (const [offset, requirement] of this.#byOffset) {
      if (!requirement.durable) this.#byOffset.delete(offset);
    }
  }

  /** Drops the requirement at `offset` (retention deleted its record, as it may). */
  delete(offset: number): void {
    this.#byOffset.delete(offset);
  }

  /** The requirement at `offset`, if any. */
  at(offset: number): Requirement | undefined {
    return this.#byOffset.get(offset);
  }

  /** Every requirement, by offset. */
  entries(): IterableIterator<[number, Requirement]> {
    return this.#byOffset.entries();
  }

  get size(): number {
    return this.#byOffset.size;
  }
}
