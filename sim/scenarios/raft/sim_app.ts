/**
 * The replicated state machine of a simulated Raft node: the data values of
 * the committed batches, in order. It snapshots itself into a KRaft
 * snapshot (one record per value) and loads from one, as a controller's
 * metadata image does.
 */
import {
  buildSnapshotBytes,
  endOffsetOf,
  type RaftBatch,
  readSnapshotValues,
  type Snapshot,
  type VoterInfo,
} from "../../../src/raft/mod.ts";

const decoder = new TextDecoder();

/** Decoded values per batch object: the simulated network passes batches by reference, so each is decoded once. */
const valuesCache = new WeakMap<RaftBatch, string[]>();

/** The data values of a batch as text (control batches have none). */
export function batchValues(batch: RaftBatch): string[] {
  let values = valuesCache.get(batch);
  if (values === undefined) {
    values = batch.records.flatMap((record) => record.type === "data" ? [decoder.decode(record.value)] : []);
    valuesCache.set(batch, values);
  }
  return values;
}

export class SimApp {
  values: string[] = [];
  /** The same values as bytes, for snapshots. */
  #valueBytes: Uint8Array[] = [];
  /** Everything below was applied. */
  appliedOffset = 0;
  /** The epoch of the last applied batch (or of the snapshot loaded). */
  lastEpoch = 0;
  lastAppendTimeMs = 0;
  batchesSinceSnapshot = 0;

  apply(batch: RaftBatch): void {
    if (batch.baseOffset !== this.appliedOffset) {
      throw new Error(`applying the batch at ${batch.baseOffset}, but ${this.appliedOffset} is next`);
    }
    this.values.push(...batchValues(batch));
    for (const record of batch.records) if (record.type === "data") this.#valueBytes.push(record.value);
    this.appliedOffset = endOffsetOf(batch);
    this.lastEpoch = batch.epoch;
    this.lastAppendTimeMs = batch.appendTimeMs;
    this.batchesSinceSnapshot++;
  }

  /** Replaces the state with a snapshot's. */
  load(snapshot: Snapshot): void {
    this.#valueBytes = readSnapshotValues(snapshot.bytes).flat();
    this.values = this.#valueBytes.map((value) => decoder.decode(value));
    this.appliedOffset = snapshot.id.endOffset;
    this.lastEpoch = snapshot.id.epoch;
    this.batchesSinceSnapshot = 0;
  }

  /**
   * A snapshot of the state, or null when nothing was applied. `quorumConfig`
   * gives the voter set in force at its end (dynamic voters), which the
   * snapshot must carry as a controller's does.
   */
  snapshot(
    quorumConfig: (endOffset: number) => { kraftVersion: number | null; voters: VoterInfo[] | null } | null =
      () => null,
  ): Snapshot | null {
    if (this.appliedOffset === 0) return null;
    const id = { endOffset: this.appliedOffset, epoch: this.lastEpoch };
    const bytes = buildSnapshotBytes({
      snapshotId: id,
      lastContainedLogTimestampMs: this.lastAppendTimeMs,
      values: [this.#valueBytes],
      quorumConfig: quorumConfig(id.endOffset),
    });
    this.batchesSinceSnapshot = 0;
    return { id, bytes };
  }
}
