/**
 * One cleaning round of one log (Kafka's Cleaner.doClean), cut into steps of
 * bounded work: scan for aborted transactions, build the offset map over the
 * dirty section, then clean the segments from the log's start up to the
 * map's latest offset, group by group. Its result is the new first dirty
 * offset for `cleaner-offset-checkpoint`.
 *
 * Between steps the log goes on serving appends and reads, and may change:
 * roll (harmless), truncate or lose segments to retention or DeleteRecords.
 * Each step first checks that the segments the round works on are still the
 * log's, unchanged; if not, the round is abandoned (its `.cleaned` files
 * removed) and the next round starts afresh.
 */
import type { Clock, Disk } from "../../io/mod.ts";
import type { PartitionLog } from "../partition_log.ts";
import type { LogSegment } from "../segment.ts";
import { GroupCleaningPhase } from "./clean_groups.ts";
import type { CompactionConfig } from "./compaction_config.ts";
import { type LogToClean, segmentsBetween } from "./dirtiness.ts";
import { OffsetMapPhase } from "./build_offset_map.ts";
import type { OffsetMap } from "./offset_map.ts";
import { TransactionScanPhase } from "./scan_transactions.ts";
import { groupSegmentsBySize } from "./segment_groups.ts";
import type { SwapStage } from "./segment_swap.ts";
import type { StepBudget } from "./step_budget.ts";
import type { AbortedTransaction } from "./transactions.ts";

/** The log changed under a round in a way that makes the round's work invalid. */
export class LogChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogChangedError";
  }
}

/** What a round did, for logs and benchmarks. */
export interface RoundStats {
  /** Bytes of the log read to build the offset map, and to clean. */
  mapBytesRead: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsRetained: number;
  segmentsCleaned: number;
  /** Monotonic milliseconds spent inside this round's steps, how many steps, and the longest one. */
  busyMs: number;
  steps: number;
  longestStepMs: number;
  startedMs: number;
}

/** What a round needs. */
export interface CleaningRoundOptions {
  disk: Disk;
  clock: Clock;
  target: LogToClean;
  config: CompactionConfig;
  map: OffsetMap;
  /** Takes the files that swaps replaced, to remove them a little at a time. */
  discard: (paths: string[]) => void;
  afterSwapStage?: (stage: SwapStage) => void;
}

type Phase = TransactionScanPhase | OffsetMapPhase | GroupCleaningPhase;

export class CleaningRound {
  readonly log: PartitionLog;
  readonly target: LogToClean;
  readonly stats: RoundStats;
  readonly #options: CleaningRoundOptions;
  readonly #nowMs: number;
  /** The segments below the first uncleanable offset, with their sizes, as the round expects them. */
  #tracked: { segment: LogSegment; size: number }[];
  #phase: Phase;
  #aborted: readonly AbortedTransaction[] = [];
  #endOffset = -1;
  #done = false;

  constructor(options: CleaningRoundOptions) {
    this.#options = options;
    this.target = options.target;
    this.log = options.target.log;
    this.#nowMs = options.clock.nowMs();
    this.stats = {
      mapBytesRead: 0,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsRetained: 0,
      segmentsCleaned: 0,
      busyMs: 0,
      steps: 0,
      longestStepMs: 0,
      startedMs: options.clock.monotonicMs(),
    };
    const segments = this.log.segments();
    this.#tracked = segmentsBetween(segments, -1, this.target.firstUncleanableOffset)
      .map((segment) => ({ segment, size: segment.size() }));
    this.#phase = new TransactionScanPhase(segments, this.target.firstUncleanableOffset);
  }

  get done(): boolean {
    return this.#done;
  }

  /** The first offset the round did not clean: the next first dirty offset. */
  get endOffset(): number {
    return this.#endOffset;
  }

  /** Works until the step's budget is spent. Throws LogChangedError when the log changed under the round. */
  step(budget: StepBudget): void {
    this.#checkLogUnchanged();
    while (!this.#done && !budget.exhausted) {
      this.#phase.step(budget);
      if (this.#phase.done) this.#nextPhase();
    }
  }

  /** Counts a step of the cleaner that worked for this round and how long it took. */
  recordStep(elapsedMs: number): void {
    this.stats.busyMs += elapsedMs;
    this.stats.steps++;
    this.stats.longestStepMs = Math.max(this.stats.longestStepMs, elapsedMs);
  }

  /** Removes the round's unfinished `.cleaned` files. */
  abort(): void {
    if (this.#phase instanceof GroupCleaningPhase) this.#phase.abort();
    this.#done = true;
  }

  #nextPhase(): void {
    const phase = this.#phase;
    if (phase instanceof TransactionScanPhase) {
      this.#phase = new OffsetMapPhase({
        segments: segmentsBetween(
          this.log.segments(),
          this.target.firstDirtyOffset,
          this.target.firstUncleanableOffset,
        ),
        startOffset: this.target.firstDirtyOffset,
        endOffset: this.target.firstUncleanableOffset,
        map: this.#options.map,
        aborted: this.#aborted = phase.aborted(),
      });
    } else if (phase instanceof OffsetMapPhase) {
      this.stats.mapBytesRead = phase.bytesRead;
      this.#endOffset = this.#options.map.latestOffset + 1;
      this.#phase = this.#cleaningPhase();
    } else {
      this.stats.bytesRead = phase.bytesRead;
      this.stats.bytesWritten = phase.bytesWritten;
      this.stats.recordsRead = phase.recordsRead;
      this.stats.recordsRetained = phase.recordsRetained;
      this.#done = true;
    }
  }

  #cleaningPhase(): GroupCleaningPhase {
    const config = this.log.config();
    const groups = groupSegmentsBySize(segmentsBetween(this.log.segments(), 0, this.#endOffset), {
      maxSegmentBytes: config.segmentBytes,
      maxIndexBytes: config.segmentIndexBytes,
      firstUncleanableOffset: this.target.firstUncleanableOffset,
    });
    return new GroupCleaningPhase({
      disk: this.#options.disk,
      log: this.log,
      groups,
      map: this.#options.map,
      nowMs: this.#nowMs,
      deleteRetentionMs: this.#options.config.deleteRetentionMs,
      upperBoundOffset: this.target.firstUncleanableOffset,
      aborted: this.#aborted,
      onSwap: (replaced, cleaned, deleted) => {
        this.#onSwap(replaced, cleaned);
        this.#options.discard(deleted);
      },
      afterSwapStage: this.#options.afterSwapStage,
    });
  }

  #onSwap(replaced: readonly LogSegment[], cleaned: LogSegment): void {
    const start = this.#tracked.findIndex((entry) => entry.segment === replaced[0]);
    this.#tracked.splice(start, replaced.length, { segment: cleaned, size: cleaned.size() });
    this.stats.segmentsCleaned += replaced.length;
  }

  #checkLogUnchanged(): void {
    if (this.log.isClosed) throw new LogChangedError(`${this.log.directory} was closed`);
    const segments = this.log.segments();
    const changed = this.#tracked.length >= segments.length ||
      this.#tracked.some((entry, index) =>
        segments[index] !== entry.segment || entry.segment.size() !== entry.size
      );
    if (changed) throw new LogChangedError(`${this.log.directory} changed during cleaning`);
  }
}
