/**
 * Putting a cleaned segment in place of the segments it was made from, in
 * the order Kafka's replaceSegments uses, which is the order its recovery
 * (and `partition_log_loader.ts`) knows how to finish:
 *
 * 1. the `.cleaned` files, already synced, are renamed to `.swap` and the
 *    folder is synced: from here on a crash completes the swap, before it a
 *    crash removes the `.cleaned` files and the old segments stay;
 * 2. the old segments' files are renamed to `.deleted` (a crash now leaves
 *    them for start-up to remove; any not yet renamed are covered by the swap
 *    file's offset range and removed by the loader);
 * 3. the `.swap` files are renamed to their final names and the folder is
 *    synced; the log switches to the new segment. The `.deleted` files are
 *    left to the caller to remove (see `file_shredder.ts`).
 *
 * At every point the files on disk load as either the old segments or the
 * cleaned one, with no offset lost: the cleaned segment holds the latest
 * record of every key the old ones held.
 */
import type { Disk } from "../../io/mod.ts";
import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  TRANSACTION_INDEX_FILE_SUFFIX,
} from "../file_names.ts";
import type { PartitionLog } from "../partition_log.ts";
import type { LogSegment } from "../segment.ts";
import { segmentFilePaths } from "./cleaned_segment.ts";

/** Points in the swap where a test may simulate a crash. */
export type SwapStage = "swap-renamed" | "old-renamed" | "final-renamed";

/** The files of a segment that exist, `.log` first. */
function existingSegmentFiles(disk: Disk, segment: LogSegment): string[] {
  const transactionIndex = segment.logPath.slice(0, -LOG_FILE_SUFFIX.length) + TRANSACTION_INDEX_FILE_SUFFIX;
  return [segment.logPath, segment.offsetIndexPath, segment.timeIndexPath, transactionIndex]
    .filter((path) => disk.exists(path));
}

/**
 * Swaps the cleaned files of `replaced[0].baseOffset` in for `replaced`
 * (consecutive inactive segments of `log`); returns the new segment and the
 * `.deleted` files to remove. `afterStage` lets tests stop at a stage as a
 * crash would.
 */
export function swapInCleanedSegment(options: {
  disk: Disk;
  log: PartitionLog;
  replaced: readonly LogSegment[];
  afterStage?: (stage: SwapStage) => void;
}): { segment: LogSegment; deleted: string[] } {
  const { disk, log, replaced } = options;
  const baseOffset = replaced[0]!.baseOffset;
  const cleaned = segmentFilePaths(log.directory, baseOffset, CLEANED_FILE_SUFFIX);
  const swap = segmentFilePaths(log.directory, baseOffset, SWAP_FILE_SUFFIX);
  const final = segmentFilePaths(log.directory, baseOffset, "");
  for (const key of ["log", "offsetIndex", "timeIndex"] as const) disk.rename(cleaned[key], swap[key]);
  disk.syncDirectory(log.directory);
  options.afterStage?.("swap-renamed");
  const deleted: string[] = [];
  for (const segment of replaced) {
    for (const path of existingSegmentFiles(disk, segment)) {
      disk.rename(path, path + DELETED_FILE_SUFFIX);
      deleted.push(path + DELETED_FILE_SUFFIX);
    }
  }
  options.afterStage?.("old-renamed");
  for (const key of ["log", "offsetIndex", "timeIndex"] as const) disk.rename(swap[key], final[key]);
  disk.syncDirectory(log.directory);
  options.afterStage?.("final-renamed");
  return { segment: log.replaceSegments(replaced), deleted };
}
