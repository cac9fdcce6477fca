/**
 * Opening a partition's folder as Kafka's LogLoader does:
 *
 * 1. remove temporary files (`.deleted`, `.cleaned`) and finish interrupted
 *    swaps (`.swap` files from compaction replace the segments they cover);
 * 2. open every `<offset>.log`; orphan index files go, and a segment whose
 *    `.index` or `.timeindex` is missing is recovered to rebuild them;
 * 3. without a clean-shutdown marker, recover every segment from the one
 *    holding the recovery point: check each batch, rebuild the indexes, and
 *    at the first torn or corrupt batch truncate there and drop later segments;
 * 4. fix the leader epoch cache to the log's ends, and rebuild producer state
 *    from the latest snapshot plus the batches after it.
 */
import type { Disk } from "../io/mod.ts";
import { isControl, lastOffset as batchLastOffset, NO_PRODUCER_ID } from "../protocol/mod.ts";
import { scanFileBatches } from "./batch_scanner.ts";
import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  joinPath,
  LOG_FILE_SUFFIX,
  offsetFileName,
  offsetFromFileName,
  SWAP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  TRANSACTION_INDEX_FILE_SUFFIX,
} from "./file_names.ts";
import type { LeaderEpochCache } from "./leader_epoch_cache.ts";
import type { ProducerStateManager } from "./producer_state.ts";
import {
  LogSegment,
  type RecoveryVisitor,
  type SegmentOptions,
  UnsupportedMessageFormatError,
} from "./segment.ts";
import type { SegmentList } from "./segment_list.ts";

/** What loading needs. */
export interface LoadContext {
  disk: Disk;
  directory: string;
  segments: SegmentList;
  leaderEpochCache: LeaderEpochCache;
  producerState: ProducerStateManager;
  segmentOptions: (baseOffset: number) => SegmentOptions;
  hadCleanShutdown: boolean;
  recoveryPointCheckpoint: number;
  logStartOffsetCheckpoint: number;
  nowMs: number;
  log: (line: string) => void;
}

/** Where the loaded log starts and ends. */
export interface LoadedOffsets {
  logStartOffset: number;
  recoveryPoint: number;
  nextOffset: number;
}

/** Loads the folder's segments and state; see the file comment for the steps. */
export function loadLog(context: LoadContext): LoadedOffsets {
  const swapFiles = removeTemporaryFiles(context);
  completeSwaps(context, swapFiles);
  loadSegmentFiles(context);
  const { nextOffset, recoveryPoint } = recoverLog(context);
  const { segments, leaderEpochCache, producerState } = context;
  leaderEpochCache.truncateFromEnd(nextOffset);
  const logStartOffset = Math.max(context.logStartOffsetCheckpoint, segments.first()!.baseOffset);
  leaderEpochCache.truncateFromStart(context.logStartOffsetCheckpoint);
  producerState.removeStraySnapshots(segments.baseOffsets());
  rebuildProducerState({
    segments,
    producerState,
    logStartOffset,
    lastOffset: nextOffset,
    reloadFromCleanShutdown: context.hadCleanShutdown,
    nowMs: context.nowMs,
  });
  return { logStartOffset, recoveryPoint, nextOffset };
}

/** Removes `.deleted` and `.cleaned` files; returns the `.swap` files that are still valid. */
function removeTemporaryFiles(context: LoadContext): string[] {
  const { disk, directory } = context;
  const swapFiles: string[] = [];
  const cleanedFiles: string[] = [];
  let minCleanedOffset = Number.POSITIVE_INFINITY;
  for (const name of disk.list(directory)) {
    const path = joinPath(directory, name);
    if (disk.isDirectory(path)) continue;
    if (name.endsWith(DELETED_FILE_SUFFIX) && !name.endsWith(".checkpoint.deleted")) {
      disk.remove(path);
    } else if (name.endsWith(CLEANED_FILE_SUFFIX)) {
      minCleanedOffset = Math.min(minCleanedOffset, offsetFromFileName(name) ?? Number.POSITIVE_INFINITY);
      cleanedFiles.push(path);
    } else if (name.endsWith(SWAP_FILE_SUFFIX)) {
      swapFiles.push(name);
    }
  }
  // A swap file at or above a .cleaned file belongs to a split that did not finish (KAFKA-6264).
  const validSwapFiles: string[] = [];
  for (const name of swapFiles) {
    if ((offsetFromFileName(name) ?? 0) >= minCleanedOffset) disk.remove(joinPath(directory, name));
    else validSwapFiles.push(name);
  }
  for (const path of cleanedFiles) disk.remove(path);
  return validSwapFiles;
}

