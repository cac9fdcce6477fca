/**
 * The log cleaner of one log directory (Kafka's LogCleaner and
 * LogCleanerManager), driven in steps: `cleanStep(budgetBytes)` does about
 * that many bytes of work and returns, so that a broker calling it from a
 * timer never blocks its event loop for long.
 *
 * A step either continues the round in progress or picks the dirtiest log
 * whose topic compacts (past `min.cleanable.dirty.ratio`, or overdue by
 * `max.compaction.lag.ms`) and starts a round on it. At the end of a round
 * the log's new first dirty offset goes to `cleaner-offset-checkpoint`.
 *
 * One cleaner holds one offset map, of `log.cleaner.dedupe.buffer.size`
 * bytes (Kafka's default, 128 MiB, shared by its cleaner threads; Dafka has
 * one cleaner per log directory and allocates the map when first needed).
 * A log whose cleaning fails for another reason than a change under it
 * (corruption, a disk error) is marked uncleanable until restart, as Kafka
 * does, and the other logs go on being cleaned.
 */
import { type Clock, type Disk, DiskError } from "../../io/mod.ts";
import type { PartitionLog } from "../partition_log.ts";
import { CleanerCheckpoint } from "./cleaner_checkpoint.ts";
import { FileShredder } from "./file_shredder.ts";
import { CleaningRound, LogChangedError, type RoundStats } from "./clean_round.ts";
import type { CompactionConfig } from "./compaction_config.ts";
import { chooseFilthiest, type LogToClean, measureLog } from "./dirtiness.ts";
import { OffsetMap } from "./offset_map.ts";
import type { SwapStage } from "./segment_swap.ts";
import { StepBudget } from "./step_budget.ts";

/** Kafka's log.cleaner.dedupe.buffer.size default. */
export const DEFAULT_DEDUPE_BUFFER_BYTES = 128 * 1024 * 1024;

/** What a cleaner needs. */
export interface LogCleanerOptions {
  disk: Disk;
  clock: Clock;
  /** The log directory whose `cleaner-offset-checkpoint` this cleaner keeps. */
  logDirectory: string;
  /** `log.cleaner.dedupe.buffer.size`: memory for the offset map. */
  dedupeBufferBytes?: number;
  /** `log.cleaner.io.buffer.load.factor`. */
  loadFactor?: number;
  log?: (line: string) => void;
  /** For crash tests: called at each stage of a swap. */
  afterSwapStage?: (stage: SwapStage) => void;
}

/** How a log is cleaned: its topic's settings, read at each use so changes apply at once. */
export interface CleanedLogOptions {
  config: () => CompactionConfig;
  /**
   * The offset below which every transaction is decided and every record
   * committed (the last stable offset, at most the high watermark); by
   * default from the log's producer state and its end.
   */
  lastStableOffset?: () => number;
}

/** What a step did. */
export interface CleanStepResult {
  usedBytes: number;
  /** Whether more work waits: call again soon rather than after the back-off. */
  busy: boolean;
}

/** A finished round, for logs and benchmarks. */
export interface CompletedRound extends RoundStats {
  topic: string;
  partition: number;
  firstDirtyOffset: number;
  endOffset: number;
  elapsedMs: number;
}

export class LogCleaner {
  readonly #options: LogCleanerOptions;
  readonly #logs = new Map<PartitionLog, CleanedLogOptions>();
  readonly #uncleanable = new Set<PartitionLog>();
  readonly #checkpoint: CleanerCheckpoint;
  readonly #map: OffsetMap;
  readonly #shredder: FileShredder;
  #round: CleaningRound | null = null;
  /** The round finished in the current step, reported at its end. */
  #finished: CleaningRound | null = null;
  /** Rounds finished since the cleaner started, most recent last (at most 100 kept). */
  readonly completedRounds: CompletedRound[] = [];

