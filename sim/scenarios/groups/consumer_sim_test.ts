/**
 * The KIP-848 consumer group simulation: seeds with member churn, pauses
 * (zombies), node crashes and a lossy network keep every invariant (no
 * partition owned by two members at once, no acknowledged commit lost, every
 * partition assigned once the faults stop), and a seed replays exactly.
 */
import assert from "node:assert/strict";
import { describeConsumerGroupOptions } from "./consumer_options.ts";
import { consumerProtocol } from "./consumer.ts";
import { runGroupSeed } from "./run.ts";

/** Seeds chosen to cover power losses, static restarts and zombies fenced while paused. */
const SEEDS = [1, 2, 3, 375503717, 1303486590, 1563628782];

Deno.test("KIP-848 group seeds with churn, pauses, node crashes and lost answers keep every invariant", async () => {
  const totals = new Map<string, number>();
  for (const seed of SEEDS) {
    const result = await runGroupSeed(consumerProtocol, seed);
    if (result.violation) {
      console.error(describeConsumerGroupOptions(result.options).join("\n"));
      result.cluster.printLog();
      assert.fail(
        `seed ${seed}: ${result.violation.message}\nreplay: deno task sim groups --protocol consumer --seed ${seed}`,
      );
    }
    for (const [name, value] of Object.entries(result.stats)) {
      totals.set(name, (totals.get(name) ?? 0) + value);
    }
  }
  const total = (name: string) => totals.get(name) ?? 0;
  assert.ok(total("nodeCrashes") > 5, `the node crashed (${total("nodeCrashes")})`);
  assert.ok(total("powerLosses") > 0, "with power losses");
  assert.ok(total("partitionsMoved") > 50, `partitions moved between members (${total("partitionsMoved")})`);
  assert.ok(total("zombiesFenced") > 0, "paused members were fenced and their partitions given to others");
  assert.ok(total("fencedCommitsRefused") > 0, "and their commits were refused");
  assert.ok(total("staticRestarts") > 0, "static members came back");
  assert.ok(
    total("commitsAcknowledged") > 500,
    `commits were acknowledged (${total("commitsAcknowledged")})`,
  );
});

Deno.test("a KIP-848 group seed replays exactly", async () => {
  const first = await runGroupSeed(consumerProtocol, 375503717);
  const second = await runGroupSeed(consumerProtocol, 375503717);
  assert.equal(first.violation, null);
  assert.deepEqual(second.stats, first.stats);
  assert.equal(second.cluster.scheduler.fingerprint, first.cluster.scheduler.fingerprint);
  assert.deepEqual(second.cluster.log.lines(), first.cluster.log.lines());
});
