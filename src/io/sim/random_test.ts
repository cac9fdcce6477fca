import assert from "node:assert/strict";
import { SeededRandom } from "./random.ts";

function draws(random: SeededRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.uint32());
}

Deno.test("the same seed gives the same sequence and another seed a different one", () => {
  assert.deepEqual(draws(new SeededRandom(42), 100), draws(new SeededRandom(42), 100));
  assert.notDeepEqual(draws(new SeededRandom(42), 100), draws(new SeededRandom(43), 100));
  // Seeds that differ only above 32 bits are different seeds too.
  assert.notDeepEqual(draws(new SeededRandom(1), 10), draws(new SeededRandom(1 + 2 ** 32), 10));
});

Deno.test("a fork does not depend on how much the parent has drawn", () => {
  const fresh = new SeededRandom(7);
  const used = new SeededRandom(7);
  draws(used, 1000);
  assert.deepEqual(draws(fresh.fork("net"), 50), draws(used.fork("net"), 50));
});

Deno.test("forks with different labels are different streams, and forking leaves the parent alone", () => {
  const parent = new SeededRandom(7);
  assert.notDeepEqual(draws(parent.fork("net"), 50), draws(parent.fork("disk"), 50));
  assert.notDeepEqual(draws(parent.fork("a").fork("b"), 20), draws(parent.fork("b").fork("a"), 20));
  const untouched = new SeededRandom(7);
  parent.fork("x");
  assert.deepEqual(draws(parent, 20), draws(untouched, 20));
});

Deno.test("values stay inside their ranges", () => {
  const random = new SeededRandom(3);
  for (let index = 0; index < 10_000; index++) {
    const float = random.next();
    assert.ok(float >= 0 && float < 1);
    const bounded = random.int(7);
    assert.ok(Number.isInteger(bounded) && bounded >= 0 && bounded < 7);
    const ranged = random.range(-3, 3);
    assert.ok(ranged >= -3 && ranged <= 3);
  }
  assert.equal(random.chance(0), false);
  assert.equal(random.chance(1), true);
  assert.throws(() => random.int(0));
  assert.throws(() => random.pick([]));
});

Deno.test("int covers every value of a small bound roughly evenly", () => {
  const random = new SeededRandom(11);
  const counts = new Array(10).fill(0);
  for (let index = 0; index < 100_000; index++) counts[random.int(10)]++;
  for (const count of counts) assert.ok(count > 9_000 && count < 11_000, `uneven: ${counts}`);
});

Deno.test("fill is deterministic and uses every byte position", () => {
  const first = new Uint8Array(37);
  const second = new Uint8Array(37);
  new SeededRandom(5).fill(first);
  new SeededRandom(5).fill(second);
  assert.deepEqual(first, second);
  assert.ok(first.some((byte) => byte !== 0));
  assert.notEqual(first[36], undefined);
});
