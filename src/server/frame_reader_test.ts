import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameReader } from "./frame_reader.ts";

function frame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setInt32(0, body.length);
  out.set(body, 4);
  return out;
}

Deno.test("frames split across any chunk boundaries come out whole and in order", () => {
  fc.assert(fc.property(
    fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 }),
    fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 10 }),
    (bodies, cuts) => {
      const stream = new Uint8Array(bodies.reduce((sum, body) => sum + body.length + 4, 0));
      let offset = 0;
      for (const body of bodies) {
        stream.set(frame(body), offset);
        offset += body.length + 4;
      }
      const reader = new FrameReader(1000);
      const out: Uint8Array[] = [];
      let position = 0;
      let cut = 0;
      while (position < stream.length) {
        const size = cuts[cut++ % cuts.length]!;
        reader.push(stream.subarray(position, position + size));
        position += size;
        for (let next = reader.next(); next; next = reader.next()) out.push(next.slice());
      }
      assert.deepEqual(out, bodies.map((body) => Uint8Array.from(body)));
    },
  ));
});

Deno.test("a declared size above socket.request.max.bytes or below zero is refused before buffering", () => {
  const reader = new FrameReader(100);
  assert.throws(() => reader.push(Uint8Array.of(0x7f, 0xff, 0xff, 0xff)), /socket\.request\.max\.bytes/);
  const negative = new FrameReader(100);
  assert.throws(() => negative.push(Uint8Array.of(0xff, 0xff, 0xff, 0xfe)), /outside/);
});

Deno.test("reads land in the frame's own buffer once its size is known", () => {
  const reader = new FrameReader(1 << 20);
  const body = Uint8Array.from({ length: 1000 }, (_, index) => index & 0xff);
  const stream = frame(body);
  let position = 0;
  const out: Uint8Array[] = [];
  while (position < stream.length) {
    const target = reader.readTarget();
    const count = Math.min(target.length, 97, stream.length - position);
    target.set(stream.subarray(position, position + count));
    position += count;
    reader.commit(count);
    for (let next = reader.next(); next; next = reader.next()) out.push(next);
  }
  assert.deepEqual(out, [body]);
});

Deno.test("frames above the direct size are assembled from what arrives", () => {
  const reader = new FrameReader(64 << 20);
  const body = new Uint8Array(9 << 20).fill(7);
  const stream = frame(body);
  for (let position = 0; position < stream.length; position += 1 << 20) {
    reader.push(stream.subarray(position, position + (1 << 20)));
  }
  assert.deepEqual(reader.next(), body);
});

Deno.test("an incomplete frame waits for more bytes", () => {
  const reader = new FrameReader(100);
  reader.push(frame(Uint8Array.of(1, 2, 3)).subarray(0, 5));
  assert.equal(reader.next(), null);
});
