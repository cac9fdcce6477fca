import assert from "node:assert/strict";
import { MemoryDisk } from "../io/sim/mod.ts";
import { LeaderEpochCache } from "./leader_epoch_cache.ts";

function openCache(disk = new MemoryDisk()): LeaderEpochCache {
  disk.mkdirs("/p");
  return LeaderEpochCache.open(disk, "/p");
}

Deno.test("leader epoch cache reads Kafka's file and keeps epochs monotonic", () => {
  const disk = new MemoryDisk();
  disk.mkdirs("/p");
  disk.writeFileAtomic("/p/leader-epoch-checkpoint", new TextEncoder().encode("0\n2\n0 0\n3 40\n"));
  const cache = openCache(disk);
  assert.deepEqual(cache.entries(), [{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 40 }]);
  assert.equal(cache.assign(3, 45), false, "the same epoch at a later offset changes nothing");
  assert.equal(cache.assign(5, 30), true, "a new epoch below older start offsets replaces them");
  assert.deepEqual(cache.entries(), [{ epoch: 0, startOffset: 0 }, { epoch: 5, startOffset: 30 }]);
  assert.equal(new TextDecoder().decode(disk.readFile("/p/leader-epoch-checkpoint")!), "0\n2\n0 0\n5 30\n");
});

Deno.test("leader epoch cache truncates from either end", () => {
  const cache = openCache();
  cache.assign(1, 0);
  cache.assign(2, 10);
  cache.assign(4, 25);
  cache.truncateFromEnd(25);
  assert.deepEqual(cache.entries(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 10 }]);
  cache.truncateFromStart(12);
  assert.deepEqual(cache.entries(), [{ epoch: 2, startOffset: 12 }]);
  assert.equal(cache.epochForOffset(11), -1);
  assert.equal(cache.epochForOffset(12), 2);
  cache.clearAndFlush();
  assert.equal(cache.latestEpoch(), -1);
});
