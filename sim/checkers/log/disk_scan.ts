/**
 * Reads the record batches lying in a simulated disk's segment files, as
 * they are now (what a killed process leaves behind) or as they are durable
 * (what a power loss leaves behind at the least). Each file is read up to the
 * first batch that is incomplete or fails its CRC: what comes after it is
 * unsynced or torn, and recovery may rightly drop it.
 *
 * The checker reads the disk directly, not through the node, so that what it
 * requires to survive a crash does not depend on the code under test.
 */
import { decodeBatch } from "../../../src/protocol/mod.ts";
import { Directory, FileContent, type SimDisk } from "../../../src/io/sim/mod.ts";
import { recordIdOf } from "../../scenarios/node/records.ts";

/** A record found in a segment file. */
export interface ScannedRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The record's id, or null when it carries none. */
  id: string | null;
  /** The segment file it was read from. */
  path: string;
}

/** Which bytes to read: the page cache ("current") or what is on the platter ("durable"). */
export type DiskState = "current" | "durable";

/** The name of a segment's `.log` file: its base offset in 20 digits. */
export const SEGMENT_FILE = /^\d{20}\.log$/;

/** "topic-3" as topic and partition; null for folders that are not partitions. */
export function parsePartitionFolder(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf("-");
  if (dash <= 0) return null;
  const partition = Number(name.slice(dash + 1));
  if (!Number.isSafeInteger(partition) || partition < 0) return null;
  return { topic: name.slice(0, dash), partition };
}

function entriesOf(directory: Directory, state: DiskState): Map<string, Directory | FileContent> {
  return state === "durable" ? directory.durableEntries : directory.entries;
}

/** The records of the valid prefix of one segment file's bytes. */
export function scanSegment(bytes: Uint8Array, where: Omit<ScannedRecord, "offset" | "id">): ScannedRecord[] {
  const records: ScannedRecord[] = [];
  for (let position = 0; position < bytes.length;) {
    let batch;
    try {
      batch = decodeBatch(bytes, position);
    } catch {
      break;
    }
    for (const record of batch.records) {
      records.push({ ...where, offset: record.offset, id: recordIdOf(record) });
    }
    position += 12 + batch.header.batchLength;
  }
  return records;
}

/** Every record in the segment files of the partitions of `topics` under `logDirectory`. */
export function scanLogDirectory(
  disk: SimDisk,
  logDirectory: string,
  topics: ReadonlySet<string>,
  state: DiskState,
): ScannedRecord[] {
  const root = disk.lookup(logDirectory);
  if (!(root instanceof Directory)) return [];
  const records: ScannedRecord[] = [];
  for (
    const [folderName, folder] of [...entriesOf(root, state)].sort(([left], [right]) => left < right ? -1 : 1)
  ) {
    const partition = parsePartitionFolder(folderName);
    if (partition === null || !topics.has(partition.topic) || !(folder instanceof Directory)) continue;
    for (const [fileName, file] of entriesOf(folder, state)) {
      if (!SEGMENT_FILE.test(fileName) || !(file instanceof FileContent)) continue;
      const bytes = state === "durable" ? file.readDurable() : file.readAll();
      records.push(
        ...scanSegment(bytes, { ...partition, path: `${logDirectory}/${folderName}/${fileName}` }),
      );
    }
  }
  return records;
}
