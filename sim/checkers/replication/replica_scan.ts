/**
 * Reads the replicas' logs for the committed history: every batch below a
 * replica's own high watermark, from where the previous scan of the same
 * incarnation stopped (a log cut below that point is read again from the
 * cut). A replica's high watermark never passes what its leader told it,
 * so everything read here was committed once.
 */
import { scanBatches } from "../../../src/protocol/mod.ts";
import type { CommittedHistory } from "./committed_history.ts";

/** What the scan reads of one node's replica (a `Partition` of src/server). */
export interface ScannedReplica {
  readonly highWatermark: number;
  readonly log: {
    readonly logStartOffset: number;
    readonly logEndOffset: number;
    read(
      offset: number,
      options: { maxBytes: number; maxOffset?: number; minOneBatch?: boolean },
    ): Uint8Array;
  };
}

const READ_BYTES = 1 << 20;

export class ReplicaScan {
  /** By `${node}#${incarnation}:${partition}`: the offset read up to. */
  readonly #readUpTo = new Map<string, number>();

  constructor(private readonly history: CommittedHistory) {}

  /** Reads `replica` of `partition` on `node` (incarnation `incarnation`) below its high watermark. */
  scan(node: string, incarnation: number, partition: number, replica: ScannedReplica): void {
    const key = `${node}#${incarnation}:${partition}`;
    const { log } = replica;
    const limit = Math.min(replica.highWatermark, log.logEndOffset);
    let offset = Math.max(log.logStartOffset, Math.min(this.#readUpTo.get(key) ?? 0, limit));
    const source = `${node} (start ${incarnation})`;
    while (offset < limit) {
      const bytes = log.read(offset, { maxBytes: READ_BYTES, maxOffset: limit, minOneBatch: true });
      const { headers } = scanBatches(bytes);
      const before = offset;
      for (const header of headers) {
        const last = header.baseOffset + header.lastOffsetDelta;
        if (last < offset || last >= limit) continue;
        const size = 12 + header.batchLength;
        this.history.committedBatch(
          partition,
          bytes.subarray(header.position, header.position + size),
          source,
        );
        offset = last + 1;
      }
      if (offset === before) break;
    }
    this.#readUpTo.set(key, offset);
  }
}
