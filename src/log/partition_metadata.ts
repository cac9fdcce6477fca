/**
 * `partition.metadata` (Kafka's PartitionMetadataFile, KIP-516): the topic
 * id of the partition, so a log left by a deleted topic is never mistaken
 * for a new topic of the same name. The text is
 * "version: 0\ntopic_id: <base64url uuid>" with no final newline.
 */
import type { Disk } from "../io/mod.ts";
import { uuidFromString, uuidToString, ZERO_UUID } from "../protocol/mod.ts";
import { CheckpointFormatError } from "./checkpoint_file.ts";
import { joinPath } from "./file_names.ts";

export const PARTITION_METADATA_FILE = "partition.metadata";
const CURRENT_VERSION = 0;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The file's text for `topicId`. */
export function encodePartitionMetadata(topicId: Uint8Array): Uint8Array {
  return textEncoder.encode(`version: ${CURRENT_VERSION}\ntopic_id: ${uuidToString(topicId)}`);
}

/** Parses the file; throws CheckpointFormatError when it is malformed. */
export function decodePartitionMetadata(
  bytes: Uint8Array,
  path: string,
): { version: number; topicId: Uint8Array } {
  const lines = textDecoder.decode(bytes).split(/\r?\n/);
  const version = /^version:\s+([0-9]+)$/.exec(lines[0] ?? "");
  if (version === null) throw new CheckpointFormatError(`malformed line in ${path}: ${lines[0]}`);
  const topicIdLine = /^topic_id:\s+(\S+)$/.exec(lines[1] ?? "");
  const topicId = topicIdLine === null ? null : uuidFromString(topicIdLine[1]!);
  if (topicId === null) throw new CheckpointFormatError(`malformed line in ${path}: ${lines[1]}`);
  if (topicId.every((byte, index) => byte === ZERO_UUID[index])) {
    throw new CheckpointFormatError(`invalid topic id in ${path}`);
  }
  return { version: Number(version[1]), topicId };
}

/** The topic id stored in a partition folder, or null when there is no file. */
export function readPartitionMetadata(disk: Disk, directory: string): Uint8Array | null {
  const path = joinPath(directory, PARTITION_METADATA_FILE);
  const bytes = disk.readFile(path);
  return bytes === null ? null : decodePartitionMetadata(bytes, path).topicId;
}

/** Writes the topic id durably (temporary file, rename, sync). */
export function writePartitionMetadata(disk: Disk, directory: string, topicId: Uint8Array): void {
  disk.writeFileAtomic(joinPath(directory, PARTITION_METADATA_FILE), encodePartitionMetadata(topicId));
}
