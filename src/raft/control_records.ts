/**
 * KRaft's control records: the key is a version (0) and a type, both
 * int16; the value is the record's message in Kafka's flexible (compact)
 * encoding, its first field being the message's own version.
 *
 * - LeaderChangeMessage (type 2), version 0: the leader, the voters and the
 *   voters that granted it its vote; opens every epoch.
 * - SnapshotHeaderRecord (3) and SnapshotFooterRecord (4), version 0: frame
 *   every snapshot file.
 */
import {
  ControlRecordType,
  decodeFields,
  encodeFields,
  type Field,
  field,
  type MessageInputOf,
  type MessageOf,
  Reader,
  structs,
  Writer,
} from "../protocol/mod.ts";
import type { RaftRecord } from "./types.ts";

const voterFields = [field("voterId", "int32", "0+")] as const;

const leaderChangeFields = [
  field("version", "int16", "0+"),
  field("leaderId", "int32", "0+"),
  field("voters", structs(voterFields), "0+"),
  field("grantingVoters", structs(voterFields), "0+"),
] as const;

const snapshotHeaderFields = [
  field("version", "int16", "0+"),
  field("lastContainedLogTimestamp", "int64", "0+"),
] as const;

const snapshotFooterFields = [field("version", "int16", "0+")] as const;

/** The key of a control record of `type`. */
export function controlRecordKey(type: ControlRecordType): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setInt16(2, type);
  return key;
}

function encodeMessage<const Fields extends readonly Field[]>(
  fields: Fields,
  value: MessageInputOf<Fields>,
): Uint8Array {
  const writer = new Writer(64);
  encodeFields(writer, fields, 0, true, value);
  return writer.finish();
}

function decodeMessage<const Fields extends readonly Field[]>(
  fields: Fields,
  bytes: Uint8Array,
): MessageOf<Fields> {
  const reader = new Reader(bytes);
  const message = decodeFields(reader, fields, 0, true);
  if (reader.remaining !== 0) throw new RangeError(`${reader.remaining} bytes after a control record`);
  return message;
}

type LeaderChange = Extract<RaftRecord, { type: "leaderChange" }>;

export function encodeLeaderChange(record: LeaderChange): Uint8Array {
  return encodeMessage(leaderChangeFields, {
    version: record.version,
    leaderId: record.leaderId,
    voters: record.voters,
    grantingVoters: record.grantingVoters,
  });
}

export function decodeLeaderChange(bytes: Uint8Array): LeaderChange {
  const message = decodeMessage(leaderChangeFields, bytes);
  const voters = (list: { voterId: number }[]) => list.map((voter) => ({ voterId: voter.voterId }));
  return {
    type: "leaderChange",
    version: message.version,
    leaderId: message.leaderId,
    voters: voters(message.voters),
    grantingVoters: voters(message.grantingVoters),
  };
}

export function encodeSnapshotHeader(lastContainedLogTimestampMs: number): Uint8Array {
  return encodeMessage(snapshotHeaderFields, {
    version: 0,
    lastContainedLogTimestamp: lastContainedLogTimestampMs,
  });
}

export function decodeSnapshotHeader(
  bytes: Uint8Array,
): { version: number; lastContainedLogTimestamp: number } {
  const message = decodeMessage(snapshotHeaderFields, bytes);
  return { version: message.version, lastContainedLogTimestamp: message.lastContainedLogTimestamp };
}

export function encodeSnapshotFooter(): Uint8Array {
  return encodeMessage(snapshotFooterFields, { version: 0 });
}

export function decodeSnapshotFooter(bytes: Uint8Array): { version: number } {
  return { version: decodeMessage(snapshotFooterFields, bytes).version };
}

export { ControlRecordType };
