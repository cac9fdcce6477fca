import assert from "node:assert/strict";
import { xxhash32 } from "./xxhash32.ts";

const encoder = new TextEncoder();

Deno.test("xxhash32 matches published values", () => {
  assert.equal(xxhash32(new Uint8Array(0)), 0x02cc5d05);
  assert.equal(xxhash32(encoder.encode("a")), 0x550d7456);
  assert.equal(xxhash32(encoder.encode("abc")), 0x32d153ff);
  assert.equal(xxhash32(encoder.encode("Nobody inspects the spammish repetition")), 0xe2293b2f);
});

Deno.test("xxhash32 over a range equals xxhash32 over the slice", () => {
  const bytes = new Uint8Array(100).map((_, index) => index * 7);
  assert.equal(xxhash32(bytes, 3, 90), xxhash32(bytes.slice(3, 90)));
  assert.notEqual(xxhash32(bytes, 0, 100, 1), xxhash32(bytes, 0, 100, 0));
});
