/**
 * The Raft core's view of the replicated log: the latest snapshot, then the
 * batches after it, in memory. The durable copy (a PartitionLog on disk) is
 * written by the driver from `Ready`; this view answers the protocol's
 * questions (the end offset of an epoch, whether a fetch position is valid)
 * exactly as KRaft's ReplicatedLog does.
 *
 * Snapshots bound its size: once a snapshot covers a prefix, the prefix is
 * dropped and the log starts at the snapshot's end offset.
 */
import { endOffsetOf, lastOffsetOf, type OffsetAndEpoch, type RaftBatch, type SnapshotId } from "./types.ts";
import { quorumConfigOfSnapshot, VoterHistory, type VoterSetEntry } from "./voter_history.ts";

/** A snapshot the log starts after, with its bytes (served to followers by FetchSnapshot). */
export interface Snapshot {
  id: SnapshotId;
  bytes: Uint8Array;
}

/** What a follower's fetch position means to the leader (KRaft's ValidOffsetAndEpoch). */
export type FetchValidation =
  | { kind: "valid" }
  | { kind: "diverging"; endOffset: number; epoch: number }
  | { kind: "snapshot"; snapshotId: SnapshotId };

/** The first offset of each epoch (Kafka's leader epoch cache). */
export interface EpochStart {
  epoch: number;
  startOffset: number;
}

export class RaftLog {
  #snapshot: Snapshot | null;
  #startOffset: number;
  #batches: RaftBatch[];
  /** Where each epoch starts in `#batches` (kept up to date, as Kafka's leader epoch cache is). */
  #epochStarts: EpochStart[] = [];
  /**
   * The snapshot before the latest, still served: a follower that began
   * downloading it when it was the latest can finish (Kafka keeps older
   * snapshots on disk until retention removes them).
   */
  #previousSnapshot: Snapshot | null = null;
  /** The VotersRecords and KRaftVersionRecords in the log (and the snapshot's). */
  readonly #voterHistory = new VoterHistory();

  private constructor(snapshot: Snapshot | null, startOffset: number, batches: RaftBatch[]) {
    this.#snapshot = snapshot;
    this.#startOffset = startOffset;
    this.#batches = batches;
    if (snapshot !== null) {
      this.#voterHistory.reset(quorumConfigOfSnapshot(snapshot.bytes), snapshot.id.endOffset);
    }
  }

  /** The latest voter set in the log or its snapshot, or null when there is none. */
  get latestVoterSet(): VoterSetEntry | null {
    return this.#voterHistory.latestVoterSet;
  }

  /** The voter set and kraft.version in force just before `offset` (what a snapshot ending there holds). */
  quorumConfigBefore(offset: number): { voters: VoterSetEntry | null; kraftVersion: number | null } {
    return {
      voters: this.#voterHistory.voterSetBefore(offset),
      kraftVersion: this.#voterHistory.kraftVersionBefore(offset),
    };
  }

  /** The latest kraft.version in the log or its snapshot, or null. */
  get latestKraftVersion(): number | null {
    return this.#voterHistory.latestKraftVersion;
  }

  /**
   * The log a node finds at start-up: its latest snapshot and the batches on
   * disk. Batches below the snapshot's end (a prefix not yet deleted) are
   * dropped; the rest must follow each other.
   */
  static restore(options: { snapshot?: Snapshot | null; batches?: readonly RaftBatch[] } = {}): RaftLog {
    const snapshot = options.snapshot ?? null;
    const startOffset = snapshot?.id.endOffset ?? options.batches?.[0]?.baseOffset ?? 0;
    const log = new RaftLog(snapshot, startOffset, []);
    for (const batch of options.batches ?? []) {
      if (batch.baseOffset < startOffset) continue;
      log.append(batch);
    }
    return log;
  }

  get snapshot(): Snapshot | null {
    return this.#snapshot;
  }

