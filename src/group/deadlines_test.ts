import assert from "node:assert/strict";
import fc from "fast-check";
import { Deadlines } from "./deadlines.ts";

Deno.test("deadlines run in time order, ties in scheduling order, and rescheduling replaces", () => {
  const deadlines = new Deadlines();
  const ran: string[] = [];
  deadlines.schedule("b", 20, () => ran.push("b"));
  deadlines.schedule("a", 10, () => ran.push("a"));
  deadlines.schedule("c", 20, () => ran.push("c"));
  deadlines.schedule("a", 30, () => ran.push("a2"));
  deadlines.cancel("c");
  assert.equal(deadlines.nextDeadlineMs(), 20);
  assert.equal(deadlines.runDue(25), 1);
  assert.deepEqual(ran, ["b"]);
  assert.equal(deadlines.runDue(30), 1);
  assert.deepEqual(ran, ["b", "a2"]);
  assert.equal(deadlines.nextDeadlineMs(), null);
});

Deno.test("an action may schedule more, which run in the same pass when due", () => {
  const deadlines = new Deadlines();
  const ran: number[] = [];
  deadlines.schedule("x", 5, () => {
    ran.push(5);
    deadlines.schedule("x", 7, () => ran.push(7));
    deadlines.schedule("y", 100, () => ran.push(100));
  });
  deadlines.runDue(10);
  assert.deepEqual(ran, [5, 7]);
  assert.equal(deadlines.size, 1);
});

Deno.test("the heap stays bounded under endless rescheduling and matches a simple model", () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1000 }), fc.boolean()), {
      maxLength: 400,
    }),
    (operations) => {
      const deadlines = new Deadlines();
      const model = new Map<string, number>();
      for (const [name, at, cancel] of operations) {
        const key = `k${name}`;
        if (cancel) {
          deadlines.cancel(key);
          model.delete(key);
        } else {
          deadlines.schedule(key, at, () => {});
          model.set(key, at);
        }
      }
      const expected = model.size === 0 ? null : Math.min(...model.values());
      assert.equal(deadlines.nextDeadlineMs(), expected);
      assert.equal(deadlines.size, model.size);
      const due = [...model.values()].filter((at) => at <= 500).length;
      assert.equal(deadlines.runDue(500), due);
    },
  ));
});
