/**
 * The records a workload writes. Every record carries a header naming it
 * uniquely (producer, batch, index), so that a checker can tell which sent
 * record a fetched one is, and compare every byte of it with what was sent.
 * Keys, values and other headers vary (null, empty, random bytes) to exercise
 * the record codec.
 */
import type { DecodedRecord, RecordHeader, RecordInput } from "../../../src/protocol/mod.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";

/** The header key that names a record. */
export const RECORD_ID_HEADER = "sim-id";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ID_HEADER_KEY = encoder.encode(RECORD_ID_HEADER);

/** A record as sent: its id and exact content. */
export interface SentRecord {
  id: string;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

/** How records vary. */
export interface RecordShape {
  valueBytesMax: number;
}

function randomBytes(random: SeededRandom, maxBytes: number): Uint8Array | null {
  const roll = random.int(10);
  if (roll === 0) return null;
  if (roll === 1) return new Uint8Array(0);
  const bytes = new Uint8Array(random.int(maxBytes + 1));
  random.fill(bytes);
  return bytes;
}

/** Makes the records of one batch: `count` records named `${batchId}/${index}`. */
export function makeRecords(
  random: SeededRandom,
  batchId: string,
  count: number,
  shape: RecordShape,
): SentRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const id = `${batchId}/${index}`;
    const headers: RecordHeader[] = [{ key: ID_HEADER_KEY, value: encoder.encode(id) }];
    if (random.chance(0.2)) headers.push({ key: encoder.encode("extra"), value: randomBytes(random, 8) });
    return {
      id,
      key: random.chance(0.5) ? encoder.encode(`key-${random.int(20)}`) : randomBytes(random, 12),
      value: randomBytes(random, shape.valueBytesMax),
      headers,
    };
  });
}

/** The records as `buildBatch` takes them. */
export function recordInputs(records: SentRecord[], timestampMs: number): RecordInput[] {
  return records.map((record) => ({
    timestamp: timestampMs,
    key: record.key,
    value: record.value,
    headers: record.headers,
  }));
}

/** The id a decoded record carries, or null when it carries none. */
export function recordIdOf(record: DecodedRecord): string | null {
  const header = record.headers[0];
  if (header === undefined || header.value === null || !sameBytes(header.key, ID_HEADER_KEY)) return null;
  return decoder.decode(header.value);
}

/** Whether two byte arrays (or nulls) are equal. */
export function sameBytes(left: Uint8Array | null, right: Uint8Array | null): boolean {
  if (left === null || right === null) return left === right;
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Why a decoded record differs from the sent one, or null when key, value and headers are equal. */
export function contentDifference(sent: SentRecord, decoded: DecodedRecord): string | null {
  if (!sameBytes(sent.key, decoded.key)) return "key differs";
  if (!sameBytes(sent.value, decoded.value)) return "value differs";
  if (sent.headers.length !== decoded.headers.length) {
    return `${decoded.headers.length} headers instead of ${sent.headers.length}`;
  }
  for (const [index, header] of sent.headers.entries()) {
    const other = decoded.headers[index]!;
    if (!sameBytes(header.key, other.key) || !sameBytes(header.value, other.value)) {
      return `header ${index} differs`;
    }
  }
  return null;
}
