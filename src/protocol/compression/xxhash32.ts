/**
 * xxHash32, the checksum of the LZ4 frame format (header, block and content
 * checksums).
 */

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

function readUint32LittleEndian(bytes: Uint8Array, index: number): number {
  return bytes[index]! | (bytes[index + 1]! << 8) | (bytes[index + 2]! << 16) | (bytes[index + 3]! << 24);
}

function round(accumulator: number, lane: number): number {
  return Math.imul(rotateLeft((accumulator + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

/** xxHash32 of `bytes[start, end)` with `seed`, as an unsigned 32-bit number. */
export function xxhash32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let index = start;
  let hash: number;
  if (end - start >= 16) {
    let lane1 = (seed + PRIME1 + PRIME2) | 0;
    let lane2 = (seed + PRIME2) | 0;
    let lane3 = seed | 0;
    let lane4 = (seed - PRIME1) | 0;
    while (index <= end - 16) {
      lane1 = round(lane1, readUint32LittleEndian(bytes, index));
      lane2 = round(lane2, readUint32LittleEndian(bytes, index + 4));
      lane3 = round(lane3, readUint32LittleEndian(bytes, index + 8));
      lane4 = round(lane4, readUint32LittleEndian(bytes, index + 12));
      index += 16;
    }
    hash = (rotateLeft(lane1, 1) + rotateLeft(lane2, 7) + rotateLeft(lane3, 12) + rotateLeft(lane4, 18)) | 0;
  } else {
    hash = (seed + PRIME5) | 0;
  }
  hash = (hash + (end - start)) | 0;
  while (index <= end - 4) {
    hash = Math.imul(
      rotateLeft((hash + Math.imul(readUint32LittleEndian(bytes, index), PRIME3)) | 0, 17),
      PRIME4,
    );
    index += 4;
  }
  while (index < end) {
    hash = Math.imul(rotateLeft((hash + Math.imul(bytes[index]!, PRIME5)) | 0, 11), PRIME1);
    index++;
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, PRIME2);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, PRIME3);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
