/**
 * The metadata every node applied, as one common history: each committed
 * batch any node applies is recorded by offset, and every node's sequence
 * of applied batches must be a prefix of it (the same offsets, epochs and
 * record bytes, with no gap). A node may restart from a snapshot (its own,
 * or one its leader sent): the snapshot must end on a batch of the history,
 * with that batch's epoch, and hold exactly the image the history replays
 * to there; from then on the node's batches continue the history.
 *
 * Within one incarnation a node's applied state never goes back: a loaded
 * snapshot lies ahead of what it had applied.
 */
import { decodeRecord, MetadataImage, type MetadataRecord } from "../../../src/metadata/mod.ts";
import { endOffsetOf, type RaftBatch, readSnapshotValues, type Snapshot } from "../../../src/raft/mod.ts";
import { InvariantViolation } from "../violation.ts";
import { describeImage } from "./image_description.ts";

interface HistoryBatch {
  baseOffset: number;
  endOffset: number;
  epoch: number;
  /** The batch's records as text (data bytes, control records' content). */
  digest: string;
  /** The data records' values, to replay the history into an image. */
  values: Uint8Array[];
}

/** The batch's records as a string that differs whenever the records differ. */
export function batchDigest(batch: RaftBatch): string {
  return batch.records.map((record) => {
    switch (record.type) {
      case "data":
        return `d${bytesAsText(record.value)}`;
      case "leaderChange":
        return `l${record.leaderId}:${record.voters.map((voter) => voter.voterId).join(",")}`;
      case "control":
        return `c${record.controlType}:${record.value === null ? "" : bytesAsText(record.value)}`;
    }
  }).join("\u0000|");
}

function bytesAsText(bytes: Uint8Array): string {
  let text = "";
  for (let index = 0; index < bytes.length; index += 4096) {
    text += String.fromCharCode(...bytes.subarray(index, index + 4096));
  }
  return text;
}

/** Records that fail to decode are skipped, as the node skips them. */
function decodeAll(values: Iterable<Uint8Array>): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const value of values) {
    try {
      records.push(decodeRecord(value));
    } catch {
      // The node logs and skips it too; the checkers compare what both make of the rest.
    }
  }
  return records;
}

export class AppliedHistory {
  readonly #byBase = new Map<number, HistoryBatch>();
  readonly #byEnd = new Map<number, HistoryBatch>();
  /** The history covers [0, #end) without a gap. */
  #end = 0;
  /** The offset each node's live incarnation must apply next. */
  readonly #nextByNode = new Map<number, number>();
  /** The history replayed up to `offset` (advanced lazily, rebuilt when asked for an earlier offset). */
  #reference = { image: new MetadataImage(), offset: 0 };
  snapshotsLoaded = 0;

  /** Batches in the history. */
  get size(): number {
    return this.#byBase.size;
  }

  /** The end of the history. */
  get endOffset(): number {
    return this.#end;
  }

  /** A new incarnation of `nodeId` applies from the start of its log (or its snapshot). */
  started(nodeId: number): void {
    this.#nextByNode.set(nodeId, 0);
  }

  batchApplied(nodeId: number, batch: RaftBatch): void {
    const where = `node ${nodeId} applied the batch at ${batch.baseOffset} (epoch ${batch.epoch})`;
    const expected = this.#nextByNode.get(nodeId) ?? 0;
    if (batch.baseOffset !== expected) {
      throw new InvariantViolation("a node applies its batches in order", `${where}, expected ${expected}`);
    }
    const endOffset = endOffsetOf(batch);
    this.#nextByNode.set(nodeId, endOffset);
    const digest = batchDigest(batch);
    const known = this.#byBase.get(batch.baseOffset);
    if (known !== undefined) {
      if (known.epoch !== batch.epoch || known.endOffset !== endOffset || known.digest !== digest) {
        throw new InvariantViolation(
          "applied batches are one history",
          `${where}, ending at ${endOffset}, but the history has a batch of epoch ${known.epoch} ending at ` +
            `${known.endOffset} there${known.digest === digest ? "" : " with other records"}`,
        );
      }
      return;
    }
    if (batch.baseOffset !== this.#end) {
      throw new InvariantViolation(
        "applied batches are one history",
        `${where}, but the history ends at ${this.#end}`,
      );
    }
    const values = batch.records.flatMap((record) => record.type === "data" ? [record.value.slice()] : []);
    const entry = { baseOffset: batch.baseOffset, endOffset, epoch: batch.epoch, digest, values };
    this.#byBase.set(batch.baseOffset, entry);
    this.#byEnd.set(endOffset, entry);
    this.#end = endOffset;
  }

  snapshotLoaded(nodeId: number, snapshot: Snapshot): void {
    this.snapshotsLoaded++;
    const { endOffset, epoch } = snapshot.id;
    const where = `node ${nodeId} loaded the snapshot ${endOffset}-${epoch}`;
    const applied = this.#nextByNode.get(nodeId) ?? 0;
    if (endOffset < applied) {
      throw new InvariantViolation(
        "a node's applied state never goes back",
        `${where} after applying up to ${applied}`,
      );
    }
    const last = this.#byEnd.get(endOffset);
    if (last === undefined || last.epoch !== epoch) {
      throw new InvariantViolation(
        "snapshots are prefixes of the history",
        `${where}, but ${
          last === undefined
            ? "no batch of the history ends there"
            : `the batch ending there is of epoch ${last.epoch}`
        } (history ends at ${this.#end})`,
      );
    }
    const loaded = new MetadataImage();
    for (const record of decodeAll(readSnapshotValues(snapshot.bytes).flat())) loaded.apply(record);
    const expected = describeImage(this.imageAt(endOffset));
    if (describeImage(loaded) !== expected) {
      throw new InvariantViolation(
        "snapshots are prefixes of the history",
        `${where}: its image differs from the history replayed to ${endOffset}`,
      );
    }
    this.#nextByNode.set(nodeId, endOffset);
  }

  /** The image the history replays to at `offset` (a batch boundary); do not change it. */
  imageAt(offset: number): MetadataImage {
    if (offset < this.#reference.offset) this.#reference = { image: new MetadataImage(), offset: 0 };
    const reference = this.#reference;
    while (reference.offset < offset) {
      const batch = this.#byBase.get(reference.offset);
      if (batch === undefined || batch.endOffset > offset) {
        throw new InvariantViolation(
          "applied batches are one history",
          `the history has no batch at ${reference.offset} on the way to ${offset}`,
        );
      }
      try {
        for (const record of decodeAll(batch.values)) reference.image.apply(record);
      } catch (error) {
        throw new InvariantViolation(
          "the history replays",
          `the batch at ${batch.baseOffset} does not apply: ${(error as Error).message}`,
        );
      }
      reference.offset = batch.endOffset;
    }
    return reference.image;
  }
}
