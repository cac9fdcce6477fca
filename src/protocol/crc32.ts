/**
 * CRC32 (IEEE 802.3, the zlib polynomial), as the old message formats
 * (magic 0 and 1) use it. Those formats are rare and never on a hot path, so
 * one table lookup per byte is enough.
 */

const POLYNOMIAL = 0xedb88320;

const TABLE = new Uint32Array(256);
for (let index = 0; index < 256; index++) {
  let crc = index;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
  TABLE[index] = crc >>> 0;
}

/** CRC32 of `bytes[start, end)`, continuing from `seed` (a previous result) when given. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let crc = ~seed >>> 0;
  for (let index = start; index < end; index++) crc = TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