  constructor(options: LogCleanerOptions) {
    this.#options = options;
    this.#checkpoint = new CleanerCheckpoint(options.disk, options.logDirectory, options.log);
    this.#shredder = new FileShredder(options.disk);
    this.#map = new OffsetMap({
      memoryBytes: options.dedupeBufferBytes ?? DEFAULT_DEDUPE_BUFFER_BYTES,
      loadFactor: options.loadFactor,
    });
  }

  /** Starts watching a log; it is cleaned whenever its config says "compact" and it is dirty enough. */
  register(log: PartitionLog, options: CleanedLogOptions): void {
    this.#logs.set(log, options);
  }

  /** Stops watching a log (abandoning its round); `deleted` also forgets its checkpoint entry. */
  unregister(log: PartitionLog, deleted = false): void {
    if (this.#round?.log === log) this.#abandonRound();
    this.#logs.delete(log);
    this.#uncleanable.delete(log);
    if (deleted) this.#updateCheckpoint(() => this.#checkpoint.remove(log.topic, log.partition));
  }

  /** The checkpointed first dirty offset of a log, if any. */
  firstDirtyOffset(log: PartitionLog): number | undefined {
    return this.#checkpoint.get(log.topic, log.partition);
  }

  /** Whether a failure stopped cleaning this log until restart. */
  isUncleanable(log: PartitionLog): boolean {
    return this.#uncleanable.has(log);
  }

  /** Whether a round is in progress. */
  get cleaning(): boolean {
    return this.#round !== null;
  }

  /**
   * Does one step of cleaning: about `budgetBytes` of work (decompressed
   * bytes of log), and no longer than `maxStepMs` on a real clock, but at
   * least one batch (a swap counts as one). Removing replaced files shares
   * the budget, a byte of file cut counting as a quarter byte of log.
   */
  cleanStep(budgetBytes: number, maxStepMs = Number.POSITIVE_INFINITY): CleanStepResult {
    const clock = this.#options.clock;
    const started = clock.monotonicMs();
    const result = this.#step(new StepBudget(budgetBytes, clock, maxStepMs));
    // The whole step counts, the shredding, the map's allocation and the checkpoint included.
    const round = this.#round ?? this.#finished;
    round?.recordStep(clock.monotonicMs() - started);
    if (this.#finished !== null) {
      this.#reportRound(this.#finished);
      this.#finished = null;
    }
    return result;
  }

  #step(budget: StepBudget): CleanStepResult {
    this.#shred(budget);
    if (budget.exhausted) return { usedBytes: budget.used, busy: true };
    if (this.#round === null) {
      const target = this.#chooseLog();
      if (target === null) return { usedBytes: budget.used, busy: this.#shredder.pendingCount > 0 };
      this.#round = new CleaningRound({
        disk: this.#options.disk,
        clock: this.#options.clock,
        target,
        config: this.#logs.get(target.log)!.config(),
        map: this.#map,
        discard: (paths) => this.#shredder.add(paths),
        afterSwapStage: this.#options.afterSwapStage,
      });
      // Allocating the map (128 MiB by default) the first time takes a step of its own.
      this.#map.reserve();
      budget.spendAll();
      return { usedBytes: budget.used, busy: true };
    }
    const round = this.#round;
    try {
      round.step(budget);
    } catch (error) {
      this.#abandonRound();
      if (!(error instanceof LogChangedError)) {
        this.#uncleanable.add(round.log);
        this.#log(`cleaning ${round.log.directory} failed; not cleaning it again until restart: ${error}`);
      }
      return { usedBytes: budget.used, busy: true };
    }
    if (round.done) this.#finishRound(round);
    return { usedBytes: budget.used, busy: true };
  }

  /** Abandons the round in progress (shutdown), removing its unfinished files. */
  close(): void {
    if (this.#round !== null) this.#abandonRound();
    this.#shredder.close();
  }

  /** Cuts replaced files by up to four times the budget, charging a quarter of that. */
  #shred(budget: StepBudget): void {
    if (this.#shredder.pendingCount === 0) return;
    try {
      const freed = this.#shredder.step(budget.bytes * SHRED_BYTES_PER_BUDGET_BYTE);
      budget.use(Math.ceil(freed / SHRED_BYTES_PER_BUDGET_BYTE));
    } catch (error) {
      // The `.deleted` files left behind are removed at the next start.
      this.#log(`cannot remove replaced segment files: ${error}`);
      this.#shredder.close();
    }
  }

  #chooseLog(): LogToClean | null {
    const nowMs = this.#options.clock.nowMs();
    const candidates: { measured: LogToClean; config: CompactionConfig }[] = [];
    for (const [log, options] of this.#logs) {
      if (log.isClosed || this.#uncleanable.has(log)) continue;
      const config = options.config();
      if (!config.compact) continue;
      const measured = measureLog(log, {
        checkpoint: this.#checkpoint.get(log.topic, log.partition),
        nowMs,
        config,
        lastStableOffset: options.lastStableOffset?.() ?? defaultLastStableOffset(log),
      });
      if (measured.forceUpdateCheckpoint) {
        this.#updateCheckpoint(() =>
          this.#checkpoint.set(log.topic, log.partition, measured.firstDirtyOffset)
        );
      }
      candidates.push({ measured, config });
    }
    return chooseFilthiest(candidates);
  }

  #abandonRound(): void {
    const round = this.#round!;
    this.#round = null;
    try {
      round.abort();
    } catch (error) {
      // The `.cleaned` files left behind are removed at the next start.
      this.#log(`cannot remove the unfinished cleaning files of ${round.log.directory}: ${error}`);
    }
  }

  #finishRound(round: CleaningRound): void {
    this.#round = null;
    this.#finished = round;
    this.#updateCheckpoint(() =>
      this.#checkpoint.set(round.log.topic, round.log.partition, this.#endOffsetOf(round))
    );
  }

  /**
   * Writes `cleaner-offset-checkpoint`. A failed write only means that the
   * next round (or the next start) cleans some of the log again, so it is
   * logged and not thrown (the caller may be applying metadata).
   */
  #updateCheckpoint(write: () => void): void {
    try {
      write();
    } catch (error) {
      if (!(error instanceof DiskError)) throw error;
      this.#log(`cannot write the cleaner's checkpoint: ${error.message}`);
    }
  }

  /** A map that covered nothing leaves the checkpoint where it was. */
  #endOffsetOf(round: CleaningRound): number {
    return Math.max(round.endOffset, round.target.firstDirtyOffset);
  }

  #reportRound(round: CleaningRound): void {
    const completed: CompletedRound = {
      ...round.stats,
      topic: round.log.topic,
      partition: round.log.partition,
      firstDirtyOffset: round.target.firstDirtyOffset,
      endOffset: this.#endOffsetOf(round),
      elapsedMs: this.#options.clock.monotonicMs() - round.stats.startedMs,
    };
    this.completedRounds.push(completed);
    if (this.completedRounds.length > 100) this.completedRounds.shift();
    this.#log(describeRound(completed));
  }

  #log(line: string): void {
    this.#options.log?.(`[log cleaner] ${line}`);
  }
}

