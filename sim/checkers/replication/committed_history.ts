/**
 * What each offset of a replicated partition holds once committed, as the
 * checkers saw it: batches below a replica's own high watermark (read from
 * the nodes' logs at quiet points and at the end), batches a consumer
 * fetched from a leader (always below the high watermark it answered with),
 * and records a producer saw acknowledged with acks=all. Every later sight
 * of the same offsets must agree: the same batch bytes at the same base
 * offset (replicas append the leader's bytes as they are), the same record.
 *
 * A disagreement is excused only when committed data may really have been
 * lost (see data_losses.ts): the leader that wrote the newer batch lost
 * data after the older batch's leader epoch began (it had the older batch,
 * as every ISR member has everything committed, and lost it), or, for an
 * acks=all record, as `DataLosses.committedLossExcuse` says.
 */
import { decodeBatch, readBatchHeader } from "../../../src/protocol/mod.ts";
import type { Violations } from "../violation.ts";
import type { DataLosses } from "./data_losses.ts";
import type { LeaderEpochs } from "./leader_epochs.ts";

/** Reads the workload's record id from a record's value (see replicated_records.ts). */
export type RecordIdReader = (value: Uint8Array | null) => string | null;

interface SeenBatch {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  bytes: Uint8Array;
  source: string;
  firstSeenMs: number;
}

interface SeenRecord {
  id: string;
  /** The batch's leader epoch, or -1 for an acknowledgement (the producer does not learn it). */
  epoch: number;
  source: string;
  firstSeenMs: number;
  /** Acknowledged with acks=all: held to the stricter rule. */
  acknowledged: boolean;
}

class PartitionHistory {
  readonly batches = new Map<number, SeenBatch>();
  /** Base offset of the batch covering each offset. */
  readonly baseOf = new Map<number, number>();
  readonly records = new Map<number, SeenRecord>();
}

export interface HistoryContext {
  violations: Violations;
  losses: DataLosses;
  leaders: LeaderEpochs;
  readId: RecordIdReader;
  /** RF - min.insync.replicas: replicas that may lose unflushed data without losing acks=all records. */
  replicasLostMax: number;
  nowMs: () => number;
}

export class CommittedHistory {
  readonly #partitions = new Map<number, PartitionHistory>();
  batchesSeen = 0;
  excusedOverwrites = 0;

  constructor(private readonly context: HistoryContext) {}

