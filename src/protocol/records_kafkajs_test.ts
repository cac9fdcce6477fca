/**
 * Record sets inside kafkajs's protocol fixtures (test/fixtures/kafkajs-protocol-bytes, see its
 * ORIGIN.txt): fetch responses captured from Kafka brokers (gzip, snappy, mixed magic, partial
 * messages), produce requests written by kafkajs, and its record batch and message set fixtures.
 */
import assert from "node:assert/strict";
import { decodeFields } from "./codec.ts";
import { decodeMessageSet } from "./message_set.ts";
import { fetchApi, produce } from "./messages/mod.ts";
import { Compression, sealBatch } from "./record_batch.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";
import { CorruptRecordError, decodeBatch, decodeRecords, decodeRecordSet, TimestampType } from "./records.ts";

const root = new URL("../../test/fixtures/kafkajs-protocol-bytes/src/protocol/", import.meta.url);
const load = (path: string) =>
  new Uint8Array((JSON.parse(Deno.readTextFileSync(new URL(path, root))) as { data: number[] }).data);
const text = (bytes: Uint8Array | null) => bytes === null ? null : new TextDecoder().decode(bytes);

function fetchRecordSets(name: string): Uint8Array[] {
  const version = Number(name.match(/^v(\d+)_/)![1]);
  const body = decodeFields(
    new Reader(load(`requests/fetch/fixtures/${name}`)),
    fetchApi.response,
    version,
    false,
  );
  return body.responses.flatMap((topic) =>
    topic.partitions.map((partition) => partition.records as Uint8Array | null ?? new Uint8Array(0))
  );
}

/** Record count and first key of each fetch response fixture, as decoded by kafkajs's own tests. */
const fetchExpectations: [string, number, string | null][] = [
  ["v0_response.json", 1, "key-0"],
  ["v0_response_gzip.json", 3, "key-0"],
  ["v1_response_gzip.json", 3, "key-0"],
  ["v2_response_gzip.json", 3, "key-0"],
  ["v3_response_gzip.json", 3, "key-0"],
  ["v4_response.json", 3, "key-0"],
  ["v4_response_gzip.json", 6, "key-0"],
  ["v4_response_snappy.json", 1, "key-149"],
  ["v4_response_mixed_formats.json", 2425, "key-915"],
  ["v4_response_010_format.json", 1, null],
  ["v2_response_partial_messages_many_partitions.json", 0, null],
  ["v7_response.json", 3, "key-0"],
  ["v11_response.json", 3, "key-0"],
];

Deno.test("record sets in fetch responses from Kafka brokers decode", async (t) => {
  for (const [name, count, firstKey] of fetchExpectations) {
    await t.step(name, () => {
      const records = fetchRecordSets(name).flatMap((bytes) => decodeRecordSet(bytes));
      assert.equal(records.length, count);
      if (firstKey !== null) assert.equal(text(records[0]!.key), firstKey);
    });
  }
});

Deno.test("record sets in kafkajs produce requests decode (gzip included)", async (t) => {
  for (
    const name of [
      "v2_request_gzip_linux.json",
      "v2_request_gzip_darwin.json",
      "v3_request.json",
      "v7_request.json",
    ]
  ) {
    await t.step(name, () => {
      const version = Number(name.match(/^v(\d+)_/)![1]);
      const body = decodeFields(
        new Reader(load(`requests/produce/fixtures/${name}`)),
        produce.request,
        version,
        false,
      );
      for (const topic of body.topicData) {
        for (const partition of topic.partitionData) {
          const records = decodeRecordSet(partition.records as Uint8Array);
          assert.ok(records.length > 0);
          assert.ok(records.every((record) => text(record.value)!.includes("value-")));
        }
      }
    });
  }
});

Deno.test("kafkajs's gzip record batch decodes with LogAppendTime semantics", () => {
  const { header, records } = decodeBatch(load("recordBatch/fixtures/v0_recordbatch.json"));
  assert.equal(header.attributes, Compression.Gzip | 0x08);
  assert.equal(records.length, 1);
  assert.equal(text(records[0]!.key), "key-0");
  assert.equal(records[0]!.timestamp, header.maxTimestamp);
  assert.equal(TimestampType.LogAppendTime, 1);
});

Deno.test("kafkajs's zstd batch, which lost its codec bits, is rejected; with them restored it decodes", () => {
  const bytes = load("recordBatch/fixtures/v0_recordbatch_zstd.json");
  assert.throws(() => decodeBatch(bytes), CorruptRecordError);
  new DataView(bytes.buffer).setInt16(21, Compression.Zstd);
  sealBatch(bytes, 0);
  const { records } = decodeBatch(bytes);
  assert.equal(text(records[0]!.key), "lorem");
  assert.match(text(records[0]!.value)!, /^Lorem ipsum dolor sit amet/);
});

Deno.test("kafkajs's single record body decodes inside a batch", () => {
  const body = load("recordBatch/fixtures/v0_record.json");
  const record = new Writer().varint(body.length).raw(body).finish();
  const batch = new Uint8Array(61 + record.length);
  batch.set(record, 61);
  const view = new DataView(batch.buffer);
  view.setInt32(8, batch.length - 12);
  view.setInt8(16, 2);
  view.setInt32(57, 1);
  const header = { ...decodeBatch(batch, 0, { verifyCrc: false }).header };
  const [decoded] = decodeRecords(batch, header);
  assert.equal(text(decoded!.key), "key-0");
  assert.equal(text(decoded!.value), "some-value-0");
  // kafkajs encodes a header with an array value as one header per element, under the same key.
  assert.deepEqual(decoded!.headers.map((entry) => text(entry.key)), [
    "header-key-0",
    "header-key-1",
    "header-key-1",
  ]);
});

Deno.test("kafkajs's magic 0 message sets decode, gzip included", () => {
  for (const name of ["messages_v0_GZIP.json", "messages_v0_uncompressed.json.json"]) {
    // Each fixture starts with the message set's int32 size.
    const messages = decodeMessageSet(load(`messageSet/fixtures/${name}`).subarray(4));
    assert.deepEqual(messages.map((message) => text(message.value)), [
      "some-value-0",
      "some-value-1",
      "some-value-2",
    ]);
  }
});
