/**
 * Transactions as the cleaner sees them.
 *
 * Kafka's cleaner removes the data of aborted transactions, keeps a
 * transaction marker until every batch of its transaction is gone, and then
 * keeps the marker `delete.retention.ms` longer (KIP-534) before removing it.
 * Which transactions were aborted Kafka reads from its `.txnindex` files;
 * Dafka finds them by scanning the batch headers once per round
 * (`AbortedTransactionScan`), reading the record of each control batch only.
 * `TransactionTracker` then follows the cleaner through the log as Kafka's
 * CleanedTransactionMetadata does.
 */
import {
  type BatchHeader,
  ControlRecordType,
  decodeRecords,
  isControl,
  isTransactional,
  lastOffset,
  readControlRecordType,
} from "../../protocol/mod.ts";

/** A transaction that ended with an ABORT marker. */
export interface AbortedTransaction {
  producerId: number;
  /** The first offset of its data (the marker's own offset when no data was found). */
  firstOffset: number;
  /** The offset of its ABORT marker. */
  lastOffset: number;
}

/** The type of the marker in a control batch (ControlRecordType), or null for a batch emptied by cleaning. */
export function controlRecordTypeOf(batch: Uint8Array, header: BatchHeader): number | null {
  const first = decodeRecords(batch, header)[0];
  return first === undefined ? null : readControlRecordType(first.key);
}

/** Collects aborted transactions from batch headers met in offset order. */
export class AbortedTransactionScan {
  /** Per producer, the first offset of its transaction in progress. */
  readonly #openTransactions = new Map<number, number>();
  readonly #aborted: AbortedTransaction[] = [];

  /** A data batch: a transactional one opens its producer's transaction if none is open. */
  onDataBatch(header: BatchHeader): void {
    if (!isTransactional(header.attributes) || this.#openTransactions.has(header.producerId)) return;
    this.#openTransactions.set(header.producerId, header.baseOffset);
  }

  /** A control batch and the type of its marker. */
  onControlBatch(header: BatchHeader, markerType: number | null): void {
    if (markerType !== ControlRecordType.Abort && markerType !== ControlRecordType.Commit) return;
    const firstOffset = this.#openTransactions.get(header.producerId) ?? header.baseOffset;
    this.#openTransactions.delete(header.producerId);
    if (markerType === ControlRecordType.Abort) {
      this.#aborted.push({ producerId: header.producerId, firstOffset, lastOffset: lastOffset(header) });
    }
  }

  /** Whether a transaction whose data began below `offset` has not ended yet. */
  hasOpenTransactionBelow(offset: number): boolean {
    for (const firstOffset of this.#openTransactions.values()) if (firstOffset < offset) return true;
    return false;
  }

  /** The aborted transactions found, by first offset. */
  aborted(): AbortedTransaction[] {
    return [...this.#aborted].sort((left, right) => left.firstOffset - right.firstOffset);
  }
}

/**
 * Follows the cleaner's pass through the log: which data batches belong to
 * aborted transactions, and which markers may go because their transaction
 * has no data left.
 */
export class TransactionTracker {
  readonly #aborted: readonly AbortedTransaction[];
  #nextAborted = 0;
  /** Producers in an aborted transaction we are inside, and whether one of its batches was seen. */
  readonly #ongoingAborted = new Map<number, { batchSeen: boolean }>();
  /** Producers whose committed (or not aborted) transaction had a batch seen. */
  readonly #ongoingCommitted = new Set<number>();

  /** `aborted` must be sorted by first offset. */
  constructor(aborted: readonly AbortedTransaction[]) {
    this.#aborted = aborted;
  }

  #enterAbortedUpTo(offset: number): void {
    while (
      this.#nextAborted < this.#aborted.length && this.#aborted[this.#nextAborted]!.firstOffset <= offset
    ) {
      const transaction = this.#aborted[this.#nextAborted++]!;
      if (!this.#ongoingAborted.has(transaction.producerId)) {
        this.#ongoingAborted.set(transaction.producerId, { batchSeen: false });
      }
    }
  }

  /** A data batch; true when it belongs to an aborted transaction (and may be discarded). */
  onDataBatch(header: BatchHeader): boolean {
    this.#enterAbortedUpTo(lastOffset(header));
    if (!isTransactional(header.attributes)) return false;
    const aborted = this.#ongoingAborted.get(header.producerId);
    if (aborted !== undefined) {
      aborted.batchSeen = true;
      return true;
    }
    this.#ongoingCommitted.add(header.producerId);
    return false;
  }

  /**
   * A control batch; true when it may be discarded: an empty one, or a marker
   * whose transaction had no batch left in this pass.
   */
  onControlBatch(header: BatchHeader, markerType: number | null): boolean {
    if (!isControl(header.attributes)) throw new Error("onControlBatch needs a control batch");
    this.#enterAbortedUpTo(lastOffset(header));
    if (markerType === null) return true;
    if (markerType === ControlRecordType.Abort) {
      const aborted = this.#ongoingAborted.get(header.producerId);
      this.#ongoingAborted.delete(header.producerId);
      return !(aborted?.batchSeen ?? false);
    }
    if (markerType === ControlRecordType.Commit) return !this.#ongoingCommitted.delete(header.producerId);
    return false;
  }
}
