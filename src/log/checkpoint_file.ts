/**
 * Kafka's text checkpoint files (CheckpointFile): a version line, a count
 * line, then one entry per line, written through a temporary file and a
 * rename. Used by `recovery-point-offset-checkpoint`,
 * `log-start-offset-checkpoint`, `replication-offset-checkpoint` (entries
 * "topic partition offset") and `leader-epoch-checkpoint` ("epoch offset").
 */
import type { Disk } from "../io/mod.ts";

/** A checkpoint file that does not parse; Kafka treats this as an I/O error. */
export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointFormatError";
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The file's bytes for `version` and `lines`. */
export function encodeCheckpoint(version: number, lines: readonly string[]): Uint8Array {
  return textEncoder.encode(`${version}\n${lines.length}\n${lines.map((line) => `${line}\n`).join("")}`);
}

function parseInteger(text: string, path: string): number {
  if (!/^-?[0-9]+$/.test(text)) {
    throw new CheckpointFormatError(`malformed line in checkpoint file ${path}: ${text}`);
  }
  return Number(text);
}

/**
 * The entry lines of a checkpoint file. An empty file, or one with only a
 * version line, has no entries (as Kafka reads it).
 */
export function decodeCheckpoint(bytes: Uint8Array, expectedVersion: number, path: string): string[] {
  const lines = textDecoder.decode(bytes).split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return [];
  const version = parseInteger(lines[0]!, path);
  if (version !== expectedVersion) {
    throw new CheckpointFormatError(
      `unrecognised version ${version} (expected ${expectedVersion}) in ${path}`,
    );
  }
  if (lines.length === 1) return [];
  const expectedCount = parseInteger(lines[1]!, path);
  const entries = lines.slice(2);
  if (entries.length !== expectedCount) {
    throw new CheckpointFormatError(`expected ${expectedCount} entries in ${path}, found ${entries.length}`);
  }
  return entries;
}

/** Reads a checkpoint's entry lines; a missing file has none. */
export function readCheckpointLines(disk: Disk, path: string, version: number): string[] {
  const bytes = disk.readFile(path);
  return bytes === null ? [] : decodeCheckpoint(bytes, version, path);
}

/** Writes a checkpoint atomically and durably. */
export function writeCheckpointLines(
  disk: Disk,
  path: string,
  version: number,
  lines: readonly string[],
): void {
  disk.writeFileAtomic(path, encodeCheckpoint(version, lines));
}

/** One line of an offset checkpoint. */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** The version of Kafka's offset checkpoint files. */
export const OFFSET_CHECKPOINT_VERSION = 0;

/** Reads "topic partition offset" entries (a missing file has none). */
export function readOffsetCheckpoint(disk: Disk, path: string): TopicPartitionOffset[] {
  return readCheckpointLines(disk, path, OFFSET_CHECKPOINT_VERSION).map((line) => {
    const parts = line.split(/\s+/);
    if (parts.length !== 3) {
      throw new CheckpointFormatError(`malformed line in checkpoint file ${path}: ${line}`);
    }
    return {
      topic: parts[0]!,
      partition: parseInteger(parts[1]!, path),
      offset: parseInteger(parts[2]!, path),
    };
  });
}

/** Writes "topic partition offset" entries. */
export function writeOffsetCheckpoint(
  disk: Disk,
  path: string,
  entries: readonly TopicPartitionOffset[],
): void {
  const lines = entries.map((entry) => `${entry.topic} ${entry.partition} ${entry.offset}`);
  writeCheckpointLines(disk, path, OFFSET_CHECKPOINT_VERSION, lines);
}

/** The key the log directory uses for a partition in maps. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
