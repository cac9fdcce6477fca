/**
 * Which `__consumer_offsets` partition holds a group: Kafka's rule, so that a
 * log directory written by Kafka is served by Dafka and the reverse. Kafka
 * takes Java's `String.hashCode()` of the group id, makes it non-negative
 * with its own `Utils.abs` (which maps Integer.MIN_VALUE to 0 rather than
 * leaving it negative), and reduces it modulo the topic's partition count.
 */

/** Java's `String.hashCode()`: 31-based over UTF-16 code units, in 32-bit two's complement. */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index++) {
    hash = (Math.imul(hash, 31) + text.charCodeAt(index)) | 0;
  }
  return hash;
}

/** Kafka's `Utils.abs`: the absolute value, with Integer.MIN_VALUE mapped to 0. */
export function kafkaAbs(value: number): number {
  return value === -2147483648 ? 0 : Math.abs(value);
}

/** The `__consumer_offsets` partition of `groupId` when the topic has `partitionCount` partitions. */
export function partitionForGroup(groupId: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partition count must be a positive integer, not ${partitionCount}`);
  }
  return kafkaAbs(javaStringHashCode(groupId)) % partitionCount;
}
