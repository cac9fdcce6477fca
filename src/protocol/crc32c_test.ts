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
