import assert from "node:assert/strict";
import { type PlacementBroker, placeStriped, rackAlternatedOrder } from "./replica_placement.ts";

const racked = (spec: [number, string | null][]): PlacementBroker[] =>
  spec.map(([id, rack]) => ({ id, rack }));

Deno.test("the stripe takes one broker of each rack in turn", () => {
  const brokers = racked([[1, "a"], [2, "a"], [3, "b"], [4, "b"], [5, "c"]]);
  assert.deepEqual(rackAlternatedOrder(brokers).map((broker) => broker.id), [1, 3, 5, 2, 4]);
});

Deno.test("replicas of a partition sit on distinct racks while racks remain", () => {
  const brokers = racked([[1, "a"], [2, "a"], [3, "b"], [4, "b"], [5, "c"], [6, "c"]]);
  const rackOf = new Map(brokers.map((broker) => [broker.id, broker.rack]));
  for (const replicas of placeStriped(brokers, 24, 3, 0)) {
    assert.equal(new Set(replicas.map((id) => rackOf.get(id))).size, 3, `replicas ${replicas}`);
  }
  // Two racks, three replicas: both racks are used, and no broker twice.
  for (const replicas of placeStriped(racked([[1, "a"], [2, "a"], [3, "b"], [4, "b"]]), 8, 3, 0)) {
    assert.equal(new Set(replicas).size, 3);
    assert.ok(replicas.some((id) => id <= 2) && replicas.some((id) => id >= 3));
  }
});

Deno.test("leaders are spread evenly, and followers vary from one round over the brokers to the next", () => {
  const brokers = racked([[1, null], [2, null], [3, null], [4, null]]);
  const placed = placeStriped(brokers, 12, 2, 0);
  const leaders = new Map<number, number>();
  for (const replicas of placed) leaders.set(replicas[0]!, (leaders.get(replicas[0]!) ?? 0) + 1);
  assert.deepEqual([...leaders.values()], [3, 3, 3, 3]);
  const followersOf1 = new Set(placed.filter((replicas) => replicas[0] === 1).map((replicas) => replicas[1]));
  assert.equal(followersOf1.size, 3);
});

Deno.test("placement continues the stripe from the first partition it is given (CreatePartitions)", () => {
  const brokers = racked([[1, null], [2, null], [3, null]]);
  assert.deepEqual(placeStriped(brokers, 2, 2, 4), placeStriped(brokers, 6, 2, 0).slice(4));
});
