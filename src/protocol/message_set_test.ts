import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32 } from "./crc32.ts";
import { KafkaError } from "./errors.ts";
import {
  convertBatchesToMessageSet,
  convertMessageSetToBatch,
  decodeMessageSet,
  encodeMessageSet,
  type LegacyMessageInput,
} from "./message_set.ts";
import { compress } from "./compression/mod.ts";
import { Compression, compressionOf } from "./record_batch.ts";
import {
  buildBatch,
  CorruptRecordError,
  decodeBatch,
  decodeRecordSet,
  TimestampType,
  UnsupportedCompressionError,
} from "./records.ts";

const folder = new URL("../../test/fixtures/record-batch-vectors/", import.meta.url);
const read = (name: string) => Deno.readFileSync(new URL(name, folder));
const encoder = new TextEncoder();
const legacyCodecs = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4];

const nullableBytes = fc.option(fc.uint8Array({ maxLength: 48 }), { nil: null, freq: 4 });
const legacyMessages = fc.array(
  fc.record({ timestamp: fc.integer({ min: 0, max: 2 ** 45 }), key: nullableBytes, value: nullableBytes }),
  { minLength: 1, maxLength: 15 },
).map((messages) =>
  messages.map((message, index): LegacyMessageInput => ({
    offset: 500 + index * 2,
    timestamp: message.timestamp,
    key: message.key,
    value: message.value,
  }))
);

