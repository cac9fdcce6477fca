/**
 * Decodes batches written by Kafka brokers and by real clients
 * (test/fixtures/record-batch-vectors, see its ORIGIN.txt).
 */
import assert from "node:assert/strict";
import { decodeMessageSet } from "./message_set.ts";
import { Compression, compressionOf, readBatchHeader } from "./record_batch.ts";
import {
  ControlRecordType,
  CorruptRecordError,
  decodeBatch,
  decodeBatches,
  type DecodedRecord,
  decodeRecordSet,
  readControlRecordType,
} from "./records.ts";

const folder = new URL("../../test/fixtures/record-batch-vectors/", import.meta.url);
const read = (name: string) => Deno.readFileSync(new URL(name, folder));
const text = (bytes: Uint8Array | null) => bytes === null ? null : new TextDecoder().decode(bytes);
const fromBase64 = (value: string | null) =>
  value === null ? null : Uint8Array.from(atob(value), (character) => character.charCodeAt(0));

interface ExpectedRecord {
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}
interface ExpectedFile {
  magic: number;
  timestamps: boolean;
  headers: boolean;
}
const expected = JSON.parse(new TextDecoder().decode(read("client_vectors_expected.json"))) as {
  records: ExpectedRecord[];
  files: Record<string, ExpectedFile>;
};

function assertMatchesExpected(records: DecodedRecord[], file: ExpectedFile): void {
  assert.equal(records.length, expected.records.length);
  records.forEach((record, index) => {
    const want = expected.records[index]!;
    assert.equal(record.offset, index);
    assert.equal(record.timestamp, file.timestamps ? want.timestamp : -1);
    assert.deepEqual(record.key, fromBase64(want.key));
    assert.deepEqual(record.value, fromBase64(want.value));
    const headers = file.headers ? want.headers : [];
    assert.deepEqual(
      record.headers,
      headers.map(([key, value]) => ({ key: fromBase64(key), value: fromBase64(value) })),
    );
  });
}

Deno.test("batches from kafka-python and librdkafka decode to the records they were given", async (t) => {
  for (const [name, file] of Object.entries(expected.files)) {
    await t.step(name, () => {
      const bytes = read(name);
      if (file.magic === 2) {
        const batches = decodeBatches(bytes);
        const codec = name.replace(/^.*_(\w+)\.bin$/, "$1");
        assert.ok(
          batches.some((batch) =>
            Compression[compressionOf(batch.header.attributes)].toLowerCase() === codec
          ),
        );
      } else {
        assert.equal(decodeMessageSet(bytes).length, expected.records.length);
      }
      assertMatchesExpected(decodeRecordSet(bytes), file);
    });
  }
});

Deno.test("v2 batches from a Kafka 0.11 broker decode with offsets, timestamps and a header", () => {
  const batches = decodeBatches(read("record_batch_data_v2.bin"));
  const records = batches.flatMap((batch) => batch.records);
  assert.deepEqual(records.map((record) => record.offset), [0, 1, 2, 3, 0]);
  assert.deepEqual(records.map((record) => text(record.value)), ["123", "", "", "123", "hdr"]);
  assert.equal(records[0]!.timestamp, 1503229838908);
  assert.equal(records[0]!.key, null);
  assert.deepEqual(records[4]!.headers.map((header) => text(header.key)), ["hkey"]);
  assert.deepEqual(records[4]!.headers.map((header) => text(header.value)), ["hval"]);
});

Deno.test("magic 0 and 1 message sets from Kafka 0.10/0.11 brokers decode", () => {
  const v0 = decodeMessageSet(read("record_batch_data_v0.bin"));
  assert.deepEqual(v0.map((message) => text(message.value)), ["123", "", "", "123"]);
  assert.ok(v0.every((message) => message.timestamp === -1 && message.magic === 0));
  const v1 = decodeMessageSet(read("record_batch_data_v1.bin"));
  assert.deepEqual(v1.map((message) => message.timestamp), [
    1503648000942,
    1503648001984,
    1503648002162,
    1503648004099,
  ]);
});

Deno.test("the hand-made control batch fails its CRC, and otherwise reads as an abort marker", () => {
  const bytes = read("control_batch_data_v2.bin");
  assert.throws(() => decodeBatch(bytes), CorruptRecordError);
  const batch = decodeBatch(bytes, 0, { verifyCrc: false });
  assert.ok((batch.header.attributes & 0x20) !== 0);
  assert.equal(readControlRecordType(batch.records[0]!.key), ControlRecordType.Abort);
  assert.equal(text(batch.records[0]!.value), "opaque-control-message");
});

Deno.test("a buffer ending in a partial batch yields the whole batches before it", () => {
  const bytes = read("record_batch_data_v2.bin");
  const withTail = new Uint8Array(bytes.length + 4);
  withTail.set(bytes);
  assert.equal(decodeBatches(withTail).length, decodeBatches(bytes).length);
  const cut = bytes.subarray(0, bytes.length - 1);
  assert.equal(decodeBatches(cut).length, decodeBatches(bytes).length - 1);
  assert.equal(readBatchHeader(bytes).magic, 2);
});
