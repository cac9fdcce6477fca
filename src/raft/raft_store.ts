/**
 * The metadata log's folder on disk (`<metadata.log.dir>/__cluster_metadata-0`):
 * the log as a PartitionLog in Kafka's segment format, the `quorum-state`
 * file and the `.checkpoint` snapshots. `load` gives a RaftNode what it
 * finds at start-up; `persist` does the storage steps of a Ready in order.
 */
import type { Clock, Disk } from "../io/mod.ts";
import { type LogConfigSource, PartitionLog } from "../log/mod.ts";
import { decodeRaftBatches, encodeRaftBatch } from "./batch_codec.ts";
import { readQuorumState, writeQuorumState } from "./quorum_state_file.ts";
import type { Snapshot } from "./raft_log.ts";
import type { Ready } from "./ready.ts";
import { deleteSnapshotsBefore, readLatestSnapshot, writeSnapshot } from "./snapshot_file.ts";
import {
  endOffsetOf,
  METADATA_PARTITION,
  METADATA_TOPIC,
  type QuorumStateRecord,
  type RaftBatch,
} from "./types.ts";

/** Bytes read from the log per step while loading it. */
const LOAD_CHUNK_BYTES = 1024 * 1024;

/** What a node finds in its metadata log folder at start-up. */
export interface StoredRaftState {
  quorumState: QuorumStateRecord | null;
  snapshot: Snapshot | null;
  batches: RaftBatch[];
}

/** The batches up to the first that does not continue the one before (a torn or stale tail). */
function continuousPrefix(batches: readonly RaftBatch[]): RaftBatch[] {
  const kept: RaftBatch[] = [];
  for (const batch of batches) {
    const previous = kept.at(-1);
    if (
      previous !== undefined && (batch.baseOffset !== endOffsetOf(previous) || batch.epoch < previous.epoch)
    ) break;
    kept.push(batch);
  }
  return kept;
}

export class RaftStore {
  #truncatedSinceSync = false;

  private constructor(
    readonly disk: Disk,
    readonly directory: string,
    readonly log: PartitionLog,
    private readonly voters: readonly number[],
  ) {}

  /**
   * Opens the folder (creating it), recovering the log as Kafka does after
   * an unclean shutdown; the log starts where the newest snapshot ends.
   */
  static open(options: {
    disk: Disk;
    clock: Clock;
    directory: string;
    voters: readonly number[];
    /** The log's settings (`metadata.log.segment.bytes` becomes segmentBytes). */
    config?: LogConfigSource;
  }): RaftStore {
    const { disk, directory } = options;
    if (!disk.exists(directory)) {
      disk.mkdirs(directory);
      // The folder's own name must survive a power loss too, or the node starts a new history.
      disk.syncDirectory(directory.replace(/\/[^/]*$/, "") || ".");
    }
    const snapshot = readLatestSnapshot(disk, directory);
    const log = PartitionLog.open({
      disk,
      clock: options.clock,
      directory,
      topic: METADATA_TOPIC,
      partition: METADATA_PARTITION,
      hadCleanShutdown: false,
      config: options.config,
      logStartOffset: snapshot?.id.endOffset ?? 0,
    });
    if (snapshot !== null && log.logEndOffset < snapshot.id.endOffset) {
      // The snapshot was written but the log not yet replaced when the node stopped.
      log.truncateFullyAndStartAt(snapshot.id.endOffset);
    }
    return new RaftStore(disk, directory, log, options.voters);
  }

  /**
   * The quorum state, snapshot and batches for `RaftNodeOptions`. Each
   * segment is read only up to where the next one starts: a later segment
   * supersedes whatever an earlier one still holds beyond that point.
   */
  load(): StoredRaftState {
    const snapshot = readLatestSnapshot(this.disk, this.directory);
    const batches: RaftBatch[] = [];
    let offset = Math.max(this.log.logStartOffset, snapshot?.id.endOffset ?? 0);
    const bases = this.log.segmentBaseOffsets();
    bases.forEach((base, index) => {
      const segmentEnd = bases[index + 1] ?? this.log.logEndOffset;
      offset = Math.max(offset, base);
      while (offset < segmentEnd) {
        const bytes = this.log.read(offset, {
          maxBytes: LOAD_CHUNK_BYTES,
          minOneBatch: true,
          maxOffset: segmentEnd,
        });
        const decoded = decodeRaftBatches(bytes).filter((batch) => batch.baseOffset >= offset);
        const last = decoded.at(-1);
        if (last === undefined) break;
        batches.push(...decoded);
        offset = endOffsetOf(last);
      }
    });
    const kept = continuousPrefix(batches);
    const keptEnd = kept.length === 0 ? offset : endOffsetOf(kept.at(-1)!);
    if (kept.length < batches.length && keptEnd < this.log.logEndOffset) {
      this.log.truncateTo(keptEnd);
      this.log.segments().at(-1)?.sync();
    }
    return { quorumState: readQuorumState(this.disk, this.directory), snapshot, batches: kept };
  }

  /**
   * Does the storage steps of `ready` (quorum state, snapshot, truncation,
   * appends, log start) and syncs them. With `sync: false` the log is left
   * unsynced: call `sync` before acting on the Ready (the simulator models
   * the time an fsync takes this way).
   */
  persist(ready: Ready, nowMs: number, options: { sync?: boolean } = {}): void {
    if (ready.quorumState !== null) {
      writeQuorumState(this.disk, this.directory, ready.quorumState, { voters: this.voters });
    }
    if (ready.snapshot !== null) {
      writeSnapshot(this.disk, this.directory, ready.snapshot);
      this.log.truncateFullyAndStartAt(ready.snapshot.id.endOffset);
      deleteSnapshotsBefore(this.disk, this.directory, ready.snapshot.id);
    }
    if (ready.truncateTo !== null) {
      this.log.truncateTo(ready.truncateTo, nowMs);
      // PartitionLog.flush skips a segment cut below its recovery point; the cut must be
      // durable before anything is appended after it, or a crash brings the old tail back.
      if (options.sync ?? true) this.log.segments().at(-1)?.sync();
      else this.#truncatedSinceSync = true;
    }
    // One batch per append, so that the log can roll a segment between any two.
    for (const batch of ready.batches) {
      const result = this.log.appendAsFollower(encodeRaftBatch(batch), nowMs);
      if (result.errorCode !== 0) throw new Error(`metadata log append failed: ${result.errorMessage}`);
    }
    const written = ready.snapshot !== null || ready.truncateTo !== null || ready.batches.length > 0;
    if (written && (options.sync ?? true)) this.sync(nowMs);
    if (ready.logStartOffset !== null) {
      this.log.advanceLogStartOffset(Math.min(ready.logStartOffset, this.log.logEndOffset));
      // Segments wholly below the new start are covered by the snapshot: delete them (never one reaching it).
      this.log.deleteOldSegments(nowMs, ready.logStartOffset);
      deleteSnapshotsBefore(this.disk, this.directory, { endOffset: ready.logStartOffset, epoch: 0 });
    }
  }

  /** Makes every write to the log durable. */
  sync(nowMs: number): void {
    if (this.#truncatedSinceSync) this.log.segments().at(-1)?.sync();
    this.#truncatedSinceSync = false;
    this.log.flush(nowMs);
  }

  close(): void {
    this.log.close();
  }
}
