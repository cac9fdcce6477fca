import assert from "node:assert/strict";
import fc from "fast-check";
import { KafkaError } from "../errors.ts";
import { Compression } from "../record_batch.ts";
import { CorruptRecordError, UnsupportedCompressionError } from "../records_error.ts";
import {
  compress,
  decompress,
  lz4Compress,
  lz4Decompress,
  snappyCompressBlock,
  snappyDecompressBlock,
} from "./mod.ts";

const codecs = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];

/** Bytes with runs and repeats, so the match finders have work to do. */
const compressibleBytes = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.record({ byte: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 300 }) }).map(
      ({ byte, count }) => new Uint8Array(count).fill(byte),
    ),
    fc.constant(new TextEncoder().encode("kafka record batch ")),
  ),
  { maxLength: 60 },
).map((pieces) => {
  const output = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    output.set(piece, offset);
    offset += piece.length;
  }
  return output;
});

Deno.test("every codec round-trips arbitrary bytes", () => {
  fc.assert(
    fc.property(fc.constantFrom(...codecs), compressibleBytes, (codec, bytes) => {
      assert.deepEqual(decompress(codec, compress(codec, bytes)), bytes);
    }),
    { numRuns: 300 },
  );
});

Deno.test("snappy and lz4 blocks round-trip and shrink repetitive input", () => {
  fc.assert(
    fc.property(compressibleBytes, (bytes) => {
      assert.deepEqual(snappyDecompressBlock(snappyCompressBlock(bytes), bytes.length), bytes);
    }),
    { numRuns: 300 },
  );
  const repetitive = new Uint8Array(200_000).map((_, index) => index % 251 < 100 ? 7 : index % 13);
  assert.ok(snappyCompressBlock(repetitive).length < repetitive.length / 4);
  assert.ok(lz4Compress(repetitive).length < repetitive.length / 4);
  assert.deepEqual(lz4Decompress(lz4Compress(repetitive), repetitive.length), repetitive);
});

Deno.test("lz4 written with Kafka's broken v0 header checksum is still read", () => {
  const bytes = new TextEncoder().encode("old kafka lz4 old kafka lz4 old kafka lz4");
  const broken = lz4Compress(bytes, { brokenHeaderChecksum: true });
  const correct = lz4Compress(bytes);
  assert.notEqual(broken[6], correct[6]);
  assert.deepEqual(lz4Decompress(broken, 1000), bytes);
});

Deno.test("a snappy block declaring an impossible length is refused before allocating", () => {
  // Declares 4 GiB - 1 of output in a six-byte block.
  const hostile = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
  assert.throws(() => snappyDecompressBlock(hostile, 2 ** 32), /impossible/);
});

Deno.test("a gzip bomb is stopped at the output limit", () => {
  const bomb = compress(Compression.Gzip, new Uint8Array(10_000_000));
  assert.ok(bomb.length < 20_000);
  assert.throws(() => decompress(Compression.Gzip, bomb, 1_000_000), CorruptRecordError);
});

Deno.test("unknown codec numbers are unsupported", () => {
  assert.throws(() => decompress(5 as Compression, new Uint8Array(1)), UnsupportedCompressionError);
  assert.throws(() => compress(7 as Compression, new Uint8Array(1)), UnsupportedCompressionError);
});

Deno.test("mutated compressed data either decodes or throws a Kafka error", () => {
  const compressedSamples = fc.tuple(fc.constantFrom(...codecs.slice(1)), compressibleBytes).map(
    ([codec, bytes]) => ({ codec, compressed: compress(codec, bytes) }),
  );
  fc.assert(
    fc.property(
      compressedSamples,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.nat(),
      ({ codec, compressed }, mutations, cut) => {
        const mutated = compressed.slice(
          0,
          compressed.length - (cut % 3 === 0 ? cut % compressed.length : 0),
        );
        for (const [index, byte] of mutations) if (mutated.length > 0) mutated[index % mutated.length] = byte;
        try {
          const output = decompress(codec, mutated, 1_000_000);
          assert.ok(output.length <= 1_000_000);
        } catch (error) {
          assert.ok(error instanceof KafkaError, `${codec}: ${error}`);
        }
      },
    ),
    { numRuns: 1000 },
  );
});