/**
 * With one replica the high watermark is the log end, so the last stable
 * offset is where the oldest open transaction begins (a replicated log passes
 * its own, bounded by the high watermark).
 */
function defaultLastStableOffset(log: PartitionLog): number {
  return Math.min(log.producerState.firstUndecidedOffset() ?? log.logEndOffset, log.logEndOffset);
}

const MIB = 1024 * 1024;

/** Cutting a file costs about a quarter of what cleaning the same bytes does (measured on ext4). */
const SHRED_BYTES_PER_BUDGET_BYTE = 4;

/**
 * The line logged after a round, as Kafka's cleaner logs its statistics. The
 * rates are of log cleaned (the bytes the cleaning pass read), per second of
 * steps and per second of wall time; building the offset map read the dirty
 * section once more before that.
 */
export function describeRound(round: CompletedRound): string {
  const cleanedMib = round.bytesRead / MIB;
  const rate = (ms: number) => (ms > 0 ? (cleanedMib / (ms / 1000)).toFixed(1) : "inf");
  return `cleaned ${round.topic}-${round.partition} up to offset ${round.endOffset} ` +
    `(dirty section from ${round.firstDirtyOffset}): ${cleanedMib.toFixed(2)} MiB of log cleaned into ` +
    `${(round.bytesWritten / MIB).toFixed(2)} MiB (offset map from ${
      (round.mapBytesRead / MIB).toFixed(2)
    } MiB), ` +
    `${round.recordsRetained} of ${round.recordsRead} records kept, ${round.segmentsCleaned} segments; ` +
    `${round.busyMs.toFixed(0)} ms busy in ${round.steps} steps (longest ${
      round.longestStepMs.toFixed(1)
    } ms), ` +
    `${rate(round.busyMs)} MiB/s busy, ${rate(round.elapsedMs)} MiB/s over ${round.elapsedMs.toFixed(0)} ms`;
}