  /** The latest snapshot or the one before it, if `id` names one of them. */
  snapshotById(id: SnapshotId): Snapshot | null {
    for (const snapshot of [this.#snapshot, this.#previousSnapshot]) {
      if (snapshot !== null && snapshot.id.endOffset === id.endOffset && snapshot.id.epoch === id.epoch) {
        return snapshot;
      }
    }
    return null;
  }

  /** The first offset held (the snapshot's end offset, or 0). */
  get startOffset(): number {
    return this.#startOffset;
  }

  /** The offset the next batch gets. */
  get endOffset(): number {
    const last = this.#batches.at(-1);
    return last === undefined ? this.#startOffset : endOffsetOf(last);
  }

  /** The epoch of the last batch, else of the snapshot, else 0 (KRaft's lastFetchedEpoch). */
  get lastFetchedEpoch(): number {
    return this.#batches.at(-1)?.epoch ?? this.#snapshot?.id.epoch ?? 0;
  }

  /** The log end as Vote requests and elections compare it. */
  get endOffsetAndEpoch(): OffsetAndEpoch {
    return { offset: this.endOffset, epoch: this.lastFetchedEpoch };
  }

  /** The batches after the log start, oldest first. */
  get batches(): readonly RaftBatch[] {
    return this.#batches;
  }

  /** Where each epoch starts, oldest first (a copy). */
  epochStarts(): EpochStart[] {
    return this.#epochStarts.map((start) => ({ ...start }));
  }

  #rebuildEpochStarts(): void {
    this.#epochStarts = [];
    for (const batch of this.#batches) this.#noteEpoch(batch);
  }

  #noteEpoch(batch: RaftBatch): void {
    if (this.#epochStarts.at(-1)?.epoch !== batch.epoch) {
      this.#epochStarts.push({ epoch: batch.epoch, startOffset: batch.baseOffset });
    }
  }

  /** The epoch of the record at `offset` (which must be held), or of the snapshot at the log start. */
  epochOfOffset(offset: number): number {
    const batch = this.#batchHolding(offset);
    if (batch !== undefined) return batch.epoch;
    if (offset === this.#startOffset - 1 && this.#snapshot !== null) return this.#snapshot.id.epoch;
    throw new RangeError(`offset ${offset} is not in the log [${this.#startOffset}, ${this.endOffset})`);
  }

  /**
   * The end of `epoch` in this log: the start of the next higher epoch, or
   * the log end when `epoch` is the latest (KafkaMetadataLog.endOffsetForEpoch
   * over the leader epoch cache, with the snapshot standing in for the
   * dropped prefix).
   */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    const found = this.#epochCacheLookup(epoch);
    const snapshot = this.#snapshot;
    if (
      found !== null && snapshot !== null && found.offset === snapshot.id.endOffset && found.epoch === epoch
    ) {
      // The epoch ended before the first epoch in the log: the snapshot is where it diverges.
      return { offset: snapshot.id.endOffset, epoch: snapshot.id.epoch };
    }
    return found ?? this.endOffsetAndEpoch;
  }

