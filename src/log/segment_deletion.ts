/**
 * Taking a segment out of a log the way Kafka's asynchronous deletion does:
 * its files are renamed with the `.deleted` suffix now and removed later (see
 * `file_deleter.ts`).
 *
 * The `.log` file is renamed first. A crash after that leaves index files
 * without a log, which the loader removes as orphans; a crash before it leaves
 * the segment whole. Either way no segment is ever left half present.
 */
import type { Disk } from "../io/mod.ts";
import { DELETED_FILE_SUFFIX, LOG_FILE_SUFFIX, TRANSACTION_INDEX_FILE_SUFFIX } from "./file_names.ts";
import type { LogSegment } from "./segment.ts";

/** The paths of a segment's files, the `.log` first. */
export function segmentFilePaths(segment: LogSegment): string[] {
  const prefix = segment.logPath.slice(0, -LOG_FILE_SUFFIX.length);
  return [
    segment.logPath,
    segment.offsetIndexPath,
    segment.timeIndexPath,
    prefix + TRANSACTION_INDEX_FILE_SUFFIX,
  ];
}

/**
 * Closes the segment and renames its files to `.deleted`, adding each new
 * path to `renamed` as it goes (so that a failure midway still tells what
 * was renamed).
 */
export function markSegmentForDeletion(disk: Disk, segment: LogSegment, renamed: string[]): void {
  segment.closeHandles();
  for (const path of segmentFilePaths(segment)) {
    if (!disk.exists(path)) continue;
    disk.rename(path, path + DELETED_FILE_SUFFIX);
    renamed.push(path + DELETED_FILE_SUFFIX);
  }
}