  #history(partition: number): PartitionHistory {
    let history = this.#partitions.get(partition);
    if (history === undefined) {
      history = new PartitionHistory();
      this.#partitions.set(partition, history);
    }
    return history;
  }

  /** One whole batch (its bytes alone) of `partition`, seen below a high watermark by `source`. */
  committedBatch(partition: number, bytes: Uint8Array, source: string): void {
    const history = this.#history(partition);
    const header = readBatchHeader(bytes, 0);
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    const known = history.batches.get(header.baseOffset);
    if (known !== undefined && known.lastOffset === lastOffset && sameBytes(known.bytes, bytes)) return;
    this.batchesSeen++;
    const nowMs = this.context.nowMs();
    for (let offset = header.baseOffset; offset <= lastOffset; offset++) {
      const base = history.baseOf.get(offset);
      if (base === undefined) continue;
      const other = history.batches.get(base)!;
      if (other.epoch > header.partitionLeaderEpoch) {
        // An excused stale copy (see `#conflict`): the history keeps the newer batch.
        this.#conflict(
          partition,
          other,
          header.partitionLeaderEpoch,
          () =>
            `${describe(other)} and ${source}'s older batch ${header.baseOffset}-${lastOffset} ` +
            `(epoch ${header.partitionLeaderEpoch}) differ`,
        );
        return;
      }
      this.#conflict(
        partition,
        other,
        header.partitionLeaderEpoch,
        () =>
          `${describe(other)} and ${source}'s batch ${header.baseOffset}-${lastOffset} ` +
          `(epoch ${header.partitionLeaderEpoch}) differ`,
      );
      this.#forget(history, other);
    }
    const seen: SeenBatch = {
      baseOffset: header.baseOffset,
      lastOffset,
      epoch: header.partitionLeaderEpoch,
      bytes: bytes.slice(),
      source,
      firstSeenMs: nowMs,
    };
    history.batches.set(seen.baseOffset, seen);
    for (let offset = seen.baseOffset; offset <= lastOffset; offset++) {
      history.baseOf.set(offset, seen.baseOffset);
    }
    for (const record of decodeBatch(bytes, 0).records) {
      const id = this.context.readId(record.value);
      if (id === null) continue;
      this.#record(partition, record.offset, {
        id,
        epoch: seen.epoch,
        source,
        firstSeenMs: nowMs,
        acknowledged: false,
      });
    }
  }

  /**
   * A producer's acks=all acknowledgement: these ids at consecutive offsets
   * from `baseOffset`, written after `sentAtMs` (the answer may arrive after
   * the leader lost power: losses count from the request's departure).
   */
  acknowledged(
    partition: number,
    baseOffset: number,
    ids: readonly string[],
    source: string,
    sentAtMs: number,
  ): void {
    const nowMs = sentAtMs;
    ids.forEach((id, index) =>
      this.#record(partition, baseOffset + index, {
        id,
        epoch: -1,
        source,
        firstSeenMs: nowMs,
        acknowledged: true,
      })
    );
  }

  /**
   * The acknowledged records of `partition` at or past `logEndOffset` (or
   * below `logStartOffset`) that no excuse covers: the final log lost them.
   */
  checkPresent(partition: number, logStartOffset: number, logEndOffset: number, source: string): void {
    const history = this.#history(partition);
    for (const [offset, record] of history.records) {
      if (!record.acknowledged || (offset >= logStartOffset && offset < logEndOffset)) continue;
      const excuse = this.context.losses.committedLossExcuse(
        partition,
        record.firstSeenMs,
        this.context.replicasLostMax,
      );
      if (excuse !== null) continue;
      throw this.context.violations.report(
        "no acknowledged acks=all record is lost",
        `partition ${partition} offset ${offset}: ${record.id} (${record.source} at ${record.firstSeenMs} ms) is ` +
          `missing from ${source} (log ${logStartOffset}-${logEndOffset}); ${this.context.losses.describe()}`,
      );
    }
  }

  /** The record id at `offset`, if seen. */
  idAt(partition: number, offset: number): string | undefined {
    return this.#partitions.get(partition)?.records.get(offset)?.id;
  }

  #record(partition: number, offset: number, seen: SeenRecord): void {
    const history = this.#history(partition);
    const known = history.records.get(offset);
    if (known !== undefined && known.id === seen.id) {
      if (seen.acknowledged && !known.acknowledged) {
        // Written before the acknowledged request left at the latest: losses count from the earlier time.
        const firstSeenMs = Math.min(known.firstSeenMs, seen.firstSeenMs);
        history.records.set(offset, { ...known, firstSeenMs, source: seen.source, acknowledged: true });
      }
      return;
    }
    if (known !== undefined) {
      const what = () =>
        `offset ${offset} held ${known.id} (${known.source} at ${known.firstSeenMs} ms${
          known.acknowledged ? ", acknowledged with acks=all" : ""
        }) and then ${seen.id} (${seen.source})`;
      if (known.acknowledged) {
        const excuse = this.context.losses.committedLossExcuse(
          partition,
          known.firstSeenMs,
          this.context.replicasLostMax,
        );
        if (excuse === null) {
          throw this.context.violations.report(
            "no acknowledged acks=all record is lost",
            `partition ${partition}: ${what()}; ${this.context.losses.describe()}`,
          );
        }
        this.excusedOverwrites++;
      } else this.#conflict(partition, known, seen.epoch, what);
    }
    history.records.set(offset, seen);
  }

  /**
   * An older committed entry and a newer one disagree: a violation unless
   * committed data may have been lost since the older one's leader epoch
   * began (`DataLosses.committedLossExcuse`).
   */
  #conflict(
    partition: number,
    older: { epoch: number; firstSeenMs: number },
    newerEpoch: number,
    what: () => string,
  ): void {
    const { leaders, losses } = this.context;
    // Either entry may be the older one written (a replica back from a power loss can show a batch
    // committed long ago and since lost): count from the earliest sight of either epoch.
    const olderStartMs = Math.min(
      older.firstSeenMs,
      leaders.leaderOf(partition, older.epoch)?.firstSeenMs ?? Infinity,
      leaders.leaderOf(partition, newerEpoch)?.firstSeenMs ?? Infinity,
    );
    if (losses.committedLossExcuse(partition, olderStartMs, this.context.replicasLostMax) !== null) {
      this.excusedOverwrites++;
      return;
    }
    const writer = leaders.leaderOf(partition, newerEpoch);
    throw this.context.violations.report(
      "replicas agree on every committed offset",
      `partition ${partition}: ${what()} (the newer epoch ${newerEpoch} was led by ${
        writer === undefined ? "an unseen node" : `node ${writer.nodeId}`
      }); ${losses.describe()}`,
    );
  }

  #forget(history: PartitionHistory, batch: SeenBatch): void {
    history.batches.delete(batch.baseOffset);
    for (let offset = batch.baseOffset; offset <= batch.lastOffset; offset++) {
      if (history.baseOf.get(offset) === batch.baseOffset) history.baseOf.delete(offset);
    }
  }
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

function describe(batch: SeenBatch): string {
  return `${batch.source}'s batch ${batch.baseOffset}-${batch.lastOffset} (epoch ${batch.epoch}, ` +
    `seen at ${batch.firstSeenMs} ms)`;
}
