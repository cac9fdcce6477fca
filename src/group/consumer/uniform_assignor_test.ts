import assert from "node:assert/strict";
import fc from "fast-check";
import { assignmentFromPairs, assignmentPairs, assignmentSize } from "./assignment.ts";
import {
  assignorCase,
  checkCoverage,
  countsOf,
  loadSpread,
  resultText,
  withCurrent,
} from "./assignor_test_support.ts";
import { uniformAssignor } from "./uniform_assignor.ts";
import { topicIdFor } from "./test_helpers.ts";

const shuffled = <T>(items: T[], seed: number): T[] =>
  items.map((item, index) => ({ item, key: (index * 7919 + seed * 104729) % 65521 }))
    .sort((left, right) => left.key - right.key).map(({ item }) => item);

Deno.test("uniform assigns every subscribed partition exactly once", () => {
  fc.assert(fc.property(fc.boolean().chain(assignorCase), (testCase) => {
    checkCoverage(testCase, uniformAssignor.assign(testCase.members, countsOf(testCase)));
  }));
});

Deno.test("uniform balances within one partition when subscriptions are equal", () => {
  fc.assert(fc.property(assignorCase(true), (testCase) => {
    assert.ok(loadSpread(uniformAssignor.assign(testCase.members, countsOf(testCase))) <= 1);
  }));
});

Deno.test("uniform leaves no move that would narrow a gap by two with different subscriptions", () => {
  fc.assert(fc.property(assignorCase(false), (testCase) => {
    const result = uniformAssignor.assign(testCase.members, countsOf(testCase));
    for (const member of testCase.members) {
      const size = assignmentSize(result.get(member.memberId)!);
      for (const [topicId] of assignmentPairs(result.get(member.memberId)!)) {
        for (const other of testCase.members) {
          if (other.subscribedTopicIds.has(topicId)) {
            assert.ok(
              size - assignmentSize(result.get(other.memberId)!) <= 1,
              `${member.memberId} vs ${other.memberId}`,
            );
          }
        }
      }
    }
  }));
});

Deno.test("uniform gives the same result whatever the order of members", () => {
  fc.assert(fc.property(fc.boolean().chain(assignorCase), fc.nat(1000), (testCase, seed) => {
    const first = uniformAssignor.assign(testCase.members, countsOf(testCase));
    const second = uniformAssignor.assign(shuffled(testCase.members, seed), countsOf(testCase));
    assert.equal(resultText(second), resultText(first));
  }));
});

Deno.test("uniform keeps a balanced assignment as it is", () => {
  fc.assert(fc.property(fc.boolean().chain(assignorCase), (testCase) => {
    const first = uniformAssignor.assign(testCase.members, countsOf(testCase));
    const again = uniformAssignor.assign(withCurrent(testCase, first).members, countsOf(testCase));
    assert.equal(resultText(again), resultText(first));
  }));
});

Deno.test("uniform moves only partitions above a member's quota when members come or go", () => {
  fc.assert(fc.property(assignorCase(true), fc.nat(3), (testCase, removed) => {
    const counts = countsOf(testCase);
    const before = uniformAssignor.assign(testCase.members, counts);
    // One member leaves (if there are several) and one joins.
    const remaining = testCase.members.length > 1
      ? testCase.members.filter((_, index) => index !== removed % testCase.members.length)
      : testCase.members;
    const newcomer = {
      ...testCase.members[0]!,
      memberId: "z9",
      instanceId: null,
      currentAssignment: new Map(),
    };
    const next = [...withCurrent({ ...testCase, members: remaining }, before).members, newcomer];
    const after = uniformAssignor.assign(next, counts);
    const total = [...after.values()].reduce((sum, assignment) => sum + assignmentSize(assignment), 0);
    const minimumQuota = Math.floor(total / next.length);
    for (const member of remaining) {
      const kept = assignmentPairs(before.get(member.memberId)!)
        .filter(([topicId, partition]) => after.get(member.memberId)!.get(topicId)?.has(partition)).length;
      assert.ok(
        kept >= Math.min(assignmentSize(before.get(member.memberId)!), minimumQuota),
        member.memberId,
      );
    }
  }));
});

Deno.test("uniform gives a newcomer partitions from the most loaded members", () => {
  const topic = topicIdFor(1);
  const members = [
    { memberId: "a", currentAssignment: assignmentFromPairs([[topic, 0], [topic, 1], [topic, 2]]) },
    { memberId: "b", currentAssignment: assignmentFromPairs([[topic, 3], [topic, 4], [topic, 5]]) },
    { memberId: "c", currentAssignment: new Map() },
  ].map((member) => ({ ...member, instanceId: null, rackId: null, subscribedTopicIds: new Set([topic]) }));
  const result = uniformAssignor.assign(members, () => 6);
  assert.deepEqual(assignmentPairs(result.get("a")!), [[topic, 0], [topic, 1]]);
  assert.deepEqual(assignmentPairs(result.get("b")!), [[topic, 3], [topic, 4]]);
  assert.deepEqual(assignmentPairs(result.get("c")!), [[topic, 2], [topic, 5]]);
});
