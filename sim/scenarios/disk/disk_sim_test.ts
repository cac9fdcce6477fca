import assert from "node:assert/strict";
import { diskFaultOptions, runDiskFaultSeed } from "./run.ts";

/** Seeds run by `deno test`; `deno task sim disk --seeds K` runs more. */
const SEEDS = Array.from({ length: 12 }, (_, index) => index + 1);

Deno.test("disk faults, full disks and crashes never lose or change an acknowledged record", async (t) => {
  let storageErrors = 0;
  let crashes = 0;
  for (const seed of SEEDS) {
    await t.step(`seed ${seed}`, async () => {
      const result = await runDiskFaultSeed(seed);
      if (result.violations.length > 0) result.cluster.printLog();
      assert.deepEqual(result.violations, [], `seed ${seed}: ${JSON.stringify(result.options)}`);
      assert.ok(result.stats.acknowledged > 0, "records were acknowledged");
      assert.ok(result.stats.fileChecks > 0, "the files were checked");
      storageErrors += result.stats.storageErrors;
      crashes += result.stats.crashes;
    });
  }
  assert.ok(storageErrors > 100, `the faults hit (${storageErrors} storage errors)`);
  assert.ok(crashes > 20, `the node crashed (${crashes} times)`);
});

Deno.test("a disk-fault run is replayed exactly from its seed", async () => {
  const first = await runDiskFaultSeed(7);
  const second = await runDiskFaultSeed(7);
  assert.deepEqual(second.stats, first.stats);
  assert.deepEqual(second.cluster.log.lines(), first.cluster.log.lines());
  assert.notDeepEqual(diskFaultOptions(8), diskFaultOptions(7));
});
