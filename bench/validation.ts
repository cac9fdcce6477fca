/**
 * The produce path's batch validation alone (src/log/batch_validation.ts):
 * the header and CRC32C check plus the walk over the records that
 * recomputes maxTimestamp (and, compressed, the decompression it needs).
 * Batches of ~1 MB, as librdkafka's batch.size sends them, of 100 B and
 * 1 KiB records of pseudo-random letters (they compress about as text does),
 * uncompressed and lz4/zstd; reported in MB/s of records before compression
 * and records/s, best of five passes over 256 MiB of records.
 *
 *   deno run --allow-all bench/validation.ts [--megabytes 256]
 */
import { type BatchLimits, validateProducedBatch } from "../src/log/mod.ts";
import { buildBatch, Compression } from "../src/protocol/mod.ts";

const args = Deno.args;
const megabytesIndex = args.indexOf("--megabytes");
const MEGABYTES = megabytesIndex >= 0 ? Number(args[megabytesIndex + 1]) : 256;
const BATCH_BYTES = 1_000_000;
const PASSES = 5;

function batchOf(recordBytes: number, compression: Compression, nowMs: number): Uint8Array {
  const count = Math.floor(BATCH_BYTES / (recordBytes + 10));
  const value = new TextEncoder().encode("x".repeat(recordBytes));
  const records = Array.from(
    { length: count },
    (_, index) => ({ timestamp: nowMs + index, key: null, value }),
  );
  return buildBatch({ records, compression });
}

function measure(
  recordBytes: number,
  compression: Compression,
): { mbPerSecond: number; recordsPerSecond: number } {
  const nowMs = Date.now();
  const batch = batchOf(recordBytes, compression, nowMs);
  const limits: BatchLimits = {
    maxMessageBytes: 2 * BATCH_BYTES,
    nowMs,
    createTime: true,
    timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
    timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
    compacted: false,
    topicPartition: "bench-0",
    produceVersion: 9,
  };
  const recordBytesInBatch = Math.floor(BATCH_BYTES / (recordBytes + 10)) * recordBytes;
  const rounds = Math.max(1, Math.round((MEGABYTES * 1024 * 1024) / recordBytesInBatch));
  const recordCount = new DataView(batch.buffer).getInt32(57);
  let best = Infinity;
  for (let pass = 0; pass < PASSES; pass++) {
    const start = performance.now();
    for (let round = 0; round < rounds; round++) {
      if (!validateProducedBatch(batch, limits).ok) throw new Error("the bench batch was refused");
    }
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return {
    mbPerSecond: (recordBytesInBatch * rounds) / best / 1e6,
    recordsPerSecond: (recordCount * rounds) / best,
  };
}

console.log("| records | codec | MB/s of records | records/s |");
console.log("|---|---|---:|---:|");
for (const compression of [Compression.None, Compression.Lz4, Compression.Zstd]) {
  for (const recordBytes of [100, 1024]) {
    const { mbPerSecond, recordsPerSecond } = measure(recordBytes, compression);
    console.log(
      `| ${recordBytes} B | ${Compression[compression]} | ${mbPerSecond.toFixed(0)} | ${
        Math.round(recordsPerSecond).toLocaleString("en-US")
      } |`,
    );
  }
}
