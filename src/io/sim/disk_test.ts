import assert from "node:assert/strict";
import { DiskError } from "../types.ts";
import { SimDisk } from "./disk.ts";
import { Incarnation } from "./incarnation.ts";
import { SeededRandom } from "./random.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const code = (expected: string) => (error: unknown) => error instanceof DiskError && error.code === expected;

Deno.test("a crash loses unsynced writes and keeps synced ones", () => {
  const disk = new SimDisk(new SeededRandom(1));
  const view = disk.view(null);
  view.mkdirs("/data/topic-0");
  const file = view.open("/data/topic-0/00000000000000000000.log", { create: true });
  file.append(bytes(1, 2, 3));
  file.sync();
  file.append(bytes(4, 5));
  file.writeAt(0, bytes(9));
  assert.deepEqual(view.readFile("/data/topic-0/00000000000000000000.log"), bytes(9, 2, 3, 4, 5));
  disk.crash();
  assert.deepEqual(view.readFile("/data/topic-0/00000000000000000000.log"), bytes(1, 2, 3));
});

Deno.test("a file created but never synced survives a crash empty (directory entries are immediate)", () => {
  const disk = new SimDisk(new SeededRandom(1));
  const view = disk.view(null);
  view.open("/a", { create: true }).append(bytes(1));
  view.writeFileAtomic("/b", bytes(7, 7));
  disk.crash();
  assert.deepEqual(view.list("/"), ["a", "b"]);
  assert.deepEqual(view.readFile("/a"), bytes());
  assert.deepEqual(view.readFile("/b"), bytes(7, 7));
});

Deno.test("with after-sync directory durability, entries need syncDirectory to survive", () => {
  const disk = new SimDisk(new SeededRandom(1), { directoryDurability: "after-sync" });
  const view = disk.view(null);
  view.mkdirs("/logs");
  view.syncDirectory("/");
  // writeFileAtomic syncs the parent folder itself (as Kafka's atomic moves do): its entry is durable at once.
  view.writeFileAtomic("/logs/kept", bytes(1));
  const lost = view.open("/logs/lost", { create: true });
  lost.append(bytes(2));
  lost.sync();
  view.rename("/logs/kept", "/logs/renamed");
  disk.crash();
  assert.deepEqual(view.list("/logs"), ["kept"]);
  assert.deepEqual(view.readFile("/logs/kept"), bytes(1));
});

Deno.test("torn writes are deterministic for a seed and only keep a prefix of what was written", () => {
  const outcome = (seed: number) => {
    const disk = new SimDisk(new SeededRandom(seed), { tornWriteProbability: 1, garbageProbability: 0 });
    const view = disk.view(null);
    const file = view.open("/log", { create: true });
    file.append(bytes(1, 1));
    file.sync();
    for (let index = 0; index < 5; index++) file.append(new Uint8Array(10).fill(index + 2));
    const written = view.readFile("/log")!;
    disk.crash();
    const survived = view.readFile("/log")!;
    return { written, survived };
  };
  const results = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const { written, survived } = outcome(seed);
    assert.deepEqual(outcome(seed).survived, survived, "same seed, same tear");
    assert.ok(survived.length >= 2 && survived.length <= written.length);
    assert.deepEqual(survived, written.subarray(0, survived.length), "a prefix of the real bytes");
    results.add(survived.length.toString());
  }
  assert.ok(results.size > 5, "different seeds tear at different places");
});

Deno.test("a torn write may leave garbage instead of its data", () => {
  let sawGarbage = false;
  for (let seed = 0; seed < 20 && !sawGarbage; seed++) {
    const disk = new SimDisk(new SeededRandom(seed), { tornWriteProbability: 1, garbageProbability: 1 });
    const view = disk.view(null);
    view.open("/log", { create: true }).append(new Uint8Array(64));
    disk.crash();
    sawGarbage = view.readFile("/log")!.some((byte) => byte !== 0);
  }
  assert.ok(sawGarbage);
});

Deno.test("folders: list is sorted, renames move whole folders, remove is recursive", () => {
  const view = new SimDisk(new SeededRandom(1)).view(null);
  view.mkdirs("/d/topic-1");
  view.mkdirs("d/topic-0/");
  view.writeFileAtomic("/d/topic-1/x", bytes(1));
  assert.deepEqual(view.list("/d"), ["topic-0", "topic-1"]);
  assert.equal(view.isDirectory("/d/topic-1"), true);
  assert.equal(view.isDirectory("/d/topic-1/x"), false);
  view.rename("/d/topic-1", "/d/topic-1.abc-delete");
  assert.deepEqual(view.readFile("/d/topic-1.abc-delete/x"), bytes(1));
  assert.equal(view.exists("/d/topic-1"), false);
  view.remove("/d/topic-1.abc-delete");
  view.remove("/d/never-existed");
  assert.deepEqual(view.list("/d"), ["topic-0"]);
  assert.throws(() => view.list("/missing"), code("ENOENT"));
  assert.throws(() => view.open("/missing/file", { create: true }), code("ENOENT"));
  assert.throws(() => view.open("/d/nothing"), code("ENOENT"));
  assert.throws(() => view.rename("/d", "/d/topic-0/inside"), code("EINVAL"));
});

Deno.test("an open file keeps working after it is renamed, and reads past the end are short", () => {
  const view = new SimDisk(new SeededRandom(1)).view(null);
  const file = view.open("/segment.log.swap", { create: true });
  file.append(bytes(1, 2, 3));
  view.rename("/segment.log.swap", "/segment.log");
  file.append(bytes(4));
  assert.deepEqual(view.readFile("/segment.log"), bytes(1, 2, 3, 4));
  assert.deepEqual(file.readAt(2, 10), bytes(3, 4));
  assert.deepEqual(file.readAt(10, 10), bytes());
  file.truncate(1);
  assert.equal(file.size(), 1);
  file.writeAt(3, bytes(5));
  assert.deepEqual(file.readAt(0, 10), bytes(1, 0, 0, 5));
  file.close();
  assert.throws(() => file.size(), code("EBADF"));
});

Deno.test("faults: ENOSPC past capacity, read errors and injected errors when switched on", () => {
  const disk = new SimDisk(new SeededRandom(1));
  const view = disk.view(null);
  const file = view.open("/f", { create: true });
  disk.faults.capacityBytes = 10;
  file.append(new Uint8Array(8));
  assert.throws(() => file.append(new Uint8Array(3)), code("ENOSPC"));
  assert.equal(file.size(), 8);
  disk.faults.readErrorProbability = 1;
  assert.throws(() => file.readAt(0, 1), code("EIO"));
  disk.faults.readErrorProbability = 0;
  disk.faults.inject = (operation) => operation === "sync" ? "EIO" : null;
  assert.throws(() => file.sync(), code("EIO"));
});

Deno.test("the disk refuses to serve a dead incarnation", () => {
  const disk = new SimDisk(new SeededRandom(1));
  const incarnation = new Incarnation("node", 1);
  const view = disk.view(incarnation);
  const file = view.open("/f", { create: true });
  incarnation.kill();
  assert.throws(() => view.list("/"), /dead incarnation/);
  assert.throws(() => file.append(bytes(1)), /dead incarnation/);
});
