/**
 * Control records, the records of a control batch (attributes bit 5). Their
 * key is version int16 (0) and type int16; an end-transaction marker's value
 * is version int16 and coordinatorEpoch int32.
 */
import { CorruptRecordError } from "./records_error.ts";

/** Types of control records (the key's second int16). */
export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  /** KRaft's own control records. */
  LeaderChange = 2,
  SnapshotHeader = 3,
  SnapshotFooter = 4,
  KraftVersion = 5,
  KraftVoters = 6,
}

/** The type in a control record's key; throws CorruptRecordError if the key is too short. */
export function readControlRecordType(key: Uint8Array | null): number {
  if (key === null || key.length < 4) throw new CorruptRecordError("control record key shorter than 4 bytes");
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getInt16(2);
}
