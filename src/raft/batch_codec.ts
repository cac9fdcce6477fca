/**
 * Raft batches in Kafka's record batch format (magic 2, uncompressed when
 * written), as the metadata log holds them on disk and Fetch carries them.
 * The batch's partitionLeaderEpoch is the Raft epoch; control batches hold
 * KRaft's control records; data records have no key.
 */
import {
  buildBatch,
  CorruptRecordError,
  decodeBatches,
  type DecodedRecord,
  isControl,
  readControlRecordType,
  type RecordInput,
} from "../protocol/mod.ts";
import {
  controlRecordKey,
  ControlRecordType,
  decodeKraftVersion,
  decodeLeaderChange,
  decodeVoters,
  encodeKraftVersion,
  encodeLeaderChange,
  encodeVoters,
} from "./control_records.ts";
import type { RaftBatch, RaftRecord } from "./types.ts";

function recordInput(record: RaftRecord, timestamp: number): RecordInput {
  switch (record.type) {
    case "data":
      return { timestamp, key: null, value: record.value };
    case "leaderChange":
      return {
        timestamp,
        key: controlRecordKey(ControlRecordType.LeaderChange),
        value: encodeLeaderChange(record),
      };
    case "kraftVersion":
      return {
        timestamp,
        key: controlRecordKey(ControlRecordType.KraftVersion),
        value: encodeKraftVersion(record),
      };
    case "voters":
      return { timestamp, key: controlRecordKey(ControlRecordType.KraftVoters), value: encodeVoters(record) };
    case "control":
      return { timestamp, key: controlRecordKey(record.controlType), value: record.value };
  }
}

/**
 * Encoded batches by batch object. Batches never change once made, and one
 * batch is written to the log, sent and re-sent many times: it is encoded once.
 */
const encodedBatches = new WeakMap<RaftBatch, Uint8Array>();

/** One batch's bytes (do not change them: they are shared). */
export function encodeRaftBatch(batch: RaftBatch): Uint8Array {
  let bytes = encodedBatches.get(batch);
  if (bytes === undefined) {
    bytes = buildRaftBatch(batch);
    encodedBatches.set(batch, bytes);
  }
  return bytes;
}

function buildRaftBatch(batch: RaftBatch): Uint8Array {
  return buildBatch({
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.epoch,
    isControl: batch.control,
    records: batch.records.map((record) => recordInput(record, batch.appendTimeMs)),
  });
}

/** Several batches, one after the other. */
export function encodeRaftBatches(batches: readonly RaftBatch[]): Uint8Array {
  const encoded = batches.map(encodeRaftBatch);
  const bytes = new Uint8Array(encoded.reduce((total, part) => total + part.length, 0));
  let position = 0;
  for (const part of encoded) {
    bytes.set(part, position);
    position += part.length;
  }
  return bytes;
}

function controlRecord(record: DecodedRecord): RaftRecord {
  const type = readControlRecordType(record.key);
  if (type === ControlRecordType.LeaderChange && record.value !== null) {
    return decodeLeaderChange(record.value);
  }
  if (type === ControlRecordType.KraftVersion && record.value !== null) {
    return decodeKraftVersion(record.value);
  }
  if (type === ControlRecordType.KraftVoters && record.value !== null) return decodeVoters(record.value);
  return { type: "control", controlType: type, value: record.value === null ? null : record.value.slice() };
}

/**
 * The batches in `bytes` (whole batches only; CRCs checked). Throws
 * CorruptRecordError (or RangeError for a malformed control record) on bad
 * bytes. Empty batches (left by compaction) are skipped.
 */
export function decodeRaftBatches(bytes: Uint8Array): RaftBatch[] {
  const batches: RaftBatch[] = [];
  for (const decoded of decodeBatches(bytes)) {
    if (decoded.records.length === 0) continue;
    const control = isControl(decoded.header.attributes);
    const base = decoded.header.baseOffset;
    if (decoded.records.some((record, index) => record.offset !== base + index)) {
      throw new CorruptRecordError(`batch at ${base} has gaps in its offsets`);
    }
    batches.push({
      baseOffset: decoded.header.baseOffset,
      epoch: decoded.header.partitionLeaderEpoch,
      appendTimeMs: decoded.header.baseTimestamp,
      control,
      records: decoded.records.map((record) =>
        control ? controlRecord(record) : { type: "data", value: (record.value ?? new Uint8Array(0)).slice() }
      ),
    });
  }
  return batches;
}
