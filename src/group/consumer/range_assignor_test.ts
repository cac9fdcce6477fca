import assert from "node:assert/strict";
import fc from "fast-check";
import { assignmentPairs } from "./assignment.ts";
import { assignorCase, checkCoverage, countsOf, resultText } from "./assignor_test_support.ts";
import { rangeAssignor } from "./range_assignor.ts";
import { topicIdFor } from "./test_helpers.ts";

Deno.test("range assigns every subscribed partition exactly once", () => {
  fc.assert(fc.property(fc.boolean().chain(assignorCase), (testCase) => {
    checkCoverage(testCase, rangeAssignor.assign(testCase.members, countsOf(testCase)));
  }));
});

Deno.test("range gives each subscriber a contiguous range of floor or ceil of its share", () => {
  fc.assert(fc.property(fc.boolean().chain(assignorCase), (testCase) => {
    const result = rangeAssignor.assign(testCase.members, countsOf(testCase));
    for (const [topicId, count] of testCase.partitionCounts) {
      const subscribers = testCase.members.filter((member) => member.subscribedTopicIds.has(topicId));
      for (const member of subscribers) {
        const partitions = [...(result.get(member.memberId)!.get(topicId) ?? [])].sort((left, right) =>
          left - right
        );
        assert.ok(
          partitions.length === Math.floor(count / subscribers.length) ||
            partitions.length === Math.ceil(count / subscribers.length),
        );
        partitions.forEach((partition, index) => assert.equal(partition, partitions[0]! + index));
      }
    }
  }));
});

Deno.test("range co-partitions topics with equal partition counts and subscribers", () => {
  fc.assert(fc.property(assignorCase(true), (testCase) => {
    const result = rangeAssignor.assign(testCase.members, countsOf(testCase));
    const topics = [...testCase.members[0]!.subscribedTopicIds];
    for (const left of topics) {
      for (const right of topics) {
        if (testCase.partitionCounts.get(left) !== testCase.partitionCounts.get(right)) continue;
        for (const member of testCase.members) {
          assert.deepEqual(
            [...(result.get(member.memberId)!.get(left) ?? [])].sort(),
            [...(result.get(member.memberId)!.get(right) ?? [])].sort(),
          );
        }
      }
    }
  }));
});

Deno.test("range gives the same result whatever the order of members", () => {
  fc.assert(fc.property(fc.boolean().chain(assignorCase), (testCase) => {
    const first = rangeAssignor.assign(testCase.members, countsOf(testCase));
    const second = rangeAssignor.assign([...testCase.members].reverse(), countsOf(testCase));
    assert.equal(resultText(second), resultText(first));
  }));
});

Deno.test("range puts static members first, by instance id", () => {
  const topic = topicIdFor(1);
  const member = (memberId: string, instanceId: string | null) => ({
    memberId,
    instanceId,
    rackId: null,
    subscribedTopicIds: new Set([topic]),
    currentAssignment: new Map(),
  });
  const result = rangeAssignor.assign([member("a", null), member("b", "z"), member("c", "y")], () => 7);
  assert.deepEqual(assignmentPairs(result.get("c")!), [[topic, 0], [topic, 1], [topic, 2]]);
  assert.deepEqual(assignmentPairs(result.get("b")!), [[topic, 3], [topic, 4]]);
  assert.deepEqual(assignmentPairs(result.get("a")!), [[topic, 5], [topic, 6]]);
});
