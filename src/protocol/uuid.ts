/**
 * Kafka UUIDs (topic ids, directory ids): 16 bytes, printed as URL-safe
 * base64 without padding, as Kafka's `Uuid.toString()` prints them.
 */
import type { Random } from "../io/mod.ts";

export const ZERO_UUID = new Uint8Array(16);

/** A random version-4 UUID that is neither zero nor Kafka's reserved METADATA_TOPIC_ID (1). */
export function randomUuid(random: Random): Uint8Array {
  const bytes = new Uint8Array(16);
  do {
    random.fill(bytes);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  } while (bytes.every((byte) => byte === 0));
  return bytes;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** URL-safe base64 without padding (22 characters). */
export function uuidToString(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(value >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 0x3f];
  return out;
}

/** Parses the 22-character form; null when malformed. */
export function uuidFromString(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(text)) return null;
  const out = new Uint8Array(16);
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const character of text) {
    value = ((value << 6) | ALPHABET.indexOf(character)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (index < 16) out[index++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

export function uuidEquals(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}
