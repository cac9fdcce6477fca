/**
 * One log directory and the partition logs in it (the storage half of
 * Kafka's LogManager).
 *
 * At open it takes `.lock`, notes and removes the clean-shutdown marker,
 * reads the recovery-point and log-start checkpoints and lists the partition
 * folders; partition logs are opened when the broker asks for them, each
 * recovered as its checkpoints and the marker say. `closeAll` is the clean
 * shutdown: every log flushed and closed, the checkpoints written, then the
 * marker — unless some partition found at start was never opened (and so
 * never recovered) after an unclean shutdown, or some log went offline after
 * a disk error (it must be recovered at the next start).
 *
 * It also runs the directory's retention (`cleanupLogs`, Kafka's
 * kafka-log-retention task) and deletes logs as Kafka does: rename first,
 * remove after `file.delete.delay.ms` (see `file_deleter.ts`).
 */
import type { Clock, Disk, FileHandle } from "../io/mod.ts";
import type { Decompress } from "./batch_records.ts";
import { topicPartitionKey, type TopicPartitionOffset } from "./checkpoint_file.ts";
import { DelayedFileDeleter } from "./file_deleter.ts";
import { joinPath, partitionDirectoryName, STRAY_DIRECTORY_SUFFIX } from "./file_names.ts";
import { type LogConfigSource } from "./log_config.ts";
import {
  listLogDirectory,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  openLockFile,
  type PartitionDirectory,
  readCleanShutdownMarker,
  readOffsetCheckpointMap,
  RECOVERY_POINT_CHECKPOINT_FILE,
  removeCleanShutdownMarker,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
  writeCleanShutdownMarker,
  writeOffsetCheckpointEntries,
} from "./log_dir.ts";
import {
  type MetaProperties,
  MetaPropertiesError,
  readMetaProperties,
  writeMetaProperties,
} from "./meta_properties.ts";
import { PartitionLog } from "./partition_log.ts";
import { guardStorage, isStorageFailure } from "./storage_failure.ts";

/** Options to open a log directory. */
export interface LogManagerOptions {
  disk: Disk;
  clock: Clock;
  /** The log directory (`log.dirs`). */
  directory: string;
  /** Settings for logs opened without their own. */
  config?: LogConfigSource;
  decompress?: Decompress;
  log?: (line: string) => void;
}

/** What `open` needs to know about a partition. */
export interface OpenPartitionOptions {
  topic: string;
  partition: number;
  topicId?: Uint8Array | null;
  config?: LogConfigSource;
}

/** The identity `ensureMetaProperties` settles on. */
export interface NodeIdentity {
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

export class LogManager {
  readonly directory: string;
  /** Whether the directory had its clean-shutdown marker at open. */
  readonly hadCleanShutdown: boolean;
  /** Removes deleted segments and logs after their delay. */
  readonly fileDeleter: DelayedFileDeleter;
  readonly #options: LogManagerOptions;
  readonly #disk: Disk;
  readonly #lock: FileHandle;
  readonly #logs = new Map<string, PartitionLog>();
  readonly #recoveryPoints: Map<string, number>;
  readonly #logStartOffsets: Map<string, number>;
  /** Partition folders found at open that no log has loaded yet. */
  readonly #unopened: Map<string, PartitionDirectory>;
  #deleteCounter = 0;
  #closed = false;

  private constructor(options: LogManagerOptions, lock: FileHandle, hadCleanShutdown: boolean) {
    this.#options = options;
    this.#disk = options.disk;
    this.directory = options.directory;
    this.#lock = lock;
    this.hadCleanShutdown = hadCleanShutdown;
    this.fileDeleter = new DelayedFileDeleter({
      disk: options.disk,
      clock: options.clock,
      log: (line) => this.#logLine(line),
    });
    this.#recoveryPoints = this.#readCheckpoint(RECOVERY_POINT_CHECKPOINT_FILE);
    this.#logStartOffsets = this.#readCheckpoint(LOG_START_OFFSET_CHECKPOINT_FILE);
    const contents = listLogDirectory(options.disk, options.directory);
    this.#unopened = new Map(
      contents.partitions.map((found) => [topicPartitionKey(found.topic, found.partition), found]),
    );
    for (const pending of contents.pending) {
      if (pending.kind === "delete") options.disk.remove(pending.path);
      else this.#logLine(`not loading ${pending.name}`);
    }
    for (const name of contents.unknown) this.#logLine(`ignoring ${name}: not a partition folder`);
  }

