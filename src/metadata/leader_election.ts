/**
 * Leader and ISR changes that follow a broker's fencing, unfencing,
 * controlled shutdown, unregistration or restart, as Kafka's controller
 * computes them (no eligible leader replicas yet; metadata.version 3.6 and
 * later, where shrinking an ISR does not bump the leader epoch). Elections are
 * clean unless `unclean.leader.election.enable` holds for the topic: then a
 * partition whose ISR has no live member is led by a live replica outside it,
 * which may lack committed records, so it leads alone and RECOVERING (KIP-704).
 */
import {
  ConfigResourceType,
  LeaderRecoveryState,
  MetadataRecordType,
  type PartitionChangeRecord,
} from "./records.ts";
import type { MetadataImage, PartitionImage, TopicImage } from "./image.ts";

/** What an election needs beyond the image: the controller's static `unclean.leader.election.enable`. */
export interface ElectionSettings {
  uncleanLeaderElectionEnable: boolean;
}

/** Elections with Kafka's default: clean only, unless a dynamic config says otherwise. */
export const CLEAN_ELECTIONS: ElectionSettings = { uncleanLeaderElectionEnable: false };

/**
 * Whether `unclean.leader.election.enable` holds for a topic: its own override, else the cluster-wide
 * dynamic broker value, else the controller's static one (Kafka's precedence; the key is cluster-wide only).
 */
export function uncleanElectionEnabled(
  image: MetadataImage,
  topicName: string,
  settings: ElectionSettings,
): boolean {
  const key = "unclean.leader.election.enable";
  const value = image.configsOf(ConfigResourceType.Topic, topicName).get(key) ??
    image.configsOf(ConfigResourceType.Broker, "").get(key);
  return value === undefined ? settings.uncleanLeaderElectionEnable : value.trim().toLowerCase() === "true";
}

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
  /** Whether a topic allows an unclean election (absent: never). */
  uncleanAllowed?: (topic: TopicImage) => boolean;
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
  let targetIsr = partition.isr.filter((replica) => replica !== change.brokerToRemove);
  const canLead = (replica: number) => targetIsr.includes(replica) && acceptable(replica);
  let leader = canLead(partition.leader) ? partition.leader : partition.replicas.find(canLead) ?? NO_LEADER;
  let recovery: number = LeaderRecoveryState.NoChange;
  if (leader === NO_LEADER && change.uncleanAllowed?.(topic)) {
    const outOfSync = partition.replicas.find(acceptable);
    if (outOfSync !== undefined) {
      leader = outOfSync;
      targetIsr = [outOfSync];
      // Already RECOVERING (a second unclean election in a row): the record leaves the state as it is.
      if (partition.leaderRecoveryState !== LeaderRecoveryState.Recovering) {
        recovery = LeaderRecoveryState.Recovering;
      }
    }
  }
  const isrChanges = targetIsr.length > 0 && !sameList(targetIsr, partition.isr);
  if (leader === partition.leader && !isrChanges) return null;
  const record: PartitionChangeRecord = {
    type: MetadataRecordType.PartitionChange,
    topicId: topic.topicId,
    partitionId: partition.partition,
    isr: isrChanges ? targetIsr : null,
    leader: leader === partition.leader ? NO_LEADER_CHANGE : leader,
    replicas: null,
  };
  if (recovery !== LeaderRecoveryState.NoChange) record.leaderRecoveryState = recovery;
  return record;
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
export function changesRemovingBroker(
  image: MetadataImage,
  brokerId: number,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): PartitionChangeRecord[] {
  return partitionChanges(
    image,
    (partition) => partition.isr.includes(brokerId) || partition.leader === brokerId,
    { brokerToRemove: brokerId, uncleanAllowed: uncleanPolicy(image, settings) },
  );
}

/** Elections for leaderless partitions, now that `brokerId` may lead. */
export function changesAddingBroker(
  image: MetadataImage,
  brokerId: number,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): PartitionChangeRecord[] {
  return partitionChanges(image, (partition) => partition.leader === NO_LEADER, {
    brokerToAdd: brokerId,
    uncleanAllowed: uncleanPolicy(image, settings),
  });
}

/**
 * Unclean elections for every leaderless partition that allows one and has a live replica: what
 * Kafka's controller does periodically, run here when the setting is turned on.
 */
export function uncleanElections(image: MetadataImage, settings: ElectionSettings): PartitionChangeRecord[] {
  return partitionChanges(image, (partition) => partition.leader === NO_LEADER, {
    uncleanAllowed: uncleanPolicy(image, settings),
  });
}

function uncleanPolicy(image: MetadataImage, settings: ElectionSettings): (topic: TopicImage) => boolean {
  return (topic) => uncleanElectionEnabled(image, topic.name, settings);
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
