/**
 * Decompresses data written by the C libraries that Kafka clients use
 * (test/fixtures/record-batch-vectors/codec_*.bin, see its ORIGIN.txt).
 */
import assert from "node:assert/strict";
import { Compression } from "../record_batch.ts";
import { CorruptRecordError } from "../records_error.ts";
import { decompress } from "./mod.ts";

const folder = new URL("../../../test/fixtures/record-batch-vectors/", import.meta.url);
const read = (name: string) => Deno.readFileSync(new URL(name, folder));
const plain = read("codec_plain.bin");

const cases: [string, Compression][] = [
  ["codec_gzip.bin", Compression.Gzip],
  ["codec_snappy_xerial.bin", Compression.Snappy],
  ["codec_snappy_raw.bin", Compression.Snappy],
  ["codec_lz4_default.bin", Compression.Lz4],
  ["codec_lz4_checksum_256k.bin", Compression.Lz4],
  ["codec_lz4_independent_nosize.bin", Compression.Lz4],
  ["codec_lz4_hc.bin", Compression.Lz4],
  ["codec_lz4_old_kafka.bin", Compression.Lz4],
  ["codec_zstd.bin", Compression.Zstd],
  ["codec_zstd_stream.bin", Compression.Zstd],
  ["codec_zstd_two_frames.bin", Compression.Zstd],
];

Deno.test("data compressed by the clients' codec libraries decompresses to the original", async (t) => {
  for (const [name, codec] of cases) {
    await t.step(name, () => {
      assert.deepEqual(decompress(codec, read(name)), plain);
    });
  }
});

Deno.test("decompression stops at the output limit for every codec", async (t) => {
  for (const [name, codec] of cases) {
    await t.step(name, () => {
      assert.throws(() => decompress(codec, read(name), 100_000), CorruptRecordError);
    });
  }
});

Deno.test("an lz4 frame whose content checksum is wrong is rejected", () => {
  const bytes = read("codec_lz4_checksum_256k.bin").slice();
  bytes[bytes.length - 1]! ^= 0xff;
  assert.throws(() => decompress(Compression.Lz4, bytes), /content checksum/);
});

Deno.test("an lz4 frame whose header checksum matches neither form is rejected", () => {
  const bytes = read("codec_lz4_default.bin").slice();
  bytes[14]! ^= 0x55; // The header checksum byte after FLG, BD and the 8-byte content size.
  assert.throws(() => decompress(Compression.Lz4, bytes), /header checksum/);
});
