import assert from "node:assert/strict";
import { crc32c } from "./crc32c.ts";

Deno.test("crc32c matches the standard check value", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
});

Deno.test("crc32c over a range equals crc32c over the slice, and continues from a seed", () => {
  const bytes = new Uint8Array(1000).map((_, index) => (index * 31 + 7) & 0xff);
  for (const [start, end] of [[0, 1000], [3, 17], [5, 999], [0, 0], [10, 11]] as const) {
    assert.equal(crc32c(bytes, start, end), crc32c(bytes.slice(start, end)));
  }
  assert.equal(crc32c(bytes, 500, 1000, crc32c(bytes, 0, 500)), crc32c(bytes));
});

Deno.test("crc32c agrees with a bitwise reference at every alignment and length", () => {
  const reference = (bytes: Uint8Array): number => {
    let crc = 0xffffffff;
    for (const byte of bytes) {
      crc ^= byte;
      for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    }
    return ~crc >>> 0;
  };
  const bytes = new Uint8Array(300).map((_, index) => (index * 97 + 13) & 0xff);
  for (let start = 0; start < 8; start++) {
    for (let end = start; end <= 300; end += 7) {
      assert.equal(crc32c(bytes, start, end), reference(bytes.slice(start, end)));
    }
  }
});
