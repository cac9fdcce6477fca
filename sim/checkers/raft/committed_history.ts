/**
 * The committed history of the run: every batch any node has reported
 * below its high watermark (or handed out as committed), by offset. A batch
 * reported again must be the same batch: committed entries never change or
 * disappear, and no two nodes disagree below their high watermarks.
 */
import { endOffsetOf, type RaftBatch } from "../../../src/raft/mod.ts";
import { InvariantViolation } from "../violation.ts";
import { batchValues } from "../../scenarios/raft/sim_app.ts";

interface CommittedBatch {
  endOffset: number;
  epoch: number;
  digest: string;
  values: string[];
}

const digestCache = new WeakMap<RaftBatch, string>();

function controlDigest(record: RaftBatch["records"][number]): string {
  switch (record.type) {
    case "leaderChange":
      return `leader:${record.leaderId}`;
    case "voters":
      return `voters:${record.voters.map((voter) => voter.voterId).join("+")}`;
    case "kraftVersion":
      return `kraft.version:${record.kraftVersion}`;
    default:
      return record.type;
  }
}

/** What identifies a batch's content. */
export function digestOf(batch: RaftBatch): string {
  let digest = digestCache.get(batch);
  if (digest === undefined) {
    digest = batch.control ? batch.records.map(controlDigest).join(",") : batchValues(batch).join("\u0001");
    digestCache.set(batch, digest);
  }
  return digest;
}

export class CommittedHistory {
  readonly #batches = new Map<number, CommittedBatch>();
  /** The end of the contiguous committed prefix from offset 0. */
  #contiguousEnd = 0;
  /** The latest committed voter set (dynamic voters) and its offset. */
  #latestVoters: { offset: number; voterIds: number[] } | null = null;

  /** The voter set of the committed VotersRecord with the highest offset, or null. */
  get committedVoterIds(): number[] | null {
    return this.#latestVoters?.voterIds ?? null;
  }

  get size(): number {
    return this.#batches.size;
  }

  #noteVoters(batch: RaftBatch): void {
    if (!batch.control) return;
    batch.records.forEach((record, index) => {
      const offset = batch.baseOffset + index;
      if (record.type !== "voters" || (this.#latestVoters !== null && this.#latestVoters.offset > offset)) {
        return;
      }
      this.#latestVoters = { offset, voterIds: record.voters.map((voter) => voter.voterId) };
    });
  }

  /** Records a committed batch, or checks it against the one recorded at its offset. */
  record(batch: RaftBatch, where: string): void {
    const digest = digestOf(batch);
    const known = this.#batches.get(batch.baseOffset);
    if (known === undefined) {
      this.#batches.set(batch.baseOffset, {
        endOffset: endOffsetOf(batch),
        epoch: batch.epoch,
        digest,
        values: batchValues(batch),
      });
      this.#noteVoters(batch);
      while (this.#batches.has(this.#contiguousEnd)) {
        this.#contiguousEnd = this.#batches.get(this.#contiguousEnd)!.endOffset;
      }
      return;
    }
    if (known.epoch !== batch.epoch || known.endOffset !== endOffsetOf(batch) || known.digest !== digest) {
      throw new InvariantViolation(
        "committed entries never change",
        `${where}: batch at ${batch.baseOffset} is epoch ${batch.epoch} [${digest}], ` +
          `but epoch ${known.epoch} [${known.digest}] was committed there`,
      );
    }
  }

  /** The committed batch at `baseOffset`, if known. */
  at(baseOffset: number): { epoch: number; digest: string } | undefined {
    return this.#batches.get(baseOffset);
  }

  /**
   * The data values committed below `endOffset`, in order; throws when the
   * history does not reach there in whole batches.
   */
  valuesBelow(endOffset: number, where: string): string[] {
    const values: string[] = [];
    let offset = 0;
    while (offset < endOffset) {
      const batch = this.#batches.get(offset);
      if (batch === undefined || batch.endOffset > endOffset) {
        throw new InvariantViolation(
          "state is a prefix of the history",
          `${where}: no committed batch at ${offset}`,
        );
      }
      values.push(...batch.values);
      offset = batch.endOffset;
    }
    return values;
  }
}
