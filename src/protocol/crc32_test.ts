import assert from "node:assert/strict";
import { crc32 } from "./crc32.ts";

Deno.test("crc32 matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

Deno.test("crc32 over a range equals crc32 over the slice, and continues from a seed", () => {
  const bytes = new Uint8Array(300).map((_, index) => (index * 13 + 5) & 0xff);
  for (const [start, end] of [[0, 300], [3, 17], [0, 0], [299, 300]] as const) {
    assert.equal(crc32(bytes, start, end), crc32(bytes.slice(start, end)));
  }
  assert.equal(crc32(bytes, 100, 300, crc32(bytes, 0, 100)), crc32(bytes));
});
