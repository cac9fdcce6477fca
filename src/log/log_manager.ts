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
 * never recovered) after an unclean shutdown.
 */
import type { Clock, Disk, FileHandle } from "../io/types.ts";
import type { Decompress } from "./batch_records.ts";
import { topicPartitionKey, type TopicPartitionOffset } from "./checkpoint_file.ts";
import { joinPath, METADATA_TOPIC, partitionDirectoryName } from "./file_names.ts";
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
  readonly #options: LogManagerOptions;
  readonly #disk: Disk;
  readonly #lock: FileHandle;
  readonly #logs = new Map<string, PartitionLog>();
  readonly #recoveryPoints: Map<string, number>;
  readonly #logStartOffsets: Map<string, number>;
  /** Partition folders found at open that no log has loaded yet. */
  readonly #unopened: Map<string, PartitionDirectory>;
  #metadataLog: PartitionLog | null = null;
  #deleteCounter = 0;
  #closed = false;

  private constructor(options: LogManagerOptions, lock: FileHandle, hadCleanShutdown: boolean) {
    this.#options = options;
    this.#disk = options.disk;
    this.directory = options.directory;
    this.#lock = lock;
    this.hadCleanShutdown = hadCleanShutdown;
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
    options.disk.mkdirs(options.directory);
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
    const log = this.#openLog(
      options,
      this.#recoveryPoints.get(key) ?? 0,
      this.#logStartOffsets.get(key) ?? 0,
    );
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
      log: this.#options.log,
    });
  }

  /**
   * The KRaft metadata log (`__cluster_metadata-0`). Kafka keeps it out of
   * the checkpoint files; after an unclean shutdown it is recovered whole.
   */
  openMetadataLog(config?: LogConfigSource): PartitionLog {
    this.#checkOpen();
    this.#metadataLog ??= this.#openLog({ topic: METADATA_TOPIC, partition: 0, config }, 0, 0);
    return this.#metadataLog;
  }

  /**
   * Deletes a partition's log: its folder is renamed to
   * `<topic>-<partition>.<id>-delete` (so a crash midway leaves a folder the
   * next start removes) and then removed.
   */
  remove(log: PartitionLog): void {
    const key = topicPartitionKey(log.topic, log.partition);
    if (this.#logs.get(key) === log) this.#logs.delete(key);
    this.#recoveryPoints.delete(key);
    this.#logStartOffsets.delete(key);
    log.closeHandles();
    const uniqueId = (this.#options.clock.nowMs().toString(16) + (this.#deleteCounter++).toString(16))
      .padStart(32, "0");
    const doomed = `${log.directory}.${uniqueId}-delete`;
    this.#disk.rename(log.directory, doomed);
    this.#disk.syncDirectory(this.directory);
    this.#disk.remove(doomed);
  }

  /** Flushes logs whose `flush.ms` has passed (Kafka's log flusher). */
  flushDirtyLogs(nowMs: number): void {
    for (const log of this.#logs.values()) log.maybeFlush(nowMs);
    this.#metadataLog?.maybeFlush(nowMs);
  }

  /** Forgets idle producers in every log. */
  removeExpiredProducers(nowMs: number): void {
    for (const log of this.#logs.values()) log.removeExpiredProducers(nowMs);
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
    for (const log of this.#logs.values()) log.close();
    this.#metadataLog?.close();
    this.checkpointRecoveryPoints();
    this.checkpointLogStartOffsets();
    if (this.hadCleanShutdown || this.#unopened.size === 0) {
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
