/**
 * The files at the top of a Kafka log directory, beside the partition folders:
 *
 * - `recovery-point-offset-checkpoint`: per partition, the offset below which
 *   everything is synced; recovery after a crash starts there;
 * - `log-start-offset-checkpoint`: per partition, the first readable offset;
 * - `replication-offset-checkpoint`: per partition, the high watermark;
 * - `cleaner-offset-checkpoint`: the log cleaner's progress (left as it is);
 * - `.lock`: held while a broker uses the directory;
 * - `.kafka_cleanshutdown`: written after a clean shutdown, removed at start,
 *   so its absence at start means the logs must be recovered. Kafka 3.x
 *   writes `{"version":0,"brokerEpoch":N}` in it; older brokers an empty
 *   file. Only its existence matters for recovery.
 */
import type { Disk, FileHandle } from "../io/mod.ts";
import {
  readOffsetCheckpoint,
  topicPartitionKey,
  type TopicPartitionOffset,
  writeOffsetCheckpoint,
} from "./checkpoint_file.ts";
import {
  joinPath,
  METADATA_TOPIC,
  type ParsedPartitionDirectory,
  parsePartitionDirectoryName,
} from "./file_names.ts";

export const RECOVERY_POINT_CHECKPOINT_FILE = "recovery-point-offset-checkpoint";
export const LOG_START_OFFSET_CHECKPOINT_FILE = "log-start-offset-checkpoint";
export const REPLICATION_OFFSET_CHECKPOINT_FILE = "replication-offset-checkpoint";
export const CLEANER_OFFSET_CHECKPOINT_FILE = "cleaner-offset-checkpoint";
export const LOCK_FILE = ".lock";
export const CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** A partition folder found in a log directory. */
export interface PartitionDirectory extends ParsedPartitionDirectory {
  name: string;
  path: string;
}

/** What a log directory holds besides its top-level files. */
export interface LogDirectoryContents {
  /** Partition logs in use (`<topic>-<partition>`), the metadata log excepted. */
  partitions: PartitionDirectory[];
  /** Folders being deleted, moved (`-future`) or found stray: not loaded. */
  pending: PartitionDirectory[];
  /** The KRaft metadata log's folder, when present. */
  metadata: PartitionDirectory | null;
  /** Folders whose names are not Kafka's. */
  unknown: string[];
}

/** Sorts the folders of a log directory. */
export function listLogDirectory(disk: Disk, logDirectory: string): LogDirectoryContents {
  const contents: LogDirectoryContents = { partitions: [], pending: [], metadata: null, unknown: [] };
  for (const name of disk.list(logDirectory)) {
    const path = joinPath(logDirectory, name);
    if (!disk.isDirectory(path)) continue;
    const parsed = parsePartitionDirectoryName(name);
    if (parsed === null) {
      contents.unknown.push(name);
      continue;
    }
    const directory = { ...parsed, name, path };
    if (parsed.kind !== "current") contents.pending.push(directory);
    else if (parsed.topic === METADATA_TOPIC) contents.metadata = directory;
    else contents.partitions.push(directory);
  }
  return contents;
}

/** Reads an offset checkpoint into a map keyed by `topicPartitionKey`. */
export function readOffsetCheckpointMap(disk: Disk, path: string): Map<string, number> {
  const offsets = new Map<string, number>();
  for (const entry of readOffsetCheckpoint(disk, path)) {
    offsets.set(topicPartitionKey(entry.topic, entry.partition), entry.offset);
  }
  return offsets;
}

/** Writes an offset checkpoint from entries. */
export function writeOffsetCheckpointEntries(
  disk: Disk,
  path: string,
  entries: readonly TopicPartitionOffset[],
): void {
  writeOffsetCheckpoint(disk, path, entries);
}

/** Whether the directory was shut down cleanly, and the broker epoch the marker names (Kafka 3.x). */
export interface CleanShutdownMarker {
  exists: boolean;
  brokerEpoch: number | null;
}

/** Reads `.kafka_cleanshutdown`; an empty or unreadable marker still counts as present. */
export function readCleanShutdownMarker(disk: Disk, logDirectory: string): CleanShutdownMarker {
  const bytes = disk.readFile(joinPath(logDirectory, CLEAN_SHUTDOWN_FILE));
  if (bytes === null) return { exists: false, brokerEpoch: null };
  try {
    const content = JSON.parse(textDecoder.decode(bytes)) as { brokerEpoch?: unknown };
    return {
      exists: true,
      brokerEpoch: typeof content.brokerEpoch === "number" ? content.brokerEpoch : null,
    };
  } catch {
    return { exists: true, brokerEpoch: null };
  }
}

/** Writes the clean-shutdown marker as Kafka 3.x does. */
export function writeCleanShutdownMarker(disk: Disk, logDirectory: string, brokerEpoch: number): void {
  const content = JSON.stringify({ version: 0, brokerEpoch });
  disk.writeFileAtomic(joinPath(logDirectory, CLEAN_SHUTDOWN_FILE), textEncoder.encode(content));
}

/** Removes the marker at start-up, so a crash while loading is not mistaken for a clean shutdown (KAFKA-10471). */
export function removeCleanShutdownMarker(disk: Disk, logDirectory: string): void {
  disk.remove(joinPath(logDirectory, CLEAN_SHUTDOWN_FILE));
  disk.syncDirectory(logDirectory);
}

/**
 * Opens `.lock`. Kafka takes an OS file lock on it; the Disk seam has no
 * locks, so this only keeps the file open (and present, as Kafka leaves it).
 */
export function openLockFile(disk: Disk, logDirectory: string): FileHandle {
  return disk.open(joinPath(logDirectory, LOCK_FILE), { create: true });
}
