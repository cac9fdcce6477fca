/**
 * The producer state of a partition (Kafka's ProducerStateManager): every
 * idempotent or transactional producer's entry, the open transactions, and
 * the `<offset>.snapshot` files that let a restart skip re-reading the log.
 *
 * The partition log asks it before appending (duplicates and sequence
 * checks), commits what an append staged after the bytes are written, and
 * moves its end offset (`mapEndOffset`) with the log. A snapshot is taken
 * when a segment is rolled and on clean shutdown, named by the offset up to
 * which it holds the state.
 */
import type { Disk } from "../io/mod.ts";
import type { BatchHeader } from "../protocol/mod.ts";
import {
  DELETED_FILE_SUFFIX,
  joinPath,
  offsetFileName,
  offsetFromFileName,
  PRODUCER_SNAPSHOT_FILE_SUFFIX,
} from "./file_names.ts";
import {
  type AppendOrigin,
  type CompletedTransaction,
  lastSequenceOfBatch,
  ProducerAppend,
  type ProducerAppendError,
} from "./producer_append.ts";
import {
  CorruptSnapshotError,
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type ProducerSnapshotEntry,
} from "./producer_snapshot.ts";
import {
  type BatchMetadata,
  emptyEntry,
  findDuplicateBatch,
  lastSequenceOf,
  mergeEntry,
  type ProducerStateEntry,
} from "./producer_state_entry.ts";

/** `producer.id.expiration.ms`'s default: a day. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;

/** What an append staged for all its producers; committed only if the append succeeds. */
export class ProducerAppendSession {
  readonly #producers = new Map<number, ProducerAppend>();
  readonly completedTransactions: CompletedTransaction[] = [];

  constructor(private readonly manager: ProducerStateManager, private readonly origin: AppendOrigin) {}

  /** Checks and stages a batch with a producer id; returns the error that refuses the append, if any. */
  appendBatch(header: BatchHeader, bytes: Uint8Array): ProducerAppendError | null {
    let append = this.#producers.get(header.producerId);
    if (append === undefined) {
      const current = this.manager.lastEntry(header.producerId) ?? emptyEntry(header.producerId);
      append = new ProducerAppend(header.producerId, current, this.origin);
      this.#producers.set(header.producerId, append);
    }
    const staged = append.appendBatch(header, bytes);
    if (staged.completedTransaction !== null) this.completedTransactions.push(staged.completedTransaction);
    return staged.error;
  }

  /** The staged producers, for the manager's commit. */
  staged(): Iterable<ProducerAppend> {
    return this.#producers.values();
  }
}

/** Options of a producer state manager. */
export interface ProducerStateOptions {
  disk: Disk;
  /** The partition's folder, where the snapshot files live. */
  directory: string;
  producerIdExpirationMs?: number;
}

export class ProducerStateManager {
  readonly #disk: Disk;
  readonly #directory: string;
  readonly #expirationMs: number;
  readonly #producers = new Map<number, ProducerStateEntry>();
  /** Open transactions: first offset to producer id. */
  readonly #ongoingTransactions = new Map<number, number>();
  /** Completed transactions whose marker may still be above the high watermark: first offset to last offset. */
  readonly #unreplicatedTransactions = new Map<number, number>();
  /** Offsets of the snapshot files on disk, ascending. */
  #snapshots: number[] = [];
  #lastMapOffset = 0;
  #lastSnapOffset = 0;

  constructor(options: ProducerStateOptions) {
    this.#disk = options.disk;
    this.#directory = options.directory;
    this.#expirationMs = options.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.#snapshots = this.#listSnapshots();
  }

