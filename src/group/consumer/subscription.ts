/**
 * The group's subscription metadata: for every topic some member subscribes
 * to and that exists, its id and partition count. A change in it (a member
 * subscribes to a new topic, a topic is created, deleted, re-created or
 * grows partitions) bumps the group epoch and so triggers a new target
 * assignment.
 */
import type { ConsumerGroup, SubscribedTopicMetadata, SubscriptionMetadata } from "./group.ts";
import type { ConsumerGroupMember } from "./member.ts";
import type { TopicMetadataSource } from "./topics.ts";

/**
 * The topic names the group subscribes to once `removedMemberIds` are gone
 * and `updatedMember` (if any) has its new subscription.
 */
export function subscribedTopicNames(
  group: ConsumerGroup,
  updatedMember: ConsumerGroupMember | null,
  removedMemberIds: readonly string[],
): Set<string> {
  const skipped = new Set(removedMemberIds);
  if (updatedMember) skipped.add(updatedMember.memberId);
  const names = new Set<string>();
  for (const member of group.members.values()) {
    if (!skipped.has(member.memberId)) { for (const name of member.subscribedTopicNames) names.add(name); }
  }
  if (updatedMember) { for (const name of updatedMember.subscribedTopicNames) names.add(name); }
  return names;
}

/** The metadata of the named topics that exist now. */
export function computeSubscriptionMetadata(
  names: Iterable<string>,
  topics: TopicMetadataSource,
): Map<string, SubscribedTopicMetadata> {
  const out = new Map<string, SubscribedTopicMetadata>();
  for (const name of [...names].sort()) {
    const topic = topics.topicByName(name);
    if (topic) {
      out.set(name, { topicId: topic.topicId, topicName: name, partitionCount: topic.partitionCount });
    }
  }
  return out;
}

/**
 * The stored metadata restricted to `names`: used when a member is removed
 * without a request to bring fresh topic metadata (session expiry). A topic
 * change is then noticed at the next heartbeat.
 */
export function restrictSubscriptionMetadata(
  metadata: SubscriptionMetadata,
  names: ReadonlySet<string>,
): Map<string, SubscribedTopicMetadata> {
  return new Map([...metadata].filter(([name]) => names.has(name)));
}

/** Whether two subscription metadata maps describe the same topics. */
export function sameSubscriptionMetadata(left: SubscriptionMetadata, right: SubscriptionMetadata): boolean {
  if (left.size !== right.size) return false;
  for (const [name, topic] of left) {
    const other = right.get(name);
    if (!other || other.topicId !== topic.topicId || other.partitionCount !== topic.partitionCount) {
      return false;
    }
  }
  return true;
}
