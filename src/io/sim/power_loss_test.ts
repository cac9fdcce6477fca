import assert from "node:assert/strict";
import { SimDisk } from "./disk.ts";
import { Incarnation } from "./incarnation.ts";
import { PowerLossTrigger } from "./power_loss.ts";
import { SeededRandom } from "./random.ts";

Deno.test("a power loss trigger crashes the disk before its chosen changing operation, then lets a restart work", () => {
  const disk = new SimDisk(new SeededRandom(1));
  const first = new Incarnation("node", 1);
  const view = disk.view(first);
  view.mkdirs("/data");
  view.syncDirectory("/");
  const file = view.open("/data/log", { create: true });
  file.append(new Uint8Array([1, 2]));
  file.sync();
  const trigger = new PowerLossTrigger(disk, first, 2);
  file.append(new Uint8Array([3]));
  file.readAt(0, 3);
  assert.equal(trigger.crashed, false, "reads do not count");
  assert.throws(() => file.sync(), /EIO/);
  assert.equal(trigger.crashed, true);
  assert.equal(first.alive, false);
  assert.throws(() => file.size(), /dead incarnation/);
  const second = disk.view(new Incarnation("node", 2));
  assert.deepEqual(second.readFile("/data/log"), new Uint8Array([1, 2]), "the unsynced byte is gone");
  second.writeFileAtomic("/data/other", new Uint8Array([9]));
});
