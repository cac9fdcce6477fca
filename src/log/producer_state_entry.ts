/**
 * What the log remembers about one producer id (Kafka's ProducerStateEntry):
 * its epoch, the last five batches it wrote (for duplicate detection), its
 * open transaction and the coordinator epoch of its last marker.
 */

/** Producer epochs and sequences as Kafka's RecordBatch defines them. */
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const MAX_SEQUENCE = 0x7fffffff;

/** How many recent batches a producer's entry keeps (Kafka's NUM_BATCHES_TO_RETAIN). */
export const NUM_BATCHES_TO_RETAIN = 5;

/** One batch a producer wrote. */
export interface BatchMetadata {
  lastSequence: number;
  lastOffset: number;
  /** lastOffset minus the batch's first offset. */
  offsetDelta: number;
  timestamp: number;
}

/** The producer's state. */
export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  lastTimestamp: number;
  /** The first offset of the open transaction, or -1. */
  currentTxnFirstOffset: number;
  /** Oldest first, at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
}

/** Sequence numbers wrap from Int32.MAX to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > MAX_SEQUENCE - increment) return increment - (MAX_SEQUENCE - sequence) - 1;
  return sequence + increment;
}

/** The inverse of incrementSequence. */
export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return MAX_SEQUENCE - (decrement - sequence) + 1;
  return sequence - decrement;
}

/** Whether `next` follows `last` (with the wrap at Int32.MAX). */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === MAX_SEQUENCE);
}

export function firstSequenceOf(batch: BatchMetadata): number {
  return decrementSequence(batch.lastSequence, batch.offsetDelta);
}

export function firstOffsetOf(batch: BatchMetadata): number {
  return batch.lastOffset - batch.offsetDelta;
}

/** A producer the log has never seen. */
export function emptyEntry(producerId: number): ProducerStateEntry {
  return {
    producerId,
    producerEpoch: NO_PRODUCER_EPOCH,
    coordinatorEpoch: -1,
    lastTimestamp: -1,
    currentTxnFirstOffset: -1,
    batches: [],
  };
}

/** The last sequence the producer wrote, or NO_SEQUENCE. */
export function lastSequenceOf(entry: ProducerStateEntry): number {
  return entry.batches[entry.batches.length - 1]?.lastSequence ?? NO_SEQUENCE;
}

/** A new epoch forgets the batches of the old one. */
export function updateProducerEpoch(entry: ProducerStateEntry, producerEpoch: number): void {
  if (entry.producerEpoch === producerEpoch) return;
  entry.batches = [];
  entry.producerEpoch = producerEpoch;
}

/** Adds a batch, dropping the oldest beyond NUM_BATCHES_TO_RETAIN. */
export function addBatchMetadata(entry: ProducerStateEntry, batch: BatchMetadata): void {
  if (entry.batches.length === NUM_BATCHES_TO_RETAIN) entry.batches.shift();
  entry.batches.push(batch);
}

/** Folds the staged `next` state into `entry` (Kafka's ProducerStateEntry.update). */
export function mergeEntry(entry: ProducerStateEntry, next: ProducerStateEntry): void {
  updateProducerEpoch(entry, next.producerEpoch);
  for (const batch of next.batches) addBatchMetadata(entry, batch);
  entry.coordinatorEpoch = next.coordinatorEpoch;
  entry.currentTxnFirstOffset = next.currentTxnFirstOffset;
  entry.lastTimestamp = next.lastTimestamp;
}

/** The cached batch with exactly this sequence range in the same epoch, if any. */
export function findDuplicateBatch(
  entry: ProducerStateEntry,
  producerEpoch: number,
  firstSequence: number,
  lastSequence: number,
): BatchMetadata | null {
  if (entry.producerEpoch !== producerEpoch) return null;
  return entry.batches.find((batch) =>
    firstSequenceOf(batch) === firstSequence && batch.lastSequence === lastSequence
  ) ?? null;
}
