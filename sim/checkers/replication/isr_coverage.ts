/**
 * Every ISR member holds every committed record: a running replica in the
 * partition's committed ISR (the metadata the quorum committed; a deposed
 * leader's own view may be stale) has a log reaching at least the largest
 * high watermark any leader of the partition has shown (a new leader's high
 * watermark may start lower, but what was committed stays committed). The
 * leader lets a replica in only once it reaches the high watermark and the
 * start of its own epoch (KAFKA-7128), and only a replica registered at the
 * broker epoch it fetched with (KIP-903); checked after every step, so a
 * replica let in too early is caught the moment it is in, before any
 * failover has to turn it into a loss.
 *
 * Excused only when the committed records may really be gone
 * (`DataLosses.committedLossExcuse`, counted from when the high watermark
 * first passed the member's log end).
 */
import type { Violations } from "../violation.ts";
import type { DataLosses } from "./data_losses.ts";

/** The partition's largest high watermark over time: [virtual ms, offset, who], time and offset increasing. */
type Raises = [number, number, string][];

export class IsrCoverage {
  readonly #raises = new Map<number, Raises>();

  constructor(
    private readonly violations: Violations,
    private readonly losses: DataLosses,
    private readonly replicasLostMax: number,
  ) {}

  /** A leader of `partition` (`who`: node and epoch) shows this high watermark. */
  leaderHighWatermark(partition: number, highWatermark: number, nowMs: number, who: string): void {
    let raises = this.#raises.get(partition);
    if (raises === undefined) this.#raises.set(partition, raises = []);
    const last = raises[raises.length - 1];
    if (last === undefined || highWatermark > last[1]) raises.push([nowMs, highWatermark, who]);
  }

  /** `member`, in the partition's committed ISR, has a log ending at `logEndOffset`. */
  member(partition: number, member: number, logEndOffset: number, nowMs: number): void {
    const raises = this.#raises.get(partition);
    const latest = raises?.[raises.length - 1];
    const committed = latest?.[1] ?? 0;
    if (logEndOffset >= committed) return;
    // When the high watermark first went past this log end: the records missing were committed from then.
    const since = raises!.find(([, offset]) => offset > logEndOffset)![0];
    if (this.losses.committedLossExcuse(partition, since, this.replicasLostMax) !== null) return;
    throw this.violations.report(
      "every ISR member holds every committed record",
      `partition ${partition}: node ${member} is in the committed ISR at ${nowMs} ms with its log ending at ` +
        `${logEndOffset}, but ${committed} was committed (by ${latest![2]}; since ${since} ms ` +
        `past its end); ${this.losses.describe()}`,
    );
  }
}
