/**
 * Leader and ISR changes that follow a broker's fencing, unfencing,
 * controlled shutdown or unregistration, as Kafka's controller computes them
 * (clean elections only, no eligible leader replicas, metadata.version 3.6 and
 * later, where shrinking an ISR does not bump the leader epoch).
 */
import type { MetadataImage, PartitionImage, TopicImage } from "./image.ts";
import { MetadataRecordType, type PartitionChangeRecord } from "./records.ts";

/** The leader of a partition no replica can lead. */
export const NO_LEADER = -1;

/** PartitionChangeRecord's leader value for "leader unchanged". */
export const NO_LEADER_CHANGE = -2;

/**
 * Whether a broker may lead partitions: registered, unfenced and not in
 * controlled shutdown (Kafka's "active" broker).
 */
export function isActiveBroker(image: MetadataImage, brokerId: number): boolean {
  const broker = image.brokers.get(brokerId);
  return broker !== undefined && !broker.fenced && !broker.inControlledShutdown;
}

/** Which broker leaves or joins the set of acceptable leaders. */
export interface ElectionChange {
  /** A broker leaving: taken out of every ISR and never elected. */
  brokerToRemove?: number;
  /** A broker joining: acceptable as leader although the image still shows it fenced. */
  brokerToAdd?: number;
}

/**
 * The change record for one partition, or null when nothing changes. The ISR
 * loses `brokerToRemove`, except that its last member stays (so that the
 * partition remembers which replica has all committed data); the leader stays
 * if it is still an acceptable ISR member, otherwise the first acceptable ISR
 * member in replica order is elected, or no leader at all.
 */
export function partitionChange(
  image: MetadataImage,
  topic: TopicImage,
  partition: PartitionImage,
  change: ElectionChange,
): PartitionChangeRecord | null {
  const acceptable = (replica: number) =>
    replica !== change.brokerToRemove && (replica === change.brokerToAdd || isActiveBroker(image, replica));
  const targetIsr = partition.isr.filter((replica) => replica !== change.brokerToRemove);
  const canLead = (replica: number) => targetIsr.includes(replica) && acceptable(replica);
  const leader = canLead(partition.leader) ? partition.leader : partition.replicas.find(canLead) ?? NO_LEADER;
  const isrChanges = targetIsr.length > 0 && !sameList(targetIsr, partition.isr);
  if (leader === partition.leader && !isrChanges) return null;
  return {
    type: MetadataRecordType.PartitionChange,
    topicId: topic.topicId,
    partitionId: partition.partition,
    isr: isrChanges ? targetIsr : null,
    leader: leader === partition.leader ? NO_LEADER_CHANGE : leader,
    replicas: null,
  };
}

/**
 * Change records for every partition `select` picks, in topic then
 * partition order (deterministic, so every controller writes the same log).
 */
export function partitionChanges(
  image: MetadataImage,
  select: (partition: PartitionImage) => boolean,
  change: ElectionChange,
): PartitionChangeRecord[] {
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topicsById.values()) {
    for (const partition of topic.partitions) {
      if (!partition || !select(partition)) continue;
      const record = partitionChange(image, topic, partition, change);
      if (record) records.push(record);
    }
  }
  return records;
}

/** Changes moving leadership and ISR membership away from a broker that leaves. */
export function changesRemovingBroker(image: MetadataImage, brokerId: number): PartitionChangeRecord[] {
  return partitionChanges(
    image,
    (partition) => partition.isr.includes(brokerId) || partition.leader === brokerId,
    { brokerToRemove: brokerId },
  );
}

/** Elections for leaderless partitions, now that `brokerId` may lead. */
export function changesAddingBroker(image: MetadataImage, brokerId: number): PartitionChangeRecord[] {
  return partitionChanges(image, (partition) => partition.leader === NO_LEADER, { brokerToAdd: brokerId });
}

/** Whether a broker leads any partition. */
export function leadsAnyPartition(image: MetadataImage, brokerId: number): boolean {
  for (const topic of image.topicsById.values()) {
    if (topic.partitions.some((partition) => partition?.leader === brokerId)) return true;
  }
  return false;
}

function sameList(left: number[], right: number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}