/**
 * Swap files are the output of compaction: the segments they replace are
 * those from the smallest swapped base offset up to the end of the swapped
 * data. Delete those, then rename the swap files into place.
 */
function completeSwaps(context: LoadContext, swapFiles: string[]): void {
  const { disk, directory } = context;
  let minSwapOffset = Number.POSITIVE_INFINITY;
  let maxSwapOffset = Number.NEGATIVE_INFINITY;
  for (const name of swapFiles) {
    if (!name.endsWith(LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX)) continue;
    const baseOffset = offsetFromFileName(name)!;
    minSwapOffset = Math.min(minSwapOffset, baseOffset);
    maxSwapOffset = Math.max(maxSwapOffset, nextOffsetOfFile(disk, joinPath(directory, name), baseOffset));
  }
  for (const name of disk.list(directory)) {
    if (name.endsWith(SWAP_FILE_SUFFIX)) continue;
    const offset = offsetFromFileName(name);
    if (offset !== null && offset >= minSwapOffset && offset < maxSwapOffset) {
      disk.remove(joinPath(directory, name));
    }
  }
  for (const name of swapFiles) {
    disk.rename(joinPath(directory, name), joinPath(directory, name.slice(0, -SWAP_FILE_SUFFIX.length)));
  }
}

function nextOffsetOfFile(disk: Disk, path: string, baseOffset: number): number {
  const file = disk.open(path);
  let next = baseOffset;
  try {
    scanFileBatches(file, { start: 0, end: file.size(), wholeBatches: false }, (batch) => {
      next = batchLastOffset(batch.header) + 1;
      return true;
    });
  } finally {
    file.close();
  }
  return next;
}

const INDEX_SUFFIXES = [INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, TRANSACTION_INDEX_FILE_SUFFIX];

/** Opens each `.log` in offset order; removes orphan indexes; rebuilds missing ones. */
function loadSegmentFiles(context: LoadContext): void {
  const { disk, directory } = context;
  for (const name of disk.list(directory)) {
    const offset = offsetFromFileName(name);
    if (offset === null) continue;
    const path = joinPath(directory, name);
    if (INDEX_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
      if (!disk.exists(joinPath(directory, offsetFileName(offset, LOG_FILE_SUFFIX)))) {
        context.log(`removing orphaned index file ${path}`);
        disk.remove(path);
      }
    } else if (name === offsetFileName(offset, LOG_FILE_SUFFIX)) {
      const segment = LogSegment.open(context.segmentOptions(offset));
      if (!segment.indexFilesExist()) {
        context.log(`rebuilding the missing index files of ${segment.logPath}`);
        segment.recover(epochVisitor(context.leaderEpochCache));
      }
      context.segments.add(segment);
    }
  }
}

/** During recovery, a batch of a newer epoch than the cache knows starts that epoch. */
function epochVisitor(cache: LeaderEpochCache): RecoveryVisitor {
  return (header) => {
    const epoch = header.partitionLeaderEpoch;
    if (epoch >= 0 && epoch > cache.latestEpoch()) cache.assign(epoch, header.baseOffset);
  };
}

function recoverLog(context: LoadContext): { nextOffset: number; recoveryPoint: number } {
  const { segments } = context;
  if (!context.hadCleanShutdown) recoverUnflushedSegments(context);
  let logEndOffset: number | null = null;
  if (segments.length > 0) {
    logEndOffset = segments.last()!.readNextOffset();
    if (logEndOffset < context.logStartOffsetCheckpoint) {
      context.log(`deleting every segment: the log end ${logEndOffset} is below the log start offset`);
      for (const segment of segments.clear()) segment.delete();
      context.leaderEpochCache.clearAndFlush();
      context.producerState.truncateFullyAndStartAt(context.logStartOffsetCheckpoint);
      logEndOffset = null;
    }
  }
  if (segments.length === 0) {
    segments.add(LogSegment.create(context.segmentOptions(context.logStartOffsetCheckpoint)));
  }
  if (context.hadCleanShutdown && logEndOffset !== null) {
    return { nextOffset: logEndOffset, recoveryPoint: logEndOffset };
  }
  const nextOffset = logEndOffset ?? segments.last()!.readNextOffset();
  return { nextOffset, recoveryPoint: Math.min(context.recoveryPointCheckpoint, nextOffset) };
}

