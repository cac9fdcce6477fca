import assert from "node:assert/strict";
import { DiskError } from "../io/mod.ts";
import { ManualClock, MemoryDisk } from "../io/sim/mod.ts";
import { DelayedFileDeleter } from "./file_deleter.ts";

function setUp() {
  const disk = new MemoryDisk();
  disk.mkdirs("/logs/t-0");
  for (const name of ["a.deleted", "b.deleted", "c.deleted"]) {
    disk.writeFileAtomic(`/logs/t-0/${name}`, new Uint8Array(1));
  }
  const clock = new ManualClock();
  const lines: string[] = [];
  return {
    disk,
    clock,
    lines,
    deleter: new DelayedFileDeleter({ disk, clock, log: (line) => lines.push(line) }),
  };
}

Deno.test("the deleter removes files once their delay has passed, each on its own timer", () => {
  const { disk, clock, deleter } = setUp();
  deleter.schedule(["/logs/t-0/a.deleted"], 1000);
  clock.advance(500);
  deleter.schedule(["/logs/t-0/b.deleted"], 1000);
  assert.deepEqual(deleter.pendingPaths(), ["/logs/t-0/a.deleted", "/logs/t-0/b.deleted"]);
  clock.advance(499);
  assert.ok(disk.exists("/logs/t-0/a.deleted"));
  clock.advance(1);
  assert.ok(!disk.exists("/logs/t-0/a.deleted"));
  assert.ok(disk.exists("/logs/t-0/b.deleted"));
  clock.advance(500);
  assert.ok(!disk.exists("/logs/t-0/b.deleted"));
  assert.deepEqual(deleter.pendingPaths(), []);
});

Deno.test("the deleter removes at once when the delay is zero, and whole folders too", () => {
  const { disk, deleter } = setUp();
  deleter.schedule(["/logs/t-0/a.deleted"], 0);
  assert.ok(!disk.exists("/logs/t-0/a.deleted"));
  deleter.schedule(["/logs/t-0"], -5);
  assert.ok(!disk.exists("/logs/t-0"));
});

Deno.test("cancelling leaves the renamed files for the next start; runAll removes them now", () => {
  const { disk, clock, deleter } = setUp();
  deleter.schedule(["/logs/t-0/a.deleted"], 1000);
  deleter.cancelAll();
  clock.advance(2000);
  assert.ok(disk.exists("/logs/t-0/a.deleted"));
  assert.equal(clock.pendingTimers, 0);
  deleter.schedule(["/logs/t-0/b.deleted", "/logs/t-0/c.deleted"], 1000);
  deleter.runAll();
  assert.ok(!disk.exists("/logs/t-0/b.deleted") && !disk.exists("/logs/t-0/c.deleted"));
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a removal that fails is logged and does not stop the others", () => {
  const { disk, clock, lines } = setUp();
  const failing = Object.create(disk) as MemoryDisk;
  failing.remove = (path: string) => {
    if (path.endsWith("a.deleted")) throw new DiskError(`remove ${path}: I/O error`, "EIO");
    disk.remove(path);
  };
  const guarded = new DelayedFileDeleter({ disk: failing, clock, log: (line) => lines.push(line) });
  guarded.schedule(["/logs/t-0/a.deleted", "/logs/t-0/b.deleted"], 10);
  clock.advance(10);
  assert.ok(disk.exists("/logs/t-0/a.deleted"));
  assert.ok(!disk.exists("/logs/t-0/b.deleted"));
  assert.ok(lines.some((line) => line.includes("EIO") || line.includes("I/O error")));
});
