/**
 * Checks and stages one producer's batches of an append (Kafka's
 * ProducerAppendInfo), following Kafka's rules since KIP-360:
 *
 * - an epoch older than the producer's is fenced: INVALID_PRODUCER_EPOCH
 *   (replicated batches are accepted as they come);
 * - in a new epoch a client must start at sequence 0, unless the broker
 *   knows no epoch for the producer at all (its data was deleted by
 *   retention or DeleteRecords): then any sequence is accepted, and
 *   UNKNOWN_PRODUCER_ID is never returned;
 * - in the same epoch the first sequence must follow the last one, with the
 *   wrap from Int32.MAX to 0: else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - a non-transactional batch inside an open transaction is INVALID_TXN_STATE;
 *   a marker from an older coordinator epoch is TRANSACTION_COORDINATOR_FENCED.
 *
 * Nothing changes until the manager commits the staged entry.
 */
import {
  type BatchHeader,
  isControl,
  isTransactional,
  lastOffset as batchLastOffset,
} from "../protocol/mod.ts";
import { CONTROL_TYPE_ABORT, readControlMarker } from "./batch_records.ts";
import { LogErrorCode } from "./log_errors.ts";
import {
  addBatchMetadata,
  incrementSequence,
  inSequence,
  lastSequenceOf,
  NO_PRODUCER_EPOCH,
  NO_SEQUENCE,
  type ProducerStateEntry,
  updateProducerEpoch,
} from "./producer_state_entry.ts";

/** Who is appending: clients are fully checked, replicas not at all, coordinators for epochs only. */
export type AppendOrigin = "client" | "coordinator" | "replication";

/** A transaction whose marker was appended. */
export interface CompletedTransaction {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  isAborted: boolean;
}

/** Why a producer's batch was refused. */
export interface ProducerAppendError {
  errorCode: number;
  message: string;
}

/** The outcome of staging one batch. */
export interface StagedBatch {
  error: ProducerAppendError | null;
  completedTransaction: CompletedTransaction | null;
}

/** The last sequence of a batch (NO_SEQUENCE when it has none). */
export function lastSequenceOfBatch(header: BatchHeader): number {
  if (header.baseSequence === NO_SEQUENCE) return NO_SEQUENCE;
  return incrementSequence(header.baseSequence, header.lastOffsetDelta);
}

function refuse(errorCode: number, message: string): StagedBatch {
  return { error: { errorCode, message }, completedTransaction: null };
}

const ACCEPTED: StagedBatch = { error: null, completedTransaction: null };

export class ProducerAppend {
  /** The state to commit: the current epoch, txn and coordinator epoch, and only the new batches. */
  readonly updated: ProducerStateEntry;
  /** First offsets of transactions begun by this append. */
  readonly startedTransactions: number[] = [];

  constructor(
    readonly producerId: number,
    private readonly current: ProducerStateEntry,
    private readonly origin: AppendOrigin,
  ) {
    this.updated = { ...current, producerId, batches: [] };
  }

  /** Checks and stages a batch whose offsets are assigned; `bytes` holds it at `header.position`. */
  appendBatch(header: BatchHeader, bytes: Uint8Array): StagedBatch {
    if (isControl(header.attributes)) return this.#appendControlBatch(header, bytes);
    const fenced = this.#checkProducerEpoch(header.producerEpoch, header.baseOffset);
    if (fenced !== null) return fenced;
    if (this.origin === "client") {
      const outOfOrder = this.#checkSequence(header.producerEpoch, header.baseSequence, header.baseOffset);
      if (outOfOrder !== null) return outOfOrder;
    }
    const last = batchLastOffset(header);
    updateProducerEpoch(this.updated, header.producerEpoch);
    addBatchMetadata(this.updated, {
      lastSequence: lastSequenceOfBatch(header),
      lastOffset: last,
      offsetDelta: last - header.baseOffset,
      timestamp: header.maxTimestamp,
    });
    this.updated.lastTimestamp = header.maxTimestamp;
    const transactional = isTransactional(header.attributes);
    if (this.updated.currentTxnFirstOffset >= 0 && !transactional) {
      return refuse(
        LogErrorCode.INVALID_TXN_STATE,
        `expected a transactional write from producer ${this.producerId} at offset ${header.baseOffset}`,
      );
    }
    if (this.updated.currentTxnFirstOffset < 0 && transactional) {
      this.updated.currentTxnFirstOffset = header.baseOffset;
      this.startedTransactions.push(header.baseOffset);
    }
    return ACCEPTED;
  }

  #checkProducerEpoch(producerEpoch: number, offset: number): StagedBatch | null {
    if (producerEpoch >= this.updated.producerEpoch || this.origin === "replication") return null;
    return refuse(
      LogErrorCode.INVALID_PRODUCER_EPOCH,
      `epoch ${producerEpoch} of producer ${this.producerId} at offset ${offset} is smaller than the last seen epoch ${this.updated.producerEpoch}`,
    );
  }

  #checkSequence(producerEpoch: number, firstSequence: number, offset: number): StagedBatch | null {
    if (producerEpoch !== this.updated.producerEpoch) {
      if (firstSequence === 0 || this.updated.producerEpoch === NO_PRODUCER_EPOCH) return null;
      return refuse(
        LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `invalid sequence ${firstSequence} for new epoch ${producerEpoch} of producer ${this.producerId} at offset ${offset}`,
      );
    }
    let currentLastSequence = NO_SEQUENCE;
    if (this.updated.batches.length > 0) currentLastSequence = lastSequenceOf(this.updated);
    else if (producerEpoch === this.current.producerEpoch) currentLastSequence = lastSequenceOf(this.current);
    if (this.current.producerEpoch === NO_PRODUCER_EPOCH || inSequence(currentLastSequence, firstSequence)) {
      return null;
    }
    return refuse(
      LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      `out of order sequence ${firstSequence} for producer ${this.producerId} at offset ${offset}, expected after ${currentLastSequence}`,
    );
  }

  #appendControlBatch(header: BatchHeader, bytes: Uint8Array): StagedBatch {
    const marker = readControlMarker(bytes, header);
    // An empty control batch means the cleaner removed the whole transaction.
    if (marker === null) return ACCEPTED;
    const fenced = this.#checkProducerEpoch(header.producerEpoch, header.baseOffset);
    if (fenced !== null) return fenced;
    if (this.updated.coordinatorEpoch > marker.coordinatorEpoch && this.origin !== "replication") {
      return refuse(
        LogErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `coordinator epoch ${marker.coordinatorEpoch} for producer ${this.producerId} is older than ${this.updated.coordinatorEpoch}`,
      );
    }
    const completedTransaction = this.updated.currentTxnFirstOffset >= 0
      ? {
        producerId: this.producerId,
        firstOffset: this.updated.currentTxnFirstOffset,
        lastOffset: header.baseOffset,
        isAborted: marker.type === CONTROL_TYPE_ABORT,
      }
      : null;
    updateProducerEpoch(this.updated, header.producerEpoch);
    this.updated.coordinatorEpoch = marker.coordinatorEpoch;
    this.updated.currentTxnFirstOffset = -1;
    this.updated.lastTimestamp = header.maxTimestamp;
    return { error: null, completedTransaction };
  }
}
