/**
 * The `range` server assignor, as Kafka's server-side RangeAssignor: for each
 * topic, the subscribers in a fixed order get consecutive ranges of
 * partitions, the first (partitions % subscribers) of them one more than the
 * rest. Topics with the same partition count and the same subscribers are
 * therefore co-partitioned: a member gets the same partition numbers of each.
 *
 * The order puts static members first, by instance id, so that a restarted
 * static member finds the same ranges; dynamic members follow by member id.
 * It does not look at the current assignment.
 */
import { type Assignment, assignmentFromPairs } from "./assignment.ts";
import {
  type AssignmentMemberSpec,
  compareStrings,
  requirePartitionCount,
  type ServerAssignor,
} from "./assignor.ts";

/** The `range` assignor. */
export const rangeAssignor: ServerAssignor = {
  name: "range",
  assign(members, partitionCount) {
    const ordered = [...members].sort(compareForRange);
    const pairs = new Map<string, [string, number][]>(ordered.map((member) => [member.memberId, []]));
    const topicIds = [...new Set(ordered.flatMap((member) => [...member.subscribedTopicIds]))].sort();
    for (const topicId of topicIds) {
      const subscribers = ordered.filter((member) => member.subscribedTopicIds.has(topicId));
      const count = requirePartitionCount(partitionCount, topicId);
      const minimumQuota = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      let start = 0;
      subscribers.forEach((member, index) => {
        const end = start + minimumQuota + (index < extra ? 1 : 0);
        for (let partition = start; partition < end; partition++) {
          pairs.get(member.memberId)!.push([topicId, partition]);
        }
        start = end;
      });
    }
    return new Map<string, Assignment>(
      [...pairs].map(([memberId, list]) => [memberId, assignmentFromPairs(list)]),
    );
  },
};

function compareForRange(left: AssignmentMemberSpec, right: AssignmentMemberSpec): number {
  if (left.instanceId !== null && right.instanceId !== null) {
    return compareStrings(left.instanceId, right.instanceId) || compareStrings(left.memberId, right.memberId);
  }
  if (left.instanceId !== null) return -1;
  if (right.instanceId !== null) return 1;
  return compareStrings(left.memberId, right.memberId);
}
