/**
 * KRaft's control records: the key is a version (0) and a type, both
 * int16; the value is the record's message in Kafka's flexible (compact)
 * encoding, its first field being the message's own version.
 *
 * - LeaderChangeMessage (type 2), version 0: the leader, the voters and the
 *   voters that granted it its vote; opens every epoch.
 * - SnapshotHeaderRecord (3) and SnapshotFooterRecord (4), version 0: frame
 *   every snapshot file.
 * - KRaftVersionRecord (5), version 0: the finalized kraft.version.
 * - VotersRecord (6), version 0: the whole voter set (KIP-853), each voter
 *   with its directory id, endpoints and supported kraft.version range.
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
  struct,
  structs,
  uuidFromString,
  uuidToString,
  Writer,
  ZERO_UUID,
} from "../protocol/mod.ts";
import type { RaftRecord, VoterInfo } from "./types.ts";

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

const kraftVersionFields = [
  field("version", "int16", "0+"),
  field("kRaftVersion", "int16", "0+"),
] as const;

const votersFields = [
  field("version", "int16", "0+"),
  field(
    "voters",
    structs([
      field("voterId", "int32", "0+"),
      field("voterUuid", "uuid", "0+"),
      field(
        "endpoints",
        structs([
          field("name", "string", "0+"),
          field("host", "string", "0+"),
          field("port", "uint16", "0+"),
        ]),
        "0+",
      ),
      field(
        "kRaftVersionFeature",
        struct([field("minSupportedVersion", "int16", "0+"), field("maxSupportedVersion", "int16", "0+")]),
        "0+",
      ),
    ]),
    "0+",
  ),
] as const;

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

type KraftVersionRecord = Extract<RaftRecord, { type: "kraftVersion" }>;
type VotersRecord = Extract<RaftRecord, { type: "voters" }>;

export function encodeKraftVersion(record: KraftVersionRecord): Uint8Array {
  return encodeMessage(kraftVersionFields, { version: record.version, kRaftVersion: record.kraftVersion });
}

export function decodeKraftVersion(bytes: Uint8Array): KraftVersionRecord {
  const message = decodeMessage(kraftVersionFields, bytes);
  return { type: "kraftVersion", version: message.version, kraftVersion: message.kRaftVersion };
}

/** A directory id as the record holds it: the zero UUID stands for none. */
function directoryIdBytes(directoryId: string | null): Uint8Array {
  return directoryId === null ? ZERO_UUID : uuidFromString(directoryId) ?? ZERO_UUID;
}

function directoryIdText(bytes: Uint8Array): string | null {
  return bytes.every((byte) => byte === 0) ? null : uuidToString(bytes);
}

export function encodeVoters(record: VotersRecord): Uint8Array {
  return encodeMessage(votersFields, {
    version: record.version,
    voters: record.voters.map((voter) => ({
      voterId: voter.voterId,
      voterUuid: directoryIdBytes(voter.directoryId),
      endpoints: voter.endpoints.map((endpoint) => ({ ...endpoint })),
      kRaftVersionFeature: {
        minSupportedVersion: voter.kraftVersionMin,
        maxSupportedVersion: voter.kraftVersionMax,
      },
    })),
  });
}

export function decodeVoters(bytes: Uint8Array): VotersRecord {
  const message = decodeMessage(votersFields, bytes);
  const voters: VoterInfo[] = message.voters.map((voter) => ({
    voterId: voter.voterId,
    directoryId: directoryIdText(voter.voterUuid),
    endpoints: voter.endpoints.map((endpoint) => ({
      name: endpoint.name,
      host: endpoint.host,
      port: endpoint.port,
    })),
    kraftVersionMin: voter.kRaftVersionFeature.minSupportedVersion,
    kraftVersionMax: voter.kRaftVersionFeature.maxSupportedVersion,
  }));
  return { type: "voters", version: message.version, voters };
}

export { ControlRecordType };
