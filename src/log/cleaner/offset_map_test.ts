import assert from "node:assert/strict";
import fc from "fast-check";
import { largestPrimeAtMost, OFFSET_MAP_SLOT_BYTES, OffsetMap } from "./offset_map.ts";

const key = (value: string) => new TextEncoder().encode(value);

Deno.test("the offset map keeps the latest offset per key, like a Map, until it is full", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.nat(1_000_000)), { maxLength: 300 }),
      (puts) => {
        const map = new OffsetMap({ memoryBytes: 1000 * OFFSET_MAP_SLOT_BYTES });
        const model = new Map<string, number>();
        map.clear();
        for (const [name, offset] of puts) {
          map.put(key(name), offset);
          model.set(name, offset);
        }
        assert.equal(map.size, model.size);
        for (const [name, offset] of model) assert.equal(map.get(key(name)), offset);
        assert.equal(map.get(key("absent-key-\u0000")), -1);
      },
    ),
  );
});

Deno.test("the offset map counts as full at its load factor and still updates known keys", () => {
  const map = new OffsetMap({ memoryBytes: 101 * OFFSET_MAP_SLOT_BYTES, loadFactor: 0.5 });
  assert.equal(map.slots, 101);
  assert.equal(map.maxEntries, 50);
  for (let index = 0; index < 50; index++) map.put(key(`k${index}`), index);
  assert.ok(map.isFull);
  map.put(key("k7"), 1000);
  assert.equal(map.get(key("k7")), 1000);
  assert.throws(() => map.put(key("new"), 1), /full/);
  assert.equal(map.latestOffset, 1000);
});

Deno.test("clearing the offset map forgets every key at once", () => {
  const map = new OffsetMap({ memoryBytes: 64 * OFFSET_MAP_SLOT_BYTES });
  for (let round = 0; round < 5; round++) {
    map.clear();
    assert.equal(map.size, 0);
    assert.equal(map.latestOffset, -1);
    assert.equal(map.get(key(`round-${round - 1}`)), -1);
    map.put(key(`round-${round}`), round);
    assert.equal(map.get(key(`round-${round}`)), round);
  }
  map.updateLatestOffset(99);
  assert.equal(map.latestOffset, 99);
});

Deno.test("largestPrimeAtMost finds primes", () => {
  assert.equal(largestPrimeAtMost(2), 2);
  assert.equal(largestPrimeAtMost(10), 7);
  assert.equal(largestPrimeAtMost(100), 97);
  assert.equal(largestPrimeAtMost(4_793_490), 4_793_489);
});
