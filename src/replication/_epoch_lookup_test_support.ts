/**
 * A leader epoch cache for tests, answering as Kafka's
 * LeaderEpochFileCache.endOffsetFor does: the latest epoch ends at the log
 * end; an older one (the largest known epoch at or below the one asked)
 * ends where the next larger epoch starts; an epoch below every entry ends
 * at the first entry's start; nothing is known past the latest epoch or on
 * a log with no epochs.
 */
import { type EpochEnd, type EpochLookup, UNDEFINED_EPOCH } from "./divergence.ts";

/** `[epoch, startOffset]` pairs in increasing order, and the log's end offset. */
export function epochLookup(
  entries: ReadonlyArray<readonly [number, number]>,
  logEndOffset: number,
): EpochLookup {
  return (requested: number): EpochEnd => {
    const unknown = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH };
    const latest = entries[entries.length - 1];
    if (requested === UNDEFINED_EPOCH || latest === undefined) return unknown;
    if (latest[0] === requested) return { epoch: requested, endOffset: logEndOffset };
    const higherIndex = entries.findIndex(([epoch]) => epoch > requested);
    if (higherIndex < 0) return unknown;
    const higherStart = entries[higherIndex]![1];
    if (higherIndex === 0) return { epoch: requested, endOffset: higherStart };
    return { epoch: entries[higherIndex - 1]![0], endOffset: higherStart };
  };
}

/** A log as the epoch of each record, built from `[epoch, count]` runs. */
export function recordEpochs(...runs: ReadonlyArray<readonly [number, number]>): number[] {
  return runs.flatMap(([epoch, count]) => Array.from({ length: count }, () => epoch));
}

/** The leader epoch cache entries of a log given as record epochs. */
export function epochEntries(epochs: readonly number[]): Array<[number, number]> {
  const entries: Array<[number, number]> = [];
  epochs.forEach((epoch, offset) => {
    if (entries[entries.length - 1]?.[0] !== epoch) entries.push([epoch, offset]);
  });
  return entries;
}

/** The lookup of a log given as record epochs. */
export function lookupOf(epochs: readonly number[]): EpochLookup {
  return epochLookup(epochEntries(epochs), epochs.length);
}