  #listSnapshots(): number[] {
    const offsets: number[] = [];
    for (const name of this.#disk.list(this.#directory)) {
      if (!name.endsWith(PRODUCER_SNAPSHOT_FILE_SUFFIX)) continue;
      const offset = offsetFromFileName(name);
      if (offset !== null && name === offsetFileName(offset, PRODUCER_SNAPSHOT_FILE_SUFFIX)) {
        offsets.push(offset);
      }
    }
    return offsets.sort((a, b) => a - b);
  }

  #snapshotPath(offset: number): string {
    return joinPath(this.#directory, offsetFileName(offset, PRODUCER_SNAPSHOT_FILE_SUFFIX));
  }

  /** The offset up to which the state is built (exclusive). */
  get mapEndOffset(): number {
    return this.#lastMapOffset;
  }

  set mapEndOffset(offset: number) {
    this.#lastMapOffset = offset;
  }

  /** Offsets of the snapshot files, ascending. */
  snapshotOffsets(): number[] {
    return [...this.#snapshots];
  }

  latestSnapshotOffset(): number | null {
    return this.#snapshots[this.#snapshots.length - 1] ?? null;
  }

  isEmpty(): boolean {
    return this.#producers.size === 0 && this.#unreplicatedTransactions.size === 0;
  }

  lastEntry(producerId: number): ProducerStateEntry | null {
    return this.#producers.get(producerId) ?? null;
  }

  /** Every known producer (for DescribeProducers). */
  activeProducers(): ReadonlyMap<number, ProducerStateEntry> {
    return this.#producers;
  }

  /**
   * The batch a client is sending again, if its sequence range matches one
   * of the producer's last five in the same epoch.
   */
  findDuplicate(header: BatchHeader): BatchMetadata | null {
    const entry = this.#producers.get(header.producerId);
    if (entry === undefined) return null;
    return findDuplicateBatch(entry, header.producerEpoch, header.baseSequence, lastSequenceOfBatch(header));
  }

  /** Starts staging an append. */
  prepareAppend(origin: AppendOrigin): ProducerAppendSession {
    return new ProducerAppendSession(this, origin);
  }

  /** Applies what an append staged, once its bytes are in the log. */
  commit(session: ProducerAppendSession): void {
    for (const append of session.staged()) {
      const current = this.#producers.get(append.producerId);
      if (current === undefined) this.#producers.set(append.producerId, append.updated);
      else mergeEntry(current, append.updated);
      for (const firstOffset of append.startedTransactions) {
        this.#ongoingTransactions.set(firstOffset, append.producerId);
      }
    }
    for (const completed of session.completedTransactions) {
      this.#ongoingTransactions.delete(completed.firstOffset);
      this.#unreplicatedTransactions.set(completed.firstOffset, completed.lastOffset);
    }
  }

  /** The first offset of the oldest open transaction, or null. */
  firstUndecidedOffset(): number | null {
    return minKey(this.#ongoingTransactions);
  }

  /** The first offset of the oldest transaction that is open or whose marker is not yet replicated. */
  firstUnstableOffset(): number | null {
    const undecided = minKey(this.#ongoingTransactions);
    const unreplicated = minKey(this.#unreplicatedTransactions);
    if (undecided === null) return unreplicated;
    if (unreplicated === null) return undecided;
    return Math.min(undecided, unreplicated);
  }

  /** Transactions whose markers are below the high watermark are no longer unstable. */
  onHighWatermarkUpdated(highWatermark: number): void {
    this.#removeUnreplicatedTransactions(highWatermark);
  }

  #removeUnreplicatedTransactions(offset: number): void {
    for (const [firstOffset, lastOffset] of this.#unreplicatedTransactions) {
      if (lastOffset < offset) this.#unreplicatedTransactions.delete(firstOffset);
    }
  }

  #isExpired(entry: ProducerStateEntry, nowMs: number): boolean {
    return entry.currentTxnFirstOffset < 0 && nowMs - entry.lastTimestamp >= this.#expirationMs;
  }

  /** Forgets producers idle for longer than `producer.id.expiration.ms` (Kafka checks every 10 minutes). */
  removeExpiredProducers(nowMs: number): void {
    for (const [producerId, entry] of this.#producers) {
      if (this.#isExpired(entry, nowMs)) this.#producers.delete(producerId);
    }
  }

  /** Writes `<mapEndOffset>.snapshot` unless one at that offset or later exists; returns whether it wrote. */
  takeSnapshot(): boolean {
    if (this.#lastMapOffset <= this.#lastSnapOffset) return false;
    const entries = [...this.#producers.values()]
      .sort((left, right) => left.producerId - right.producerId)
      .map(toSnapshotEntry);
    this.#disk.writeFileAtomic(this.#snapshotPath(this.#lastMapOffset), encodeProducerSnapshot(entries));
    if (!this.#snapshots.includes(this.#lastMapOffset)) {
      this.#snapshots.push(this.#lastMapOffset);
      this.#snapshots.sort((a, b) => a - b);
    }
    this.#lastSnapOffset = this.#lastMapOffset;
    return true;
  }

  /** Deletes the snapshot at `offset` (its segment was deleted). */
  deleteSnapshot(offset: number): void {
    const index = this.#snapshots.indexOf(offset);
    if (index < 0) return;
    this.#snapshots.splice(index, 1);
    this.#disk.remove(this.#snapshotPath(offset));
  }

  /**
   * Takes the snapshot at `offset` out of use and renames it to
   * `.snapshot.deleted` (its segment is being deleted, as Kafka's
   * removeAndMarkSnapshotForDeletion does); returns the new path, or null
   * when there is no such snapshot.
   */
  removeAndMarkSnapshotForDeletion(offset: number): string | null {
    const index = this.#snapshots.indexOf(offset);
    if (index < 0) return null;
    this.#snapshots.splice(index, 1);
    const path = this.#snapshotPath(offset);
    if (!this.#disk.exists(path)) return null;
    const renamed = path + DELETED_FILE_SUFFIX;
    this.#disk.rename(path, renamed);
    return renamed;
  }

  /** Deletes snapshots below `offset`. */
  deleteSnapshotsBefore(offset: number): void {
    for (const snapshot of this.snapshotOffsets()) if (snapshot < offset) this.deleteSnapshot(snapshot);
  }

  /**
   * Deletes snapshots that match no segment, except the latest such one when
   * it is beyond every segment (the one written at clean shutdown).
   */
  removeStraySnapshots(segmentBaseOffsets: readonly number[]): void {
    const baseOffsets = new Set(segmentBaseOffsets);
    const maxSegmentBaseOffset = segmentBaseOffsets.length === 0 ? null : Math.max(...segmentBaseOffsets);
    let latestStray: number | null = null;
    for (const offset of this.#listSnapshots()) {
      if (baseOffsets.has(offset)) continue;
      if (latestStray !== null) this.#disk.remove(this.#snapshotPath(latestStray));
      latestStray = offset;
    }
    if (latestStray !== null && maxSegmentBaseOffset !== null && latestStray < maxSegmentBaseOffset) {
      this.#disk.remove(this.#snapshotPath(latestStray));
    }
    this.#snapshots = this.#listSnapshots();
  }

  /**
   * Kafka's truncateAndReload: drops snapshots outside (logStartOffset,
   * logEndOffset], and unless the state already ends at `logEndOffset`,
   * reloads from the latest readable snapshot (corrupt ones are deleted).
   */
  truncateAndReload(logStartOffset: number, logEndOffset: number, nowMs: number): void {
    for (const offset of this.snapshotOffsets()) {
      if (offset > logEndOffset || offset <= logStartOffset) this.deleteSnapshot(offset);
    }
    if (logEndOffset === this.#lastMapOffset) {
      this.onLogStartOffsetIncremented(logStartOffset);
      return;
    }
    this.#producers.clear();
    this.#ongoingTransactions.clear();
    this.#unreplicatedTransactions.clear();
    this.#loadFromSnapshot(logStartOffset, nowMs);
  }

  #loadFromSnapshot(logStartOffset: number, nowMs: number): void {
    while (true) {
      const latest = this.latestSnapshotOffset();
      if (latest === null) {
        this.#lastSnapOffset = logStartOffset;
        this.#lastMapOffset = logStartOffset;
        return;
      }
      try {
        const entries = readSnapshotFile(this.#disk, this.#snapshotPath(latest));
        for (const entry of entries) {
          const state = fromSnapshotEntry(entry);
          if (!this.#isExpired(state, nowMs)) this.loadProducerEntry(state);
        }
        this.#lastSnapOffset = latest;
        this.#lastMapOffset = latest;
        return;
      } catch (error) {
        if (!(error instanceof CorruptSnapshotError)) throw error;
        this.deleteSnapshot(latest);
      }
    }
  }

  /** Adds a producer as a snapshot described it. */
  loadProducerEntry(entry: ProducerStateEntry): void {
    this.#producers.set(entry.producerId, entry);
    if (entry.currentTxnFirstOffset >= 0) {
      this.#ongoingTransactions.set(entry.currentTxnFirstOffset, entry.producerId);
    }
  }

  /** The log start moved forward: old unreplicated transactions go, the state starts no earlier. */
  onLogStartOffsetIncremented(logStartOffset: number): void {
    this.#removeUnreplicatedTransactions(logStartOffset);
    if (this.#lastMapOffset < logStartOffset) this.#lastMapOffset = logStartOffset;
    this.#lastSnapOffset = this.latestSnapshotOffset() ?? logStartOffset;
  }

  /** Forgets everything and deletes every snapshot: the log restarts at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.#producers.clear();
    this.#ongoingTransactions.clear();
    this.#unreplicatedTransactions.clear();
    for (const snapshot of this.snapshotOffsets()) this.deleteSnapshot(snapshot);
    this.#lastSnapOffset = 0;
    this.#lastMapOffset = offset;
  }
}

function minKey(map: ReadonlyMap<number, number>): number | null {
  let smallest: number | null = null;
  for (const key of map.keys()) if (smallest === null || key < smallest) smallest = key;
  return smallest;
}

/** Reads and checks a snapshot file; a missing file is corrupt. */
export function readSnapshotFile(disk: Disk, path: string): ProducerSnapshotEntry[] {
  const bytes = disk.readFile(path);
  if (bytes === null) throw new CorruptSnapshotError(`${path} is missing`);
  return decodeProducerSnapshot(bytes);
}

function toSnapshotEntry(entry: ProducerStateEntry): ProducerSnapshotEntry {
  const last = entry.batches[entry.batches.length - 1];
  return {
    producerId: entry.producerId,
    producerEpoch: entry.producerEpoch,
    lastSequence: lastSequenceOf(entry),
    lastOffset: last?.lastOffset ?? -1,
    offsetDelta: last?.offsetDelta ?? 0,
    timestamp: entry.lastTimestamp,
    coordinatorEpoch: entry.coordinatorEpoch,
    currentTxnFirstOffset: entry.currentTxnFirstOffset,
  };
}

/** The producer state a snapshot entry describes (only its last batch survives a snapshot). */
export function fromSnapshotEntry(entry: ProducerSnapshotEntry): ProducerStateEntry {
  const batches: BatchMetadata[] = entry.lastOffset >= 0
    ? [{
      lastSequence: entry.lastSequence,
      lastOffset: entry.lastOffset,
      offsetDelta: entry.offsetDelta,
      timestamp: entry.timestamp,
    }]
    : [];
  return {
    producerId: entry.producerId,
    producerEpoch: entry.producerEpoch,
    coordinatorEpoch: entry.coordinatorEpoch,
    lastTimestamp: entry.timestamp,
    currentTxnFirstOffset: entry.currentTxnFirstOffset,
    batches,
  };
}
