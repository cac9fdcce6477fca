/**
 * Records in a form every client script can read and write: JSON with keys,
 * values and header values as base64 (or null), so binary bytes, empty bytes
 * and null stay distinct across the Deno / Python boundary.
 */
import { deepStrictEqual } from "node:assert/strict";

/** One header: its name (UTF-8) and its value as base64, or null. */
export type HeaderJson = [string, string | null];

/** A record as the client scripts take and return it. */
export interface RecordJson {
  key: string | null;
  value: string | null;
  headers: HeaderJson[];
  /** CreateTime in ms; on input, null lets the client choose. */
  timestamp?: number | null;
  partition?: number;
  offset?: number;
}

/** Bytes as base64. */
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let index = 0; index < bytes.length; index += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(text);
}

/** Base64 as bytes. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** UTF-8 text as base64. */
export function textBase64(text: string): string {
  return toBase64(new TextEncoder().encode(text));
}

/** A small seeded generator (xorshift32) so that fixtures are the same on every run. */
export class SeededBytes {
  #state: number;
  constructor(seed: number) {
    this.#state = (seed | 0) || 0x9e3779b9;
  }
  /** A 32-bit unsigned integer. */
  next(): number {
    let state = this.#state;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    this.#state = state;
    return state >>> 0;
  }
  /** An integer in [0, bound). */
  int(bound: number): number {
    return this.next() % bound;
  }
  /** `length` random bytes (incompressible). */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let index = 0; index < length; index++) out[index] = this.next() & 0xff;
    return out;
  }
}

/** What sampleRecords varies. */
export interface SampleOptions {
  count: number;
  seed: number;
  /** Timestamp of the first record; each next record is 1000 ms later. Without it, no timestamps. */
  firstTimestampMs?: number;
  /** Whether headers may be included (message format v0/v1 has none). */
  headers?: boolean;
  /** Whether header values may be null (kafka-python cannot send those). */
  nullHeaderValues?: boolean;
  /** Whether values are binary (default) or printable text (for tools that print them). */
  text?: boolean;
  /** Whether a record may have both a null key and a null value (kafka-python refuses those). */
  bothNull?: boolean;
}

function sampleBytes(random: SeededBytes, length: number, text: boolean): Uint8Array {
  if (!text) return random.bytes(length);
  const out = new Uint8Array(length);
  for (let index = 0; index < length; index++) out[index] = 0x61 + random.int(26);
  return out;
}

/**
 * Records covering what clients must keep exactly: keys, null keys, empty
 * keys, null values, empty values, binary values of varied sizes, headers
 * (with empty and null values) and explicit timestamps.
 */
export function sampleRecords(options: SampleOptions): RecordJson[] {
  const random = new SeededBytes(options.seed);
  const text = options.text ?? false;
  const records: RecordJson[] = [];
  for (let index = 0; index < options.count; index++) {
    let key: string | null = textBase64(`key-${index}`);
    if (index % 7 === 3) key = null;
    else if (index % 13 === 6) key = "";
    let value: string | null = toBase64(sampleBytes(random, random.int(300) + 1, text));
    if (index % 11 === 5 && (key !== null || (options.bothNull ?? true))) value = null;
    else if (index % 17 === 8) value = "";
    const headers: HeaderJson[] = [];
    if ((options.headers ?? true) && index % 5 === 0) {
      headers.push(["trace", textBase64(`t-${index}`)], ["empty", ""]);
      if (options.nullHeaderValues ?? true) headers.push(["none", null]);
      headers.push(["trace", textBase64("repeated names keep their order")]);
    }
    const timestamp = options.firstTimestampMs === undefined ? null : options.firstTimestampMs + index * 1000;
    records.push({ key, value, headers, timestamp });
  }
  return records;
}

/** The fields two clients must agree on, without offsets and partitions. */
function comparable(record: RecordJson, withTimestamp: boolean): Record<string, unknown> {
  const shape: Record<string, unknown> = { key: record.key, value: record.value, headers: record.headers };
  if (withTimestamp) shape.timestamp = record.timestamp;
  return shape;
}

/**
 * Asserts that `actual` holds exactly `expected` in order: same keys, values
 * and headers, and the same timestamps where `expected` set them.
 */
export function assertSameRecords(actual: RecordJson[], expected: RecordJson[], what = "records"): void {
  deepStrictEqual(
    actual.length,
    expected.length,
    `${what}: ${actual.length} read, ${expected.length} expected`,
  );
  actual.forEach((record, index) => {
    const wanted = expected[index]!;
    const withTimestamp = wanted.timestamp !== undefined && wanted.timestamp !== null;
    deepStrictEqual(
      comparable(record, withTimestamp),
      comparable(wanted, withTimestamp),
      `${what}: record ${index}`,
    );
  });
}

/** Asserts offsets run first, first+1, ... with no gap. */
export function assertConsecutiveOffsets(records: RecordJson[], first: number, what = "records"): void {
  deepStrictEqual(
    records.map((record) => record.offset),
    records.map((_, index) => first + index),
    `${what}: offsets`,
  );
}
