/**
 * KRaft snapshot files in the metadata log's folder:
 * `<end offset, 20 digits>-<epoch, 10 digits>.checkpoint`, record batches
 * framed by a control batch holding a SnapshotHeaderRecord first and one
 * holding a SnapshotFooterRecord last (RecordsSnapshotWriter). Batches are
 * numbered from offset 0 and carry the snapshot's epoch.
 *
 * Kafka writes a snapshot to `<name>.checkpoint.part` and renames it when
 * done; Dafka uses the Disk's atomic write (temporary file, rename, sync)
 * to the same effect: a crash never leaves half a checkpoint under the
 * final name.
 */
import type { Disk } from "../io/mod.ts";
import { ControlRecordType, scanBatches } from "../protocol/mod.ts";
import { decodeRaftBatches, encodeRaftBatches } from "./batch_codec.ts";
import {
  decodeSnapshotFooter,
  decodeSnapshotHeader,
  encodeSnapshotFooter,
  encodeSnapshotHeader,
} from "./control_records.ts";
import type { Snapshot } from "./raft_log.ts";
import type { RaftBatch, SnapshotId, VoterInfo } from "./types.ts";

const SNAPSHOT_NAME = /^(\d{20})-(\d{10})\.checkpoint$/;

/** Thrown for snapshot bytes that are not a well-framed KRaft snapshot. */
export class SnapshotFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotFormatError";
  }
}

/** The file name of a snapshot. */
export function snapshotFileName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, "0")}-${String(id.epoch).padStart(10, "0")}.checkpoint`;
}

/** The snapshot id a file name stands for, or null for other files. */
export function parseSnapshotFileName(name: string): SnapshotId | null {
  const match = SNAPSHOT_NAME.exec(name);
  if (match === null) return null;
  return { endOffset: Number(match[1]), epoch: Number(match[2]) };
}

/**
 * The bytes of a snapshot holding `values`: one data batch per inner array,
 * between the header (stamped with the last contained record's append time)
 * and the footer.
 */
export function buildSnapshotBytes(options: {
  snapshotId: SnapshotId;
  lastContainedLogTimestampMs: number;
  values: readonly (readonly Uint8Array[])[];
  /**
   * The kraft.version and voter set in force at the snapshot's end, written
   * as control records after the header as Kafka does (kraft.version 1 only).
   */
  quorumConfig?: { kraftVersion: number | null; voters: VoterInfo[] | null } | null;
}): Uint8Array {
  const epoch = options.snapshotId.epoch;
  const timeMs = options.lastContainedLogTimestampMs;
  const batches: RaftBatch[] = [];
  let offset = 0;
  const add = (control: boolean, records: RaftBatch["records"]) => {
    batches.push({ baseOffset: offset, epoch, appendTimeMs: timeMs, control, records });
    offset += records.length;
  };
  add(true, [{
    type: "control",
    controlType: ControlRecordType.SnapshotHeader,
    value: encodeSnapshotHeader(timeMs),
  }]);
  const quorum = options.quorumConfig;
  if (quorum?.voters) {
    add(true, [
      { type: "kraftVersion", version: 0, kraftVersion: quorum.kraftVersion ?? 1 },
      { type: "voters", version: 0, voters: quorum.voters },
    ]);
  }
  for (const values of options.values) {
    if (values.length > 0) add(false, values.map((value) => ({ type: "data", value })));
  }
  add(true, [{
    type: "control",
    controlType: ControlRecordType.SnapshotFooter,
    value: encodeSnapshotFooter(),
  }]);
  return encodeRaftBatches(batches);
}

/**
 * The data records of a snapshot, one array per batch; throws
 * SnapshotFormatError unless the bytes are whole batches with valid CRCs,
 * opened by a header and closed by a footer.
 */
export function readSnapshotValues(bytes: Uint8Array): Uint8Array[][] {
  let batches: RaftBatch[];
  try {
    batches = decodeRaftBatches(bytes);
  } catch (error) {
    throw new SnapshotFormatError(`snapshot batches: ${(error as Error).message}`);
  }
  if (scanBatches(bytes).end !== bytes.length) {
    throw new SnapshotFormatError("bytes after the last whole batch");
  }
  const first = batches[0]?.records[0];
  const last = batches.at(-1)?.records.at(-1);
  if (
    first?.type !== "control" || first.controlType !== ControlRecordType.SnapshotHeader ||
    first.value === null
  ) {
    throw new SnapshotFormatError("the snapshot does not start with a SnapshotHeader");
  }
  if (
    last?.type !== "control" || last.controlType !== ControlRecordType.SnapshotFooter || last.value === null
  ) {
    throw new SnapshotFormatError("the snapshot does not end with a SnapshotFooter");
  }
  try {
    decodeSnapshotHeader(first.value);
    decodeSnapshotFooter(last.value);
  } catch (error) {
    throw new SnapshotFormatError(`snapshot frame: ${(error as Error).message}`);
  }
  return batches
    .filter((batch) => !batch.control)
    .map((batch) => batch.records.flatMap((record) => record.type === "data" ? [record.value] : []));
}

/** Whether `bytes` are a well-framed snapshot (for RaftNodeOptions.validateSnapshot). */
export function isValidSnapshot(bytes: Uint8Array): boolean {
  try {
    readSnapshotValues(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Writes a snapshot into `directory` durably. */
export function writeSnapshot(disk: Disk, directory: string, snapshot: Snapshot): void {
  disk.mkdirs(directory);
  disk.writeFileAtomic(`${directory}/${snapshotFileName(snapshot.id)}`, snapshot.bytes);
}

/** The snapshot ids in `directory`, oldest first. */
export function listSnapshots(disk: Disk, directory: string): SnapshotId[] {
  if (!disk.exists(directory)) return [];
  return disk.list(directory)
    .map(parseSnapshotFileName)
    .filter((id): id is SnapshotId => id !== null)
    .sort((left, right) => left.endOffset - right.endOffset || left.epoch - right.epoch);
}

/** The newest well-framed snapshot in `directory`, or null; malformed files are passed over. */
export function readLatestSnapshot(disk: Disk, directory: string): Snapshot | null {
  for (const id of listSnapshots(disk, directory).reverse()) {
    const bytes = disk.readFile(`${directory}/${snapshotFileName(id)}`);
    if (bytes !== null && isValidSnapshot(bytes)) return { id, bytes };
  }
  return null;
}

/** Deletes the snapshots older than `id` (a newer one makes them useless). */
export function deleteSnapshotsBefore(disk: Disk, directory: string, id: SnapshotId): void {
  for (const older of listSnapshots(disk, directory)) {
    if (older.endOffset < id.endOffset) disk.remove(`${directory}/${snapshotFileName(older)}`);
  }
}
