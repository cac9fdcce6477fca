import assert from "node:assert/strict";
import { decodeFields, encodeFields } from "./codec.ts";
import { ProtocolError, Reader } from "./reader.ts";
import { field } from "./schema.ts";
import { Writer } from "./writer.ts";

const FIELDS = [field("offset", "int64", "0+")] as const;

function int64Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value);
  return bytes;
}

function decodeOffset(value: bigint): number {
  return decodeFields(new Reader(int64Bytes(value)), FIELDS, 0, false).offset;
}

function encodeOffset(offset: number): Uint8Array {
  const writer = new Writer(16);
  encodeFields(writer, FIELDS, 0, false, { offset });
  return writer.finish();
}

Deno.test("int64 fields decode exactly up to the safe integer range", () => {
  assert.equal(decodeOffset(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  assert.equal(decodeOffset(BigInt(Number.MIN_SAFE_INTEGER)), Number.MIN_SAFE_INTEGER);
  assert.equal(decodeOffset(-1n), -1);
  assert.equal(decodeOffset(0x1_0000_0000n), 0x1_0000_0000);
});

Deno.test("an int64 beyond 2^53 fails the frame instead of being rounded", () => {
  for (const value of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n]) {
    assert.throws(() => decodeOffset(value), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, /int64 offset is outside the safe integer range/);
      return true;
    });
  }
});

Deno.test("the encoder refuses an int64 it cannot write exactly", () => {
  assert.deepEqual(encodeOffset(Number.MAX_SAFE_INTEGER), int64Bytes(BigInt(Number.MAX_SAFE_INTEGER)));
  assert.deepEqual(encodeOffset(-1), int64Bytes(-1n));
  for (const value of [2 ** 53, -(2 ** 53), 2 ** 63, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => encodeOffset(value), /int64 offset = .* is not a safe integer/);
  }
});

Deno.test("the encoder still truncates a fractional int64, as the writer always did", () => {
  assert.deepEqual(encodeOffset(12.75), int64Bytes(12n));
});
