/** Gzip (codec 1) through node:zlib, with a cap on the decompressed size. */
import { gunzipSync, gzipSync } from "node:zlib";
import { CorruptRecordError } from "../records_error.ts";

/** Decompresses gzip (one or more members), refusing output beyond `maxOutputBytes`. */
export function gzipDecompress(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  try {
    const output = gunzipSync(input, { maxOutputLength: Math.max(1, maxOutputBytes) });
    return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  } catch (error) {
    throw new CorruptRecordError(`gzip: ${(error as Error).message}`);
  }
}

/** Compresses with zlib's default level, as the Java client does. */
export function gzipCompress(input: Uint8Array): Uint8Array {
  const output = gzipSync(input);
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}
