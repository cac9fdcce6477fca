import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryDisk } from "../io/sim/mod.ts";
import {
  CheckpointFormatError,
  decodeCheckpoint,
  readOffsetCheckpoint,
  type TopicPartitionOffset,
  writeOffsetCheckpoint,
} from "./checkpoint_file.ts";

Deno.test("offset checkpoints are a version, a count and 'topic partition offset' lines", () => {
  const disk = new MemoryDisk();
  writeOffsetCheckpoint(disk, "/cp", [{ topic: "orders", partition: 2, offset: 17 }, {
    topic: "a.b-c",
    partition: 0,
    offset: 0,
  }]);
  assert.equal(new TextDecoder().decode(disk.readFile("/cp")!), "0\n2\norders 2 17\na.b-c 0 0\n");
});

Deno.test("offset checkpoints round-trip", () => {
  const entry: fc.Arbitrary<TopicPartitionOffset> = fc.record({
    topic: fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/),
    partition: fc.integer({ min: 0, max: 100_000 }),
    offset: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  });
  fc.assert(fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
    const disk = new MemoryDisk();
    writeOffsetCheckpoint(disk, "/cp", entries);
    assert.deepEqual(readOffsetCheckpoint(disk, "/cp"), entries.map((value) => ({ ...value })));
  }));
});

Deno.test("checkpoint reading follows Kafka: empty files are empty, bad ones fail", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  assert.deepEqual(decodeCheckpoint(encode(""), 0, "x"), []);
  assert.deepEqual(decodeCheckpoint(encode("0\n"), 0, "x"), []);
  assert.deepEqual(decodeCheckpoint(encode("0\r\n1\r\nt 0 5\r\n"), 0, "x"), ["t 0 5"]);
  assert.throws(() => decodeCheckpoint(encode("1\n0\n"), 0, "x"), CheckpointFormatError);
  assert.throws(() => decodeCheckpoint(encode("0\n2\nt 0 5\n"), 0, "x"), CheckpointFormatError);
  const disk = new MemoryDisk();
  disk.writeFileAtomic("/cp", encode("0\n1\nt zero 5\n"));
  assert.throws(() => readOffsetCheckpoint(disk, "/cp"), CheckpointFormatError);
  assert.deepEqual(readOffsetCheckpoint(disk, "/missing"), []);
});
