import assert from "node:assert/strict";
import { offsetFileName, offsetFromFileName, parsePartitionDirectoryName } from "./file_names.ts";

Deno.test("segment file names carry 20-digit offsets", () => {
  assert.equal(offsetFileName(1234, ".log"), "00000000000000001234.log");
  assert.equal(offsetFromFileName("00000000000000001234.timeindex"), 1234);
  assert.equal(offsetFromFileName("00000000000000001234.log.swap"), 1234);
  assert.equal(offsetFromFileName("leader-epoch-checkpoint"), null);
});

Deno.test("partition folder names parse as Kafka parses them", () => {
  assert.deepEqual(parsePartitionDirectoryName("my-topic-12"), {
    topic: "my-topic",
    partition: 12,
    kind: "current",
  });
  assert.deepEqual(parsePartitionDirectoryName("__consumer_offsets-0"), {
    topic: "__consumer_offsets",
    partition: 0,
    kind: "current",
  });
  assert.deepEqual(parsePartitionDirectoryName("t-3.9f3c7d2e1b5a4c8d9e0f1a2b3c4d5e6f-delete"), {
    topic: "t",
    partition: 3,
    kind: "delete",
  });
  assert.equal(parsePartitionDirectoryName("t-3.abc-future")?.kind, "future");
  assert.equal(parsePartitionDirectoryName("t-3-delete"), null);
  assert.equal(parsePartitionDirectoryName("lost+found"), null);
  assert.equal(parsePartitionDirectoryName("topic-x"), null);
});