  #epochCacheLookup(epoch: number): OffsetAndEpoch | null {
    const starts = this.#epochStarts;
    const latest = starts.at(-1);
    if (latest === undefined) return null;
    if (epoch === latest.epoch) return { offset: this.endOffset, epoch };
    const higherIndex = starts.findIndex((start) => start.epoch > epoch);
    if (higherIndex < 0) return null;
    const higher = starts[higherIndex]!;
    if (higherIndex === 0) return { offset: higher.startOffset, epoch };
    return { offset: higher.startOffset, epoch: starts[higherIndex - 1]!.epoch };
  }

  /**
   * Whether a follower that has the log up to `offset`, whose last record is
   * of `epoch`, agrees with this log (ReplicatedLog.validateOffsetAndEpoch).
   */
  validateOffsetAndEpoch(offset: number, epoch: number): FetchValidation {
    if (this.#startOffset === 0 && offset === 0) return { kind: "valid" };
    const snapshot = this.#snapshot;
    if (
      snapshot !== null &&
      (offset < this.#startOffset || (offset === this.#startOffset && epoch !== snapshot.id.epoch) ||
        epoch < snapshot.id.epoch)
    ) {
      return { kind: "snapshot", snapshotId: snapshot.id };
    }
    const end = this.endOffsetForEpoch(epoch);
    if (end.epoch !== epoch || end.offset < offset) {
      return { kind: "diverging", endOffset: end.offset, epoch: end.epoch };
    }
    return { kind: "valid" };
  }

  /**
   * Where a follower truncates when the leader reports its log diverges at
   * `diverging` (ReplicatedLog.truncateToEndOffset, without truncating).
   */
  truncationOffsetFor(diverging: OffsetAndEpoch): number {
    if (diverging.epoch === 0) return Math.min(diverging.offset, this.endOffset);
    const local = this.endOffsetForEpoch(diverging.epoch);
    return local.epoch === diverging.epoch ? Math.min(local.offset, diverging.offset) : local.offset;
  }

  /** Appends a batch at the log end; its epoch may not go back. */
  append(batch: RaftBatch): void {
    if (batch.baseOffset !== this.endOffset) {
      throw new RangeError(`batch at ${batch.baseOffset} does not start at the log end ${this.endOffset}`);
    }
    if (batch.records.length === 0) throw new RangeError("an empty batch");
    if (batch.epoch < this.lastFetchedEpoch) {
      throw new RangeError(
        `batch epoch ${batch.epoch} is below the log's last epoch ${this.lastFetchedEpoch}`,
      );
    }
    this.#batches.push(batch);
    this.#noteEpoch(batch);
    this.#voterHistory.noteBatch(batch);
  }

  /** Removes every batch at or after `offset`, which must be a batch boundary at or after the log start. */
  truncateTo(offset: number): void {
    if (offset >= this.endOffset) return;
    if (offset < this.#startOffset) {
      throw new RangeError(`cannot truncate to ${offset}, below the log start ${this.#startOffset}`);
    }
    const index = this.indexAtOrAfter(offset);
    const kept = this.#batches[index - 1];
    const boundary = kept === undefined ? this.#startOffset : endOffsetOf(kept);
    if (boundary !== offset) {
      throw new RangeError(`truncation offset ${offset} is inside a batch`);
    }
    this.#batches.length = index;
    this.#rebuildEpochStarts();
    this.#voterHistory.truncateTo(offset);
  }

  /** Replaces the whole log with a snapshot fetched from the leader: the log restarts at its end. */
  installSnapshot(snapshot: Snapshot): void {
    this.#previousSnapshot = this.#snapshot;
    this.#snapshot = snapshot;
    this.#startOffset = snapshot.id.endOffset;
    this.#batches = [];
    this.#epochStarts = [];
    this.#voterHistory.reset(quorumConfigOfSnapshot(snapshot.bytes), snapshot.id.endOffset);
  }

  /**
   * Takes a snapshot made locally of everything below `snapshot.id.endOffset`
   * (a batch boundary in the log): the prefix is dropped.
   */
  compactTo(snapshot: Snapshot): void {
    const endOffset = snapshot.id.endOffset;
    if (endOffset < this.#startOffset || endOffset > this.endOffset) {
      throw new RangeError(
        `snapshot end ${endOffset} is outside the log [${this.#startOffset}, ${this.endOffset}]`,
      );
    }
    const dropped = this.indexAtOrAfter(endOffset);
    const last = this.#batches[dropped - 1];
    if (last !== undefined && endOffsetOf(last) !== endOffset) {
      throw new RangeError(`snapshot end ${endOffset} is inside a batch`);
    }
    this.#batches = this.#batches.slice(dropped);
    this.#previousSnapshot = this.#snapshot;
    this.#snapshot = snapshot;
    this.#startOffset = endOffset;
    this.#rebuildEpochStarts();
    this.#voterHistory.compactTo(endOffset);
  }

  /**
   * Whole batches from the one holding `fromOffset`, at least one, then as
   * many as fit in `maxBytes` by `sizeOf`. Empty at the log end.
   */
  read(fromOffset: number, maxBytes: number, sizeOf: (batch: RaftBatch) => number): RaftBatch[] {
    let index = this.indexAtOrAfter(fromOffset);
    const previous = this.#batches[index - 1];
    if (previous !== undefined && lastOffsetOf(previous) >= fromOffset) index--;
    const batches: RaftBatch[] = [];
    let bytes = 0;
    for (; index < this.#batches.length; index++) {
      const batch = this.#batches[index]!;
      bytes += sizeOf(batch);
      if (batches.length > 0 && bytes > maxBytes) break;
      batches.push(batch);
    }
    return batches;
  }

  /** Batches wholly in [fromOffset, toOffset). */
  batchesBetween(fromOffset: number, toOffset: number): RaftBatch[] {
    const batches: RaftBatch[] = [];
    for (let index = this.indexAtOrAfter(fromOffset); index < this.#batches.length; index++) {
      const batch = this.#batches[index]!;
      if (endOffsetOf(batch) > toOffset) break;
      batches.push(batch);
    }
    return batches;
  }

  /** The index of the first batch whose base offset is at or after `offset` (the length if none). */
  indexAtOrAfter(offset: number): number {
    let low = 0;
    let high = this.#batches.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#batches[middle]!.baseOffset < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #batchHolding(offset: number): RaftBatch | undefined {
    let low = 0;
    let high = this.#batches.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const batch = this.#batches[middle]!;
      if (offset < batch.baseOffset) high = middle - 1;
      else if (offset > lastOffsetOf(batch)) low = middle + 1;
      else return batch;
    }
    return undefined;
  }
}