  /** Opens (creating it if needed) a log directory. */
  static open(options: LogManagerOptions): LogManager {
    if (!options.disk.exists(options.directory)) {
      // As Kafka does for a log directory it creates: make its entry in the parent durable.
      options.disk.mkdirs(options.directory);
      options.disk.syncDirectory(parentDirectory(options.directory));
    }
    const lock = openLockFile(options.disk, options.directory);
    const marker = readCleanShutdownMarker(options.disk, options.directory);
    if (marker.exists) removeCleanShutdownMarker(options.disk, options.directory);
    return new LogManager(options, lock, marker.exists);
  }

  #logLine(line: string): void {
    this.#options.log?.(`[log ${this.directory}] ${line}`);
  }

  /** Kafka resets an unreadable checkpoint to empty (and so recovers from the start). */
  #readCheckpoint(name: string): Map<string, number> {
    try {
      return readOffsetCheckpointMap(this.#disk, joinPath(this.directory, name));
    } catch (error) {
      this.#logLine(`cannot read ${name} (${(error as Error).message}); ignoring it`);
      return new Map();
    }
  }

  /** The directory's meta.properties, or null. */
  metaProperties(): MetaProperties | null {
    return readMetaProperties(this.#disk, this.directory);
  }

  /**
   * Settles the node's identity with meta.properties: a stored cluster id
   * and directory id win over the proposed ones; a different stored node id
   * is an error, as in Kafka. A version 0 file (ZooKeeper era) is rewritten
   * as version 1.
   */
  ensureMetaProperties(proposed: NodeIdentity): NodeIdentity {
    const stored = this.metaProperties();
    if (stored !== null && stored.nodeId !== null && stored.nodeId !== proposed.nodeId) {
      throw new MetaPropertiesError(
        `stored node id ${stored.nodeId} in ${this.directory} does not match the configured node id ${proposed.nodeId}`,
      );
    }
    const identity = {
      clusterId: stored?.clusterId ?? proposed.clusterId,
      nodeId: proposed.nodeId,
      directoryId: stored?.directoryId ?? proposed.directoryId,
    };
    const upToDate = stored !== null && stored.version === 1 && stored.clusterId === identity.clusterId &&
      stored.directoryId === identity.directoryId;
    if (!upToDate) {
      writeMetaProperties(
        this.#disk,
        this.directory,
        { version: 1, ...identity },
        this.#options.clock.nowMs(),
      );
    }
    return identity;
  }

  /** Partitions with a folder here, whether opened or not. */
  partitionsOnDisk(): { topic: string; partition: number }[] {
    const found = [...this.#unopened.values()].map(({ topic, partition }) => ({ topic, partition }));
    for (const log of this.#logs.values()) found.push({ topic: log.topic, partition: log.partition });
    return found.sort((left, right) =>
      left.topic.localeCompare(right.topic) || left.partition - right.partition
    );
  }

  /** The open log of a partition, if any. */
  get(topic: string, partition: number): PartitionLog | undefined {
    return this.#logs.get(topicPartitionKey(topic, partition));
  }

  /** Every open partition log (the metadata log excepted). */
  logs(): PartitionLog[] {
    return [...this.#logs.values()];
  }

  /** Opens a partition's log (creating its folder if new); the same object on later calls. */
  open(options: OpenPartitionOptions): PartitionLog {
    this.#checkOpen();
    const key = topicPartitionKey(options.topic, options.partition);
    const existing = this.#logs.get(key);
    if (existing !== undefined) {
      if (options.topicId) existing.assignTopicId(options.topicId);
      return existing;
    }
    // Checkpoint entries count only for a folder found at start: a partition
    // created now is new, whatever a stale entry (a crash right after a topic
    // deletion) says about an earlier one of the same name.
    const found = this.#unopened.has(key);
    const folderIsNew = !found && !this.#disk.exists(
      joinPath(this.directory, partitionDirectoryName(options.topic, options.partition)),
    );
    const log = this.#openLog(
      options,
      found ? this.#recoveryPoints.get(key) ?? 0 : 0,
      found ? this.#logStartOffsets.get(key) ?? 0 : 0,
    );
    // The log syncs its own folder; the new folder's entry in the directory needs a sync of its own.
    if (folderIsNew) this.#disk.syncDirectory(this.directory);
    this.#logs.set(key, log);
    this.#unopened.delete(key);
    return log;
  }

  #openLog(options: OpenPartitionOptions, recoveryPoint: number, logStartOffset: number): PartitionLog {
    return PartitionLog.open({
      disk: this.#disk,
      clock: this.#options.clock,
      directory: joinPath(this.directory, partitionDirectoryName(options.topic, options.partition)),
      topic: options.topic,
      partition: options.partition,
      config: options.config ?? this.#options.config,
      recoveryPoint,
      logStartOffset,
      hadCleanShutdown: this.hadCleanShutdown,
      topicId: options.topicId ?? null,
      decompress: this.#options.decompress,
      fileDeleter: this.fileDeleter,
      log: this.#options.log,
    });
  }

  /**
   * Deletes a partition's log as Kafka's asyncDelete does: its folder is
   * renamed to `<topic>-<partition>.<id>-delete` (a name the next start
   * removes, so a crash at any point leaves nothing that looks live), the
   * checkpoints are rewritten without it (so a topic created again under the
   * same name does not inherit its offsets), and the folder is removed after
   * `file.delete.delay.ms`.
   */
  remove(log: PartitionLog): void {
    const key = topicPartitionKey(log.topic, log.partition);
    if (this.#logs.get(key) === log) this.#logs.delete(key);
    this.#recoveryPoints.delete(key);
    this.#logStartOffsets.delete(key);
    const delayMs = log.config().fileDeleteDelayMs;
    log.closeHandles();
    const uniqueId = (this.#options.clock.nowMs().toString(16) + (this.#deleteCounter++).toString(16))
      .padStart(32, "0");
    const doomed = `${log.directory}.${uniqueId}-delete`;
    this.#disk.rename(log.directory, doomed);
    this.#disk.syncDirectory(this.directory);
    this.#tryCheckpoints();
    this.fileDeleter.schedule([doomed], delayMs);
  }

  /**
   * Sets aside a partition folder the metadata does not assign to this node
   * (its topic was deleted, or created again with another id, while the
   * node was away), as Kafka does with stray logs: renamed to
   * `<topic>-<partition>.<id>-stray`, kept on disk for an operator to look
   * at, never loaded again, and out of the checkpoints.
   */
  markStray(topic: string, partition: number): void {
    this.#checkOpen();
    const key = topicPartitionKey(topic, partition);
    const open = this.#logs.get(key);
    const directory = open?.directory ?? this.#unopened.get(key)?.path;
    if (directory === undefined) return;
    open?.closeHandles();
    this.#logs.delete(key);
    this.#unopened.delete(key);
    this.#recoveryPoints.delete(key);
    this.#logStartOffsets.delete(key);
    const uniqueId = (this.#options.clock.nowMs().toString(16) + (this.#deleteCounter++).toString(16))
      .padStart(32, "0");
    this.#disk.rename(directory, `${directory}.${uniqueId}${STRAY_DIRECTORY_SUFFIX}`);
    this.#disk.syncDirectory(this.directory);
    this.#tryCheckpoints();
    this.#logLine(`set aside the stray log ${partitionDirectoryName(topic, partition)}`);
  }

  /** Writes both offset checkpoints; a disk error is logged (the files keep their old content). */
  #tryCheckpoints(): boolean {
    try {
      this.checkpointRecoveryPoints();
      this.checkpointLogStartOffsets();
      return true;
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      this.#logLine(`cannot write the offset checkpoints: ${error.message}`);
      return false;
    }
  }

  /** Runs `job` on every open log that is not offline; a disk error takes only that log offline. */
  #forEachLiveLog(job: (log: PartitionLog) => void): void {
    for (const log of [...this.#logs.values()]) {
      if (log.offlineReason !== null || log.isClosed) continue;
      try {
        guardStorage(log, () => job(log));
      } catch (error) {
        if (!isStorageFailure(error)) throw error;
      }
    }
  }

  /** Flushes logs whose `flush.ms` has passed (Kafka's log flusher). */
  flushDirtyLogs(nowMs: number): void {
    this.#forEachLiveLog((log) => log.maybeFlush(nowMs));
  }

  /** Forgets idle producers in every log. */
  removeExpiredProducers(nowMs: number): void {
    this.#forEachLiveLog((log) => log.removeExpiredProducers(nowMs));
  }

  /**
   * Kafka's kafka-log-retention task: deletes every log's segments below its
   * log start offset and, where `cleanup.policy` includes delete, those past
   * `retention.bytes` and `retention.ms` (PartitionLog.deleteOldSegments).
   * `skip` leaves a log alone (one the cleaner is working on). Returns the
   * number of segments deleted.
   */
  cleanupLogs(
    nowMs: number,
    skip: (log: PartitionLog) => boolean = () => false,
    highWatermarkOf: (log: PartitionLog) => number | undefined = () => undefined,
  ): number {
    let deleted = 0;
    this.#forEachLiveLog((log) => {
      // Retention never deletes a segment that reaches the high watermark (uncommitted records, which a
      // new leader or a follower's truncation may still need); without a partition, the log end.
      if (!skip(log)) deleted += log.deleteOldSegments(nowMs, highWatermarkOf(log) ?? log.logEndOffset);
    });
    return deleted;
  }

  /** Logs that went offline after a disk error. */
  offlineLogs(): PartitionLog[] {
    return [...this.#logs.values()].filter((log) => log.offlineReason !== null);
  }

  #offsets(read: (log: PartitionLog) => number, stored: Map<string, number>): TopicPartitionOffset[] {
    const entries: TopicPartitionOffset[] = [];
    for (const found of this.#unopened.values()) {
      const offset = stored.get(topicPartitionKey(found.topic, found.partition));
      if (offset !== undefined) entries.push({ topic: found.topic, partition: found.partition, offset });
    }
    for (const log of this.#logs.values()) {
      entries.push({ topic: log.topic, partition: log.partition, offset: read(log) });
    }
    return entries;
  }

  /** Writes `recovery-point-offset-checkpoint` (Kafka does this every 60 s and at shutdown). */
  checkpointRecoveryPoints(): void {
    const entries = this.#offsets((log) => log.recoveryPoint, this.#recoveryPoints);
    writeOffsetCheckpointEntries(
      this.#disk,
      joinPath(this.directory, RECOVERY_POINT_CHECKPOINT_FILE),
      entries,
    );
  }

  /** Writes `log-start-offset-checkpoint`; Kafka lists only logs whose start is above their first segment. */
  checkpointLogStartOffsets(): void {
    const entries = this.#offsets((log) => log.logStartOffset, this.#logStartOffsets)
      .filter((entry) => {
        const log = this.get(entry.topic, entry.partition);
        return log === undefined || entry.offset > (log.segmentBaseOffsets()[0] ?? 0);
      });
    writeOffsetCheckpointEntries(
      this.#disk,
      joinPath(this.directory, LOG_START_OFFSET_CHECKPOINT_FILE),
      entries,
    );
  }

  /** Writes `replication-offset-checkpoint`: the high watermarks, which replication owns. */
  writeReplicationOffsets(entries: readonly TopicPartitionOffset[]): void {
    writeOffsetCheckpointEntries(
      this.#disk,
      joinPath(this.directory, REPLICATION_OFFSET_CHECKPOINT_FILE),
      entries,
    );
  }

  /** Reads `replication-offset-checkpoint` (empty when missing or unreadable). */
  readReplicationOffsets(): Map<string, number> {
    return this.#readCheckpoint(REPLICATION_OFFSET_CHECKPOINT_FILE);
  }

  /** The clean shutdown: close every log, write the checkpoints and the marker, let go of `.lock`. */
  closeAll(brokerEpoch = -1): void {
    if (this.#closed) return;
    this.#forEachLiveLog((log) => log.close());
    // Kafka drops its pending removals at shutdown and the next start removes
    // the files; removing them now leaves a clean directory (the delay is for
    // readers, and none is left).
    this.fileDeleter.runAll();
    const checkpointed = this.#tryCheckpoints();
    const offline = this.offlineLogs().length;
    if (!checkpointed) {
      this.#logLine("the checkpoints could not be written; not marking a clean shutdown");
    } else if (offline > 0) {
      this.#logLine(`${offline} partitions are offline after disk errors; not marking a clean shutdown`);
    } else if (this.hadCleanShutdown || this.#unopened.size === 0) {
      writeCleanShutdownMarker(this.#disk, this.directory, brokerEpoch);
    } else {
      this.#logLine(`${this.#unopened.size} partitions were not recovered; not marking a clean shutdown`);
    }
    this.#lock.close();
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`log directory ${this.directory} is closed`);
  }
}

/** The folder holding `path` ("/" for a top-level folder, "." for a bare name). */
function parentDirectory(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : trimmed.slice(0, slash);
}
