import assert from "node:assert/strict";
import fc from "fast-check";
import { javaStringHashCode, kafkaAbs, partitionForGroup } from "./partition_for.ts";

Deno.test("group ids hash to the partitions Kafka 2.7.1 wrote them to", () => {
  // From test/fixtures/kafka-2.7.1-logdir: each group's records sit in this partition of 50.
  const placed: [string, number][] = [
    ["console-consumer-55231", 17],
    ["console-consumer-70596", 28],
    ["console-consumer-10731", 33],
    ["console-consumer-52588", 39],
    ["console-consumer-65070", 39],
    ["console-consumer-1152", 8],
  ];
  for (const [groupId, partition] of placed) assert.equal(partitionForGroup(groupId, 50), partition, groupId);
});

Deno.test("the hash is Java's String.hashCode over UTF-16 code units", () => {
  assert.equal(javaStringHashCode(""), 0);
  assert.equal(javaStringHashCode("a"), 97);
  assert.equal(javaStringHashCode("hello"), 99162322);
  assert.equal(javaStringHashCode("polygenelubricants"), -2147483648);
  assert.equal(javaStringHashCode("😀"), 1772899);
});

Deno.test("Kafka's abs maps Integer.MIN_VALUE to 0, so every group lands in range", () => {
  assert.equal(kafkaAbs(-2147483648), 0);
  assert.equal(partitionForGroup("polygenelubricants", 50), 0);
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), fc.integer({ min: 1, max: 1000 }), (groupId, count) => {
      const partition = partitionForGroup(groupId, count);
      return Number.isInteger(partition) && partition >= 0 && partition < count;
    }),
    { numRuns: 300 },
  );
});
