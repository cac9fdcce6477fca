/**
 * Kafka's compression codecs, by the codec number of a batch's attributes.
 *
 * Decompression is bounded: every decoder refuses to produce more than
 * `maxOutputBytes`, so a small hostile batch cannot make the broker allocate
 * without limit.
 */
import { Compression } from "../record_batch.ts";
import { UnsupportedCompressionError } from "../records_error.ts";
import { gzipCompress, gzipDecompress } from "./gzip.ts";
import { lz4Compress, lz4Decompress } from "./lz4.ts";
import { snappyCompress, snappyDecompress } from "./snappy.ts";
import { zstdCompress, zstdDecompress } from "./zstd.ts";

export { gzipCompress, gzipDecompress } from "./gzip.ts";
export { lz4Compress, type Lz4CompressOptions, lz4Decompress } from "./lz4.ts";
export { snappyCompress, snappyDecompress } from "./snappy.ts";
export { zstdCompress, zstdDecompress } from "./zstd.ts";
export { snappyCompressBlock, snappyDecompressBlock } from "./snappy_block.ts";
export { lz4CompressBlock, lz4DecompressBlock } from "./lz4_block.ts";
export { xxhash32 } from "./xxhash32.ts";

/**
 * The default cap on one batch's decompressed records. Producers' batches are
 * bounded by batch.size (16 KiB by default, rarely above a few MiB), so this
 * only stops decompression bombs.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

/** Options for compress. */
export interface CompressOptions {
  /** LZ4 only: write the broken header checksum of Kafka's message format v0. */
  lz4BrokenHeaderChecksum?: boolean;
}

/** Compresses `input` with `codec`; Compression.None returns the input itself. */
export function compress(codec: Compression, input: Uint8Array, options: CompressOptions = {}): Uint8Array {
  switch (codec) {
    case Compression.None:
      return input;
    case Compression.Gzip:
      return gzipCompress(input);
    case Compression.Snappy:
      return snappyCompress(input);
    case Compression.Lz4:
      return lz4Compress(input, { brokenHeaderChecksum: options.lz4BrokenHeaderChecksum });
    case Compression.Zstd:
      return zstdCompress(input);
    default:
      throw new UnsupportedCompressionError(`unknown compression codec ${codec}`);
  }
}

/**
 * Decompresses `input` with `codec`; Compression.None returns the input itself.
 * Throws CorruptRecordError for malformed or oversized input and
 * UnsupportedCompressionError for an unknown codec number.
 */
export function decompress(
  codec: Compression,
  input: Uint8Array,
  maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Uint8Array {
  switch (codec) {
    case Compression.None:
      return input;
    case Compression.Gzip:
      return gzipDecompress(input, maxOutputBytes);
    case Compression.Snappy:
      return snappyDecompress(input, maxOutputBytes);
    case Compression.Lz4:
      return lz4Decompress(input, maxOutputBytes);
    case Compression.Zstd:
      return zstdDecompress(input, maxOutputBytes);
    default:
      throw new UnsupportedCompressionError(`unknown compression codec ${codec}`);
  }
}
