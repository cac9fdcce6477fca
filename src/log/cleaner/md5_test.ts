import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { md5Hex } from "./md5.ts";

const text = (value: string) => new TextEncoder().encode(value);

Deno.test("md5 matches RFC 1321's test suite", () => {
  assert.equal(md5Hex(text("")), "d41d8cd98f00b204e9800998ecf8427e");
  assert.equal(md5Hex(text("a")), "0cc175b9c0f1b6a831c399e269772661");
  assert.equal(md5Hex(text("abc")), "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(md5Hex(text("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  assert.equal(
    md5Hex(text("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
    "57edf4a22be3c955ac49da2e2107b67a",
  );
});

Deno.test("md5 agrees with node:crypto around every block boundary and for random inputs", () => {
  for (let length = 0; length <= 200; length++) {
    const input = new Uint8Array(length).map((_, index) => (index * 31 + length) & 0xff);
    assert.equal(md5Hex(input), createHash("md5").update(input).digest("hex"), `length ${length}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (input) => {
      assert.equal(md5Hex(input), createHash("md5").update(input).digest("hex"));
    }),
  );
});

Deno.test("md5 reads a view into a larger buffer without looking outside it", () => {
  const buffer = new Uint8Array(100).fill(7);
  const view = buffer.subarray(10, 75);
  assert.equal(md5Hex(view), createHash("md5").update(view.slice()).digest("hex"));
});
