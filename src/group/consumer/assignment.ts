/**
 * Sets of partitions keyed by topic id, the currency of the KIP-848 consumer
 * group protocol: target assignments, assigned partitions, partitions
 * pending revocation and the owned partitions a member reports.
 *
 * Topic ids are kept in Kafka's printed form (22 characters of URL-safe
 * base64) so that they can be map keys; the wire form (16 bytes) appears only
 * at the edges, in requests, responses and records.
 *
 * An `Assignment` is never mutated once built: builders make new maps.
 */
import { uuidFromString, uuidToString } from "../../protocol/mod.ts";

/** Partitions by topic id (printed form). Topics with no partitions are absent. */
export type Assignment = ReadonlyMap<string, ReadonlySet<number>>;

/** The wire form of a set of partitions, as requests, responses and records carry it. */
export interface TopicPartitionsWire {
  topicId: Uint8Array;
  partitions: number[];
}

/** The empty assignment. */
export const EMPTY_ASSIGNMENT: Assignment = new Map();

/** Builds an assignment from (topic id, partition) pairs; duplicates collapse. */
export function assignmentFromPairs(pairs: Iterable<readonly [string, number]>): Assignment {
  const out = new Map<string, Set<number>>();
  for (const [topicId, partition] of pairs) {
    let partitions = out.get(topicId);
    if (!partitions) out.set(topicId, partitions = new Set());
    partitions.add(partition);
  }
  return out;
}

/** Every (topic id, partition) pair of an assignment, topics and partitions in ascending order. */
export function assignmentPairs(assignment: Assignment): [string, number][] {
  const out: [string, number][] = [];
  for (const topicId of [...assignment.keys()].sort()) {
    for (const partition of sortedNumbers(assignment.get(topicId)!)) out.push([topicId, partition]);
  }
  return out;
}

/** Converts the wire form; a null list (field not sent) is empty. */
export function assignmentFromWire(topics: readonly TopicPartitionsWire[] | null): Assignment {
  if (!topics) return EMPTY_ASSIGNMENT;
  const pairs: [string, number][] = [];
  for (const topic of topics) {
    const topicId = uuidToString(topic.topicId);
    for (const partition of topic.partitions) pairs.push([topicId, partition]);
  }
  return assignmentFromPairs(pairs);
}

/** Converts to the wire form, topics and partitions sorted so that output is deterministic. */
export function assignmentToWire(assignment: Assignment): TopicPartitionsWire[] {
  return [...assignment.keys()].sort().map((topicId) => ({
    topicId: topicIdBytes(topicId),
    partitions: sortedNumbers(assignment.get(topicId)!),
  }));
}

/** The 16 bytes of a topic id in printed form. */
export function topicIdBytes(topicId: string): Uint8Array {
  const bytes = uuidFromString(topicId);
  if (!bytes) throw new Error(`malformed topic id ${topicId}`);
  return bytes;
}

/** Number of partitions in an assignment. */
export function assignmentSize(assignment: Assignment): number {
  let size = 0;
  for (const partitions of assignment.values()) size += partitions.size;
  return size;
}

/** Whether the assignment holds the partition. */
export function assignmentHas(assignment: Assignment, topicId: string, partition: number): boolean {
  return assignment.get(topicId)?.has(partition) ?? false;
}

/** Whether two assignments hold the same partitions. */
export function assignmentsEqual(left: Assignment, right: Assignment): boolean {
  if (left === right) return true;
  if (assignmentSize(left) !== assignmentSize(right)) return false;
  for (const [topicId, partitions] of left) {
    for (const partition of partitions) if (!assignmentHas(right, topicId, partition)) return false;
  }
  return true;
}

/** Whether every partition of `inner` is in `outer`. */
export function isSubsetOf(inner: Assignment, outer: Assignment): boolean {
  for (const [topicId, partitions] of inner) {
    for (const partition of partitions) if (!assignmentHas(outer, topicId, partition)) return false;
  }
  return true;
}

/** Whether the two assignments share a partition. */
export function assignmentsIntersect(left: Assignment, right: Assignment): boolean {
  for (const [topicId, partitions] of left) {
    const other = right.get(topicId);
    if (!other) continue;
    for (const partition of partitions) if (other.has(partition)) return true;
  }
  return false;
}

/** Partitions of `left` that are not in `right`. */
export function assignmentMinus(left: Assignment, right: Assignment): Assignment {
  const pairs: [string, number][] = [];
  for (const [topicId, partitions] of left) {
    for (const partition of partitions) {
      if (!assignmentHas(right, topicId, partition)) pairs.push([topicId, partition]);
    }
  }
  return assignmentFromPairs(pairs);
}

/** Readable text for logs and assertion messages: `topicId-0,topicId-1`. */
export function assignmentToText(assignment: Assignment): string {
  return assignmentPairs(assignment).map(([topicId, partition]) => `${topicId}-${partition}`).join(",");
}

function sortedNumbers(values: Iterable<number>): number[] {
  return [...values].sort((left, right) => left - right);
}
