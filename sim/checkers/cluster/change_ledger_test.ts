import assert from "node:assert/strict";
import { ABSENT, ANY_TOPIC_ID, ChangeLedger, DEFAULT_CONFIG } from "./change_ledger.ts";

/** A ledger's verdict on one register seen with `value`. */
function verdict(ledger: ChangeLedger, value: string, register = "exists"): string[] {
  return ledger.check((_topic, asked) => asked === register ? value : DEFAULT_CONFIG);
}

Deno.test("an acknowledged create must leave the topic with the acknowledged id", () => {
  const ledger = new ChangeLedger();
  ledger.acknowledge(ledger.send("t", "create", { exists: ANY_TOPIC_ID }), { exists: "id-1" });
  assert.deepEqual(verdict(ledger, "id-1"), []);
  assert.equal(verdict(ledger, ABSENT).length, 1);
  assert.equal(verdict(ledger, "id-2").length, 1);
});

Deno.test("an unacknowledged attempt may or may not have happened, even after later acknowledged ones", () => {
  const ledger = new ChangeLedger();
  const lost = ledger.send("t", "create (timed out)", { exists: ANY_TOPIC_ID });
  ledger.acknowledge(ledger.send("t", "delete", { exists: ABSENT }));
  assert.equal(lost.acknowledgedSequence, null);
  // The timed-out create may still be retried by a node after the delete.
  assert.deepEqual(verdict(ledger, ABSENT), []);
  assert.deepEqual(verdict(ledger, "id-9"), []);
});

Deno.test("an acknowledged change sent after another was acknowledged overwrites it for sure", () => {
  const ledger = new ChangeLedger();
  ledger.acknowledge(ledger.send("t", "set 1", { "config:retention.ms": "1" }));
  ledger.acknowledge(ledger.send("t", "set 2", { "config:retention.ms": "2" }));
  assert.deepEqual(verdict(ledger, "2", "config:retention.ms"), []);
  assert.equal(verdict(ledger, "1", "config:retention.ms").length, 1);
  assert.equal(verdict(ledger, DEFAULT_CONFIG, "config:retention.ms").length, 1);
});

Deno.test("concurrent acknowledged changes may land in either order", () => {
  const ledger = new ChangeLedger();
  const first = ledger.send("t", "set 1", { "config:retention.ms": "1" });
  const second = ledger.send("t", "set 2", { "config:retention.ms": "2" });
  ledger.acknowledge(second);
  ledger.acknowledge(first);
  assert.deepEqual(verdict(ledger, "1", "config:retention.ms"), []);
  assert.deepEqual(verdict(ledger, "2", "config:retention.ms"), []);
});

Deno.test("the initial value is allowed only while nothing was acknowledged", () => {
  const ledger = new ChangeLedger();
  ledger.send("t", "create (refused)", { exists: ANY_TOPIC_ID });
  assert.deepEqual(verdict(ledger, ABSENT), []);
  ledger.acknowledge(ledger.send("t", "create", { exists: ANY_TOPIC_ID }));
  assert.equal(verdict(ledger, ABSENT).length, 1);
});
