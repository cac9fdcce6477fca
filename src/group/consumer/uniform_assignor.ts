/**
 * The `uniform` server assignor (Kafka's default for consumer groups):
 * spreads partitions evenly over the members and keeps each partition where
 * the current target assignment has it whenever balance allows.
 *
 * - When every member subscribes to the same topics, each member gets
 *   floor(P / M) or that plus one partitions. The members keeping the most of
 *   their current partitions get the larger quotas, so as few partitions as
 *   possible move.
 * - When subscriptions differ, each member keeps what it may still have,
 *   the rest go one by one (the topics with fewest subscribers first) to the
 *   least loaded subscriber, then partitions move from a member to a less
 *   loaded subscriber while that narrows the gap by two or more.
 */
import { type Assignment, assignmentFromPairs, assignmentPairs } from "./assignment.ts";
import {
  type AssignmentMemberSpec,
  compareStrings,
  isHomogeneous,
  requirePartitionCount,
  type ServerAssignor,
  sortedByMemberId,
} from "./assignor.ts";

/** The `uniform` assignor. */
export const uniformAssignor: ServerAssignor = {
  name: "uniform",
  assign(members, partitionCount) {
    if (members.length === 0) return new Map();
    const sorted = sortedByMemberId(members);
    return isHomogeneous(sorted)
      ? assignHomogeneous(sorted, partitionCount)
      : assignHeterogeneous(sorted, partitionCount);
  },
};

type Partition = readonly [topicId: string, partition: number];

const keyOf = ([topicId, partition]: Partition): string => `${topicId}:${partition}`;

/**
 * The current partitions each member may keep: the topic is still subscribed,
 * the partition still exists, and no member earlier in id order claimed it
 * (two members never share a target, but the input is not trusted for that).
 */
function retainedPartitions(
  members: readonly AssignmentMemberSpec[],
  partitionCount: (topicId: string) => number,
): Map<string, Partition[]> {
  const claimed = new Set<string>();
  const retained = new Map<string, Partition[]>();
  for (const member of members) {
    const kept: Partition[] = [];
    for (const partition of assignmentPairs(member.currentAssignment)) {
      const [topicId, number] = partition;
      if (!member.subscribedTopicIds.has(topicId)) continue;
      if (number >= requirePartitionCount(partitionCount, topicId)) continue;
      if (claimed.has(keyOf(partition))) continue;
      claimed.add(keyOf(partition));
      kept.push(partition);
    }
    retained.set(member.memberId, kept);
  }
  return retained;
}

/** Every partition of the given topics, topics in id order. */
function allPartitions(topicIds: Iterable<string>, partitionCount: (topicId: string) => number): Partition[] {
  const out: Partition[] = [];
  for (const topicId of [...topicIds].sort()) {
    const count = requirePartitionCount(partitionCount, topicId);
    for (let partition = 0; partition < count; partition++) out.push([topicId, partition]);
  }
  return out;
}

function assignHomogeneous(
  members: readonly AssignmentMemberSpec[],
  partitionCount: (topicId: string) => number,
): Map<string, Assignment> {
  const partitions = allPartitions(members[0]!.subscribedTopicIds, partitionCount);
  const retained = retainedPartitions(members, partitionCount);
  const minimumQuota = Math.floor(partitions.length / members.length);
  let extraSlots = partitions.length % members.length;
  // The extra slots go to the members that already hold the most partitions.
  const byRetained = [...members].sort((left, right) =>
    retained.get(right.memberId)!.length - retained.get(left.memberId)!.length ||
    compareStrings(left.memberId, right.memberId)
  );
  const quotas = new Map<string, number>();
  for (const member of byRetained) {
    quotas.set(member.memberId, minimumQuota + (extraSlots > 0 ? 1 : 0));
    if (extraSlots > 0) extraSlots--;
  }
  const kept = new Set<string>();
  const result = new Map<string, Partition[]>();
  for (const member of members) {
    const keep = retained.get(member.memberId)!.slice(0, quotas.get(member.memberId)!);
    for (const partition of keep) kept.add(keyOf(partition));
    result.set(member.memberId, keep);
  }
  const unassigned = partitions.filter((partition) => !kept.has(keyOf(partition)));
  let next = 0;
  for (const member of members) {
    const list = result.get(member.memberId)!;
    while (list.length < quotas.get(member.memberId)! && next < unassigned.length) {
      list.push(unassigned[next++]!);
    }
  }
  if (next !== unassigned.length) throw new Error("uniform assignor left partitions unassigned");
  return toAssignments(result);
}

function assignHeterogeneous(
  members: readonly AssignmentMemberSpec[],
  partitionCount: (topicId: string) => number,
): Map<string, Assignment> {
  const subscribers = new Map<string, string[]>();
  for (const member of members) {
    for (const topicId of member.subscribedTopicIds) {
      let list = subscribers.get(topicId);
      if (!list) subscribers.set(topicId, list = []);
      list.push(member.memberId);
    }
  }
  const owned = new Map<string, Map<string, Partition>>();
  const retained = retainedPartitions(members, partitionCount);
  for (const member of members) {
    owned.set(
      member.memberId,
      new Map(retained.get(member.memberId)!.map((partition) => [keyOf(partition), partition])),
    );
  }
  const taken = new Set([...owned.values()].flatMap((partitions) => [...partitions.keys()]));
  const count = (memberId: string) => owned.get(memberId)!.size;
  const leastLoaded = (topicId: string) =>
    subscribers.get(topicId)!.reduce((best, candidate) => count(candidate) < count(best) ? candidate : best);

  const unassigned = allPartitions(subscribers.keys(), partitionCount)
    .filter((partition) => !taken.has(keyOf(partition)))
    .sort((left, right) =>
      subscribers.get(left[0])!.length - subscribers.get(right[0])!.length ||
      compareStrings(left[0], right[0]) || left[1] - right[1]
    );
  for (const partition of unassigned) owned.get(leastLoaded(partition[0]))!.set(keyOf(partition), partition);

  balance(members, owned, count, leastLoaded);
  return toAssignments(
    new Map([...owned].map(([memberId, partitions]) => [memberId, [...partitions.values()]])),
  );
}

/**
 * Moves partitions from a member to a less loaded subscriber while that
 * narrows their gap by two or more. Each move lowers the sum of squared
 * member loads by at least two, so the loop ends; the bound makes sure.
 */
function balance(
  members: readonly AssignmentMemberSpec[],
  owned: Map<string, Map<string, Partition>>,
  count: (memberId: string) => number,
  leastLoaded: (topicId: string) => string,
): void {
  const totalPartitions = members.reduce((sum, member) => sum + count(member.memberId), 0);
  const maximumPasses = totalPartitions * totalPartitions + 1;
  for (let pass = 0; pass < maximumPasses; pass++) {
    let moved = false;
    const byLoad = [...members].sort((left, right) =>
      count(right.memberId) - count(left.memberId) || compareStrings(left.memberId, right.memberId)
    );
    for (const member of byLoad) {
      const partitions = owned.get(member.memberId)!;
      for (const [key, partition] of [...partitions].sort(([left], [right]) => compareStrings(left, right))) {
        const target = leastLoaded(partition[0]);
        if (count(member.memberId) - count(target) < 2) continue;
        partitions.delete(key);
        owned.get(target)!.set(key, partition);
        moved = true;
      }
    }
    if (!moved) return;
  }
  throw new Error("uniform assignor did not converge");
}

function toAssignments(partitions: Map<string, readonly Partition[]>): Map<string, Assignment> {
  return new Map([...partitions].map(([memberId, list]) => [memberId, assignmentFromPairs(list)]));
}