/** Recovers the segments from the recovery point on; the first truncation ends the log there. */
function recoverUnflushedSegments(context: LoadContext): void {
  const { segments } = context;
  const unflushed = segments.overlapping(context.recoveryPointCheckpoint, Number.POSITIVE_INFINITY);
  for (let index = 0; index < unflushed.length; index++) {
    const segment = unflushed[index]!;
    let truncated: number;
    try {
      truncated = segment.recover(epochVisitor(context.leaderEpochCache));
    } catch (error) {
      if (error instanceof UnsupportedMessageFormatError) throw error;
      context.log(`recovery of ${segment.logPath} failed (${(error as Error).message}); emptying it`);
      truncated = segment.truncateTo(segment.baseOffset, context.nowMs);
    }
    if (truncated > 0) {
      context.log(`truncated ${truncated} invalid bytes at the end of ${segment.logPath}`);
      const position = segments.floorIndex(segment.baseOffset);
      for (const later of segments.removeFrom(position + 1)) later.delete();
      return;
    }
  }
}

/** Inputs of a producer state rebuild. */
export interface ProducerStateRebuild {
  segments: SegmentList;
  producerState: ProducerStateManager;
  logStartOffset: number;
  /** The offset up to which to rebuild (exclusive): the log end. */
  lastOffset: number;
  reloadFromCleanShutdown: boolean;
  nowMs: number;
}

/**
 * Kafka's rebuildProducerState: load the latest snapshot and replay the
 * batches after it. A log with no snapshot after a clean shutdown is one
 * written before producer state existed (or by a broker that upgraded), and
 * is not scanned: empty snapshots are written instead, as Kafka does.
 */
export function rebuildProducerState(rebuild: ProducerStateRebuild): void {
  const { segments, producerState, logStartOffset, lastOffset } = rebuild;
  const offsetsToSnapshot: number[] = [];
  if (segments.length >= 2) offsetsToSnapshot.push(segments.at(segments.length - 2)!.baseOffset);
  if (segments.length >= 1) offsetsToSnapshot.push(segments.last()!.baseOffset);
  offsetsToSnapshot.push(lastOffset);
  if (producerState.latestSnapshotOffset() === null && rebuild.reloadFromCleanShutdown) {
    for (const offset of offsetsToSnapshot) {
      producerState.mapEndOffset = offset;
      producerState.takeSnapshot();
    }
    return;
  }
  const isEmptyBeforeTruncation = producerState.isEmpty() && producerState.mapEndOffset >= lastOffset;
  producerState.truncateAndReload(logStartOffset, lastOffset, rebuild.nowMs);
  if (lastOffset > producerState.mapEndOffset && !isEmptyBeforeTruncation) {
    const segmentOfLastOffset = segments.floor(lastOffset);
    for (const segment of segments.overlapping(producerState.mapEndOffset, lastOffset)) {
      const startOffset = Math.max(segment.baseOffset, producerState.mapEndOffset, logStartOffset);
      producerState.mapEndOffset = startOffset;
      if (offsetsToSnapshot.includes(segment.baseOffset)) producerState.takeSnapshot();
      const endPosition = segment === segmentOfLastOffset
        ? segment.translateOffset(lastOffset)?.position ?? segment.size()
        : segment.size();
      loadProducersFromSegment(producerState, segment, startOffset, endPosition);
    }
  }
  producerState.mapEndOffset = lastOffset;
  producerState.takeSnapshot();
}

function loadProducersFromSegment(
  producerState: ProducerStateManager,
  segment: LogSegment,
  startOffset: number,
  endPosition: number,
): void {
  const start = segment.translateOffset(startOffset);
  if (start === null || start.position >= endPosition) return;
  const session = producerState.prepareAppend("replication");
  segment.forEachBatchHeader(start.position, endPosition, (scanned) => {
    if (scanned.header.producerId === NO_PRODUCER_ID) return true;
    if (isControl(scanned.header.attributes)) {
      const bytes = segment.readBatch(scanned.filePosition, scanned.header);
      session.appendBatch({ ...scanned.header, position: 0 }, bytes);
    } else {
      session.appendBatch(scanned.header, scanned.bytes);
    }
    return true;
  });
  producerState.commit(session);
}
