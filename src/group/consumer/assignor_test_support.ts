/**
 * Generators and checks shared by the assignor tests. Not used by broker code.
 */
import fc from "fast-check";
import { type Assignment, assignmentFromPairs, assignmentPairs, assignmentSize } from "./assignment.ts";
import type { AssignmentMemberSpec } from "./assignor.ts";
import { topicIdFor } from "./test_helpers.ts";

/** A generated group: partition counts by topic id and the members. */
export interface AssignorCase {
  partitionCounts: Map<string, number>;
  members: AssignmentMemberSpec[];
}

const topicIds = [1, 2, 3, 4].map(topicIdFor);

/**
 * Groups of 1 to 8 members over up to 4 topics of 0 to 12 partitions, with
 * arbitrary (possibly stale or overlapping) current assignments. With
 * `homogeneous`, every member subscribes to the same topics.
 */
export function assignorCase(homogeneous: boolean): fc.Arbitrary<AssignorCase> {
  return fc.record({
    counts: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 4, maxLength: 4 }),
    shared: fc.subarray(topicIds, { minLength: 1 }),
    members: fc.uniqueArray(
      fc.record({
        memberId: fc.stringMatching(/^[a-h][0-9]$/),
        instanceId: fc.option(fc.stringMatching(/^i[0-9]$/)),
        topics: fc.subarray(topicIds),
        current: fc.array(fc.tuple(fc.constantFrom(...topicIds), fc.integer({ min: 0, max: 14 })), {
          maxLength: 10,
        }),
      }),
      { minLength: 1, maxLength: 8, selector: (member) => member.memberId },
    ),
  }).map(({ counts, shared, members }) => ({
    partitionCounts: new Map(topicIds.map((topicId, index) => [topicId, counts[index]!])),
    members: members.map((member) => ({
      memberId: member.memberId,
      instanceId: member.instanceId,
      rackId: null,
      subscribedTopicIds: new Set(homogeneous ? shared : member.topics),
      currentAssignment: assignmentFromPairs(member.current),
    })),
  }));
}

/** The partition count function of a case. */
export function countsOf(testCase: AssignorCase): (topicId: string) => number {
  return (topicId) => testCase.partitionCounts.get(topicId) ?? -1;
}

/**
 * Throws unless every partition of every subscribed topic is assigned to
 * exactly one member, that member subscribes to it, and every member has an entry.
 */
export function checkCoverage(testCase: AssignorCase, result: Map<string, Assignment>): void {
  const owners = new Map<string, string>();
  for (const member of testCase.members) {
    const assignment = result.get(member.memberId);
    if (!assignment) throw new Error(`no entry for ${member.memberId}`);
    for (const [topicId, partition] of assignmentPairs(assignment)) {
      if (!member.subscribedTopicIds.has(topicId)) {
        throw new Error(`${member.memberId} got unsubscribed ${topicId}`);
      }
      if (partition >= testCase.partitionCounts.get(topicId)!) {
        throw new Error(`${topicId}-${partition} does not exist`);
      }
      const key = `${topicId}-${partition}`;
      if (owners.has(key)) throw new Error(`${key} given to ${owners.get(key)} and ${member.memberId}`);
      owners.set(key, member.memberId);
    }
  }
  const subscribed = new Set(testCase.members.flatMap((member) => [...member.subscribedTopicIds]));
  for (const topicId of subscribed) {
    for (let partition = 0; partition < testCase.partitionCounts.get(topicId)!; partition++) {
      if (!owners.has(`${topicId}-${partition}`)) throw new Error(`${topicId}-${partition} unassigned`);
    }
  }
}

/** The spread between the most and least loaded members. */
export function loadSpread(result: Map<string, Assignment>): number {
  const sizes = [...result.values()].map(assignmentSize);
  return Math.max(...sizes) - Math.min(...sizes);
}

/** The case with every member's current assignment replaced by `result`. */
export function withCurrent(testCase: AssignorCase, result: Map<string, Assignment>): AssignorCase {
  return {
    ...testCase,
    members: testCase.members.map((member) => ({
      ...member,
      currentAssignment: result.get(member.memberId)!,
    })),
  };
}

/** Canonical text of a result, for equality checks. */
export function resultText(result: Map<string, Assignment>): string {
  return [...result.keys()].sort().map((memberId) =>
    `${memberId}:${
      assignmentPairs(result.get(memberId)!).map(([topicId, partition]) => `${topicId}-${partition}`)
    }`
  ).join(" ");
}
