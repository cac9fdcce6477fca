import assert from "node:assert/strict";
import { canTransition, ClassicGroupState, VALID_PREVIOUS_STATES } from "./classic_group_state.ts";

Deno.test("the transition table is Kafka's: every other transition is refused", () => {
  const allowed = [
    "PreparingRebalance -> Empty",
    "Stable -> PreparingRebalance",
    "CompletingRebalance -> PreparingRebalance",
    "Empty -> PreparingRebalance",
    "PreparingRebalance -> CompletingRebalance",
    "CompletingRebalance -> Stable",
    "Stable -> Dead",
    "PreparingRebalance -> Dead",
    "CompletingRebalance -> Dead",
    "Empty -> Dead",
    "Dead -> Dead",
  ];
  const states = Object.values(ClassicGroupState);
  const found = states.flatMap((from) =>
    states.filter((to) => canTransition(from, to)).map((to) => `${from} -> ${to}`)
  );
  assert.deepEqual(found.sort(), allowed.sort());
  assert.equal(Object.keys(VALID_PREVIOUS_STATES).length, 5);
});
