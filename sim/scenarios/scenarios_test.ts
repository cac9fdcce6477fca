/** Every scenario runs through the one interface the command line uses, and a bug planted through it is caught. */
import assert from "node:assert/strict";
import { scenarioNamed, SCENARIOS } from "./mod.ts";

Deno.test("every scenario runs a seed through the command line's interface and replays it exactly", async (t) => {
  assert.deepEqual(SCENARIOS.map((scenario) => scenario.name), ["node", "groups", "disk", "raft", "cluster"]);
  for (const scenario of SCENARIOS) {
    await t.step(scenario.name, async () => {
      const first = await scenario.run(7, {});
      assert.equal(first.failure, null, first.failure ?? "");
      assert.ok(first.optionLines.length > 0 && first.summary.length > 0);
      const again = await scenario.run(7, {});
      assert.equal(again.summary, first.summary);
    });
  }
});

Deno.test("a bug planted through the interface is caught, and a forced group protocol is the one run", async () => {
  const node = scenarioNamed("node")!;
  assert.ok(node.bugs.includes("trust-client-max-timestamp"));
  const bugged = await node.run(1, { bug: "trust-client-max-timestamp" });
  assert.match(bugged.failure ?? "", /retention deletes only segments older than retention.ms/);
  const groups = scenarioNamed("groups")!;
  for (const protocol of ["classic", "consumer"]) {
    const result = await groups.run(7, { protocol });
    assert.equal(result.optionLines[0], `protocol ${protocol}`);
  }
});
