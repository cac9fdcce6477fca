/**
 * `__consumer_offsets` records: Kafka 2.7.1's records from the fixture log
 * directory decode, and encoding them again gives Kafka's bytes exactly (so
 * Kafka can read what Dafka writes); every value version decodes.
 */
import assert from "node:assert/strict";
import { decodeBatches, Writer } from "../protocol/mod.ts";
import {
  decodeOffsetsTopicRecord,
  encodeOffsetsTopicRecord,
  type GroupMetadataValue,
  type OffsetsTopicRecord,
} from "./offsets_topic_records.ts";

const FIXTURE = new URL("../../test/fixtures/kafka-2.7.1-logdir/kafka-logs", import.meta.url).pathname;

function fixtureRecords(): { key: Uint8Array; value: Uint8Array | null }[] {
  const records = [];
  for (const partition of Deno.readDirSync(FIXTURE)) {
    if (!partition.name.startsWith("__consumer_offsets-")) continue;
    for (const file of Deno.readDirSync(`${FIXTURE}/${partition.name}`)) {
      if (!file.name.endsWith(".log")) continue;
      const bytes = Deno.readFileSync(`${FIXTURE}/${partition.name}/${file.name}`);
      for (const batch of decodeBatches(bytes)) {
        for (const record of batch.records) {
          records.push({ key: record.key!.slice(), value: record.value?.slice() ?? null });
        }
      }
    }
  }
  return records;
}

Deno.test("Kafka 2.7.1's group and offset records decode and re-encode to the same bytes", () => {
  const records = fixtureRecords();
  assert.equal(records.length, 16);
  const kinds = new Map<string, number>();
  for (const stored of records) {
    const decoded = decodeOffsetsTopicRecord(stored.key, stored.value);
    kinds.set(decoded.kind, (kinds.get(decoded.kind) ?? 0) + 1);
    const encoded = encodeOffsetsTopicRecord(decoded);
    assert.deepEqual(encoded.key, stored.key);
    assert.deepEqual(encoded.value, stored.value);
  }
  assert.deepEqual(Object.fromEntries(kinds), { "group-metadata": 14, "offset-commit": 2 });
});

Deno.test("a stored member keeps every field, and the leader and protocol", () => {
  const withMembers = fixtureRecords()
    .map((stored) => decodeOffsetsTopicRecord(stored.key, stored.value))
    .find((record) => record.kind === "group-metadata" && (record.value?.members.length ?? 0) > 0);
  assert.ok(withMembers?.kind === "group-metadata");
  const value = withMembers.value!;
  assert.equal(value.protocolType, "consumer");
  assert.equal(value.protocol, "range");
  assert.equal(value.leader, value.members[0]!.memberId);
  assert.equal(value.members[0]!.clientHost, "/127.0.0.1");
  assert.equal(value.members[0]!.sessionTimeout, 10000);
  assert.equal(value.members[0]!.rebalanceTimeout, 300000);
});

function valueBytes(version: number, write: (writer: Writer) => void): Uint8Array {
  const writer = new Writer(64);
  writer.int16(version);
  write(writer);
  return writer.finish();
}

Deno.test("every OffsetCommitValue version decodes (v1's expire timestamp, v3's leader epoch, v4 flexible)", () => {
  const key =
    encodeOffsetsTopicRecord({ kind: "offset-commit", groupId: "g", topic: "t", partition: 3, value: null })
      .key;
  const v0 = valueBytes(0, (writer) => writer.int64(5).nullableString("m").int64(100));
  const v1 = valueBytes(1, (writer) => writer.int64(5).nullableString("m").int64(100).int64(200));
  const v3 = valueBytes(3, (writer) => writer.int64(5).int32(7).nullableString("m").int64(100));
  const v4 = valueBytes(
    4,
    (writer) => writer.int64(5).int32(7).compactNullableString("m").int64(100).uvarint(0),
  );
  const decode = (bytes: Uint8Array) => {
    const record = decodeOffsetsTopicRecord(key, bytes);
    assert.ok(record.kind === "offset-commit");
    return record.value;
  };
  assert.deepEqual(decode(v0), {
    offset: 5,
    leaderEpoch: -1,
    metadata: "m",
    commitTimestamp: 100,
    expireTimestamp: -1,
  });
  assert.deepEqual(decode(v1), {
    offset: 5,
    leaderEpoch: -1,
    metadata: "m",
    commitTimestamp: 100,
    expireTimestamp: 200,
  });
  assert.deepEqual(decode(v3), {
    offset: 5,
    leaderEpoch: 7,
    metadata: "m",
    commitTimestamp: 100,
    expireTimestamp: -1,
  });
  assert.deepEqual(decode(v4), decode(v3));
  assert.throws(
    () => decodeOffsetsTopicRecord(key, valueBytes(5, () => {})),
    /unknown OffsetCommitValue version 5/,
  );
});

Deno.test("Dafka writes OffsetCommitValue v3, or v1 when the commit has its own expiry, and GroupMetadataValue v3", () => {
  const offset = (expireTimestamp: number): OffsetsTopicRecord => ({
    kind: "offset-commit",
    groupId: "g",
    topic: "t",
    partition: 0,
    value: { offset: 1, leaderEpoch: 2, metadata: "", commitTimestamp: 3, expireTimestamp },
  });
  const version = (bytes: Uint8Array | null) => new DataView(bytes!.buffer, bytes!.byteOffset).getInt16(0);
  assert.equal(version(encodeOffsetsTopicRecord(offset(-1)).key), 1);
  assert.equal(version(encodeOffsetsTopicRecord(offset(-1)).value), 3);
  assert.equal(version(encodeOffsetsTopicRecord(offset(99)).value), 1);
  const group: GroupMetadataValue = {
    protocolType: "consumer",
    generation: 4,
    protocol: "range",
    leader: "m1",
    currentStateTimestamp: 1234,
    members: [{
      memberId: "m1",
      groupInstanceId: "static-1",
      clientId: "c",
      clientHost: "/10.0.0.1",
      rebalanceTimeout: 300000,
      sessionTimeout: 45000,
      subscription: new Uint8Array([0, 1]),
      assignment: new Uint8Array([2]),
    }],
  };
  const encoded = encodeOffsetsTopicRecord({ kind: "group-metadata", groupId: "g", value: group });
  assert.equal(version(encoded.key), 2);
  assert.equal(version(encoded.value), 3);
  const decoded = decodeOffsetsTopicRecord(encoded.key, encoded.value);
  assert.deepEqual(decoded, { kind: "group-metadata", groupId: "g", value: group });
});

Deno.test("records of KIP-848 groups (key version 3 and later) pass through untouched", () => {
  const key = valueBytes(3, (writer) => writer.nullableString("g"));
  const value = new Uint8Array([0, 0, 9]);
  assert.deepEqual(decodeOffsetsTopicRecord(key, value), { kind: "other", keyVersion: 3, key, value });
  assert.throws(() => decodeOffsetsTopicRecord(null, value), /without a key/);
});