Deno.test("encodeMessageSet then decodeMessageSet returns the messages, for each magic and codec", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<0 | 1>(0, 1),
      fc.constantFrom(...legacyCodecs),
      legacyMessages,
      (magic, codec, messages) => {
        const bytes = encodeMessageSet(messages, {
          magic,
          compression: codec,
          timestampType: TimestampType.CreateTime,
        });
        const decoded = decodeMessageSet(bytes);
        assert.deepEqual(
          decoded.map((message) => ({ ...message })),
          messages.map((message) => ({
            offset: message.offset,
            timestamp: magic === 0 ? -1 : message.timestamp,
            timestampType: TimestampType.CreateTime,
            magic,
            compression: codec,
            key: message.key,
            value: message.value,
          })),
        );
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("a magic 1 wrapper holds relative inner offsets and the last absolute offset", () => {
  const messages = [10, 12, 15].map((offset) => ({
    offset,
    timestamp: offset,
    key: null,
    value: encoder.encode("x"),
  }));
  const bytes = encodeMessageSet(messages, { magic: 1, compression: Compression.Gzip, timestampType: 0 });
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(Number(view.getBigInt64(0)), 15);
  assert.equal(bytes[16], 1);
  assert.deepEqual(decodeMessageSet(bytes).map((message) => message.offset), [10, 12, 15]);
});

Deno.test("a LogAppendTime wrapper gives its timestamp to every inner message", () => {
  const messages = [1, 2].map((offset) => ({ offset, timestamp: 100 + offset, key: null, value: null }));
  const bytes = encodeMessageSet(messages, {
    magic: 1,
    compression: Compression.Snappy,
    timestampType: TimestampType.LogAppendTime,
  });
  const decoded = decodeMessageSet(bytes);
  assert.deepEqual(decoded.map((message) => message.timestamp), [102, 102]);
  assert.ok(decoded.every((message) => message.timestampType === TimestampType.LogAppendTime));
});

Deno.test("message sets from clients convert up into one v2 batch of the same codec", async (t) => {
  for (const magic of [0, 1]) {
    for (const codec of ["none", "gzip", "snappy", "lz4"]) {
      await t.step(`magic ${magic} ${codec}`, () => {
        const source = read(`kafka_python_v${magic}_${codec}.bin`);
        const batch = convertMessageSetToBatch(source);
        const { header, records } = decodeBatch(batch);
        assert.equal(Compression[compressionOf(header.attributes)].toLowerCase(), codec);
        assert.deepEqual(records.map((record) => record.offset), [0, 1, 2, 3, 4, 5, 6]);
        const original = decodeMessageSet(source);
        assert.deepEqual(records.map((record) => record.value), original.map((message) => message.value));
        assert.deepEqual(records.map((record) => record.key), original.map((message) => message.key));
        assert.deepEqual(
          records.map((record) => record.timestamp),
          original.map((message) => message.timestamp),
        );
      });
    }
  }
});

Deno.test("message sets from a Kafka 0.10 broker convert up keeping their offsets when asked", () => {
  const batch = convertMessageSetToBatch(read("record_batch_data_v1.bin"), { keepOffsets: true });
  const { header, records } = decodeBatch(batch);
  assert.equal(header.recordCount, 4);
  assert.deepEqual(records.map((record) => record.timestamp), [
    1503648000942,
    1503648001984,
    1503648002162,
    1503648004099,
  ]);
});

Deno.test("v2 batches convert down to magic 0 and 1 and read back the same records", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<0 | 1>(0, 1),
      fc.constantFrom(...legacyCodecs),
      legacyMessages,
      (magic, codec, messages) => {
        const batch = buildBatch({ baseOffset: messages[0]!.offset, records: messages, compression: codec });
        const messageSet = convertBatchesToMessageSet(batch, magic);
        const decoded = decodeMessageSet(messageSet);
        assert.deepEqual(decoded.map((message) => message.offset), messages.map((message) => message.offset));
        assert.deepEqual(decoded.map((message) => message.key), messages.map((message) => message.key));
        assert.deepEqual(decoded.map((message) => message.value), messages.map((message) => message.value));
        assert.ok(decoded.every((message) => message.compression === codec && message.magic === magic));
        if (magic === 1) {
          assert.deepEqual(
            decoded.map((message) => message.timestamp),
            messages.map((message) => message.timestamp),
          );
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("down-conversion drops control and empty batches, copies old entries and ends at a partial batch", () => {
  const data = buildBatch({
    baseOffset: 0,
    records: [{ timestamp: 1, key: null, value: encoder.encode("a") }],
  });
  const marker = buildBatch({
    baseOffset: 1,
    isControl: true,
    isTransactional: true,
    records: [{ timestamp: 1, key: new Uint8Array([0, 0, 0, 1]), value: new Uint8Array(6) }],
  });
  const empty = buildBatch({ baseOffset: 2, records: [], lastOffsetDelta: 0 });
  const old = read("record_batch_data_v0.bin");
  const partial = data.subarray(0, 30);
  const all = new Uint8Array([...data, ...marker, ...empty, ...old, ...partial]);
  const messageSet = convertBatchesToMessageSet(all, 0);
  const decoded = decodeMessageSet(messageSet);
  assert.equal(decoded.length, 1 + 4);
  assert.deepEqual(messageSet.subarray(messageSet.length - old.length), old);
});

Deno.test("magic 1 entries are rewritten when converting down to magic 0", () => {
  const v1 = read("kafka_python_v1_lz4.bin");
  const v0 = convertBatchesToMessageSet(v1, 0);
  const decoded = decodeMessageSet(v0);
  assert.ok(decoded.every((message) => message.magic === 0 && message.timestamp === -1));
  assert.deepEqual(
    decoded.map((message) => message.value),
    decodeMessageSet(v1).map((message) => message.value),
  );
});

Deno.test("zstd batches cannot be converted down", () => {
  const batch = buildBatch({
    records: [{ timestamp: 0, key: null, value: null }],
    compression: Compression.Zstd,
  });
  assert.throws(() => convertBatchesToMessageSet(batch, 1), UnsupportedCompressionError);
});

Deno.test("old messages with a wrong CRC32 or broken fields are rejected", async (t) => {
  const good = encodeMessageSet([{
    offset: 0,
    timestamp: 5,
    key: encoder.encode("k"),
    value: encoder.encode("v"),
  }], {
    magic: 1,
    compression: Compression.None,
    timestampType: TimestampType.CreateTime,
  });
  const reseal = (bytes: Uint8Array) => {
    new DataView(bytes.buffer).setUint32(12, crc32(bytes, 16, bytes.length));
    return bytes;
  };
  await t.step("crc", () => {
    const copy = good.slice();
    copy[copy.length - 1]! ^= 1;
    assert.throws(() => decodeMessageSet(copy), /CRC32/);
  });
  await t.step("key length past the message", () => {
    const copy = good.slice();
    new DataView(copy.buffer).setInt32(26, 1000);
    assert.throws(() => decodeMessageSet(reseal(copy)), CorruptRecordError);
  });
  await t.step("magic 2 inside a message set", () => {
    const copy = good.slice();
    copy[16] = 3;
    assert.throws(() => decodeMessageSet(reseal(copy)), /magic/);
  });
  await t.step("a compressed wrapper inside a wrapper", () => {
    const innerWrapper = encodeMessageSet([{
      offset: 0,
      timestamp: 0,
      key: null,
      value: encoder.encode("x"),
    }], {
      magic: 0,
      compression: Compression.Gzip,
      timestampType: TimestampType.CreateTime,
    });
    // An outer message declared gzip whose decompressed value is itself a gzip wrapper.
    const outer = encodeMessageSet(
      [{ offset: 0, timestamp: 0, key: null, value: compress(Compression.Gzip, innerWrapper) }],
      { magic: 0, compression: Compression.None, timestampType: TimestampType.CreateTime },
    );
    outer[17] = Compression.Gzip;
    new DataView(outer.buffer).setUint32(12, crc32(outer, 16, outer.length));
    assert.throws(() => decodeMessageSet(outer), /nested/);
  });
  await t.step("an empty message set cannot be converted up", () => {
    assert.throws(() => convertMessageSetToBatch(new Uint8Array(0)), CorruptRecordError);
  });
});

Deno.test("mutated message sets either decode or throw a Kafka error", () => {
  const sets = fc.tuple(fc.constantFrom<0 | 1>(0, 1), fc.constantFrom(...legacyCodecs), legacyMessages).map((
    [magic, compression, messages],
  ) => encodeMessageSet(messages, { magic, compression, timestampType: TimestampType.CreateTime }));
  fc.assert(
    fc.property(
      sets,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      (bytes, mutations) => {
        const mutated = bytes.slice();
        for (const [index, byte] of mutations) mutated[index % mutated.length] = byte;
        for (
          const decode of [
            () => decodeMessageSet(mutated, { verifyCrc: false, maxDecompressedBytes: 1_000_000 }),
            () => decodeRecordSet(mutated, { verifyCrc: false, maxDecompressedBytes: 1_000_000 }),
            () => convertMessageSetToBatch(mutated, { verifyCrc: false, maxDecompressedBytes: 1_000_000 }),
            () => convertBatchesToMessageSet(mutated, 0),
          ]
        ) {
          try {
            decode();
          } catch (error) {
            assert.ok(error instanceof KafkaError, String(error));
          }
        }
      },
    ),
    { numRuns: 1000 },
  );
});
