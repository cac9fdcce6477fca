/**
 * Leader and ISR changes that follow a broker's fencing, unfencing,
 * controlled shutdown, unregistration or restart, as Kafka's controller
 * computes them (metadata.version 3.6 and later, where shrinking an ISR does
 * not bump the leader epoch; with `eligible.leader.replicas.version` >= 1,
 * KIP-966's eligible leader replicas, see partition_change_builder.ts). Elections are
 * clean unless `unclean.leader.election.enable` holds for the topic: then a
 * partition whose ISR has no live member is led by a live replica outside it,
 * which may lack committed records, so it leads alone and RECOVERING (KIP-704).
 */
import { ConfigResourceType, type PartitionChangeRecord } from "./records.ts";
import type { MetadataImage, PartitionImage, TopicImage } from "./image.ts";
import { buildPartitionChange } from "./partition_change_builder.ts";

/** What an election needs beyond the image: the controller's static `unclean.leader.election.enable`. */
export interface ElectionSettings {
  uncleanLeaderElectionEnable: boolean;
  /** The controller's static `min.insync.replicas` (Kafka's default, 1, when absent). */
  minInsyncReplicas?: number;
}

/** The feature that turns on KIP-966's eligible leader replicas (level 1 and above). */
export const ELR_FEATURE = "eligible.leader.replicas.version";

/** Whether the cluster keeps eligible leader replicas: the feature is finalized at level 1 or above. */
export function elrEnabled(image: MetadataImage): boolean {
  return (image.features.get(ELR_FEATURE) ?? 0) >= 1;
}

/**
 * A topic's `min.insync.replicas` as the controller reads it for the ELR: its override, else the cluster-wide
 * dynamic value, else the static one; never more than its replication factor (Kafka's effective min ISR).
 */
export function effectiveMinIsr(image: MetadataImage, topic: TopicImage, settings: ElectionSettings): number {
  const key = "min.insync.replicas";
  const value = image.configsOf(ConfigResourceType.Topic, topic.name).get(key) ??
    image.configsOf(ConfigResourceType.Broker, "").get(key);
  const parsed = value === undefined ? NaN : Number.parseInt(value, 10);
  const minIsr = Number.isFinite(parsed) ? parsed : settings.minInsyncReplicas ?? 1;
  const factor = topic.partitions[0]?.replicas.length ?? minIsr;
  return Math.min(minIsr, factor);
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
  /** A broker that restarted without proof of a clean shutdown: out of every ISR and ELR, never elected. */
  uncleanShutdownBroker?: number;
  /** Whether a topic allows an unclean election (absent: never). */
  uncleanAllowed?: (topic: TopicImage) => boolean;
  /** The controller's static settings (min.insync.replicas for the ELR). */
  settings?: ElectionSettings;
}

/**
 * The change record for one partition, or null when nothing changes
 * (partition_change_builder.ts). The ISR loses `brokerToRemove` and
 * `uncleanShutdownBroker`; without ELR its last member stays (so that the
 * partition remembers which replica has all committed data), with ELR the
 * ISR may empty and the ELR remembers it. The leader stays if it may still
 * lead, otherwise the first replica that may is elected, or no leader at all.
 */
export function partitionChange(
  image: MetadataImage,
  topic: TopicImage,
  partition: PartitionImage,
  change: ElectionChange,
): PartitionChangeRecord | null {
  const leaving = (replica: number) =>
    replica === change.brokerToRemove || replica === change.uncleanShutdownBroker;
  const acceptable = (replica: number) =>
    !leaving(replica) && (replica === change.brokerToAdd || isActiveBroker(image, replica));
  return buildPartitionChange({
    topicId: topic.topicId,
    partition,
    isAcceptableLeader: acceptable,
    minIsr: effectiveMinIsr(image, topic, change.settings ?? CLEAN_ELECTIONS),
    elrEnabled: elrEnabled(image),
    election: change.uncleanAllowed?.(topic) ? "unclean" : "online",
    targetIsr: partition.isr.filter((replica) => !leaving(replica)),
    uncleanShutdownReplicas: change.uncleanShutdownBroker === undefined
      ? undefined
      : [change.uncleanShutdownBroker],
  });
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
    { brokerToRemove: brokerId, uncleanAllowed: uncleanPolicy(image, settings), settings },
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
    settings,
  });
}

/**
 * Unclean elections for every leaderless partition that allows one and has a live replica: what
 * Kafka's controller does periodically, run here when the setting is turned on.
 */
export function uncleanElections(image: MetadataImage, settings: ElectionSettings): PartitionChangeRecord[] {
  return partitionChanges(image, (partition) => partition.leader === NO_LEADER, {
    uncleanAllowed: uncleanPolicy(image, settings),
    settings,
  });
}

/**
 * Changes for a broker that registers a new incarnation. With ELR it is treated as Kafka treats an
 * unclean shutdown (Dafka's brokers cannot prove a clean one yet): out of every ISR and ELR, since its
 * log may have lost its unflushed tail. Without ELR it leaves ISRs and leaderships as when fenced.
 */
export function changesAfterRestart(
  image: MetadataImage,
  brokerId: number,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): PartitionChangeRecord[] {
  if (!elrEnabled(image)) return changesRemovingBroker(image, brokerId, settings);
  return partitionChanges(
    image,
    (partition) =>
      partition.isr.includes(brokerId) || partition.eligibleLeaderReplicas.includes(brokerId) ||
      partition.leader === brokerId,
    { uncleanShutdownBroker: brokerId, uncleanAllowed: uncleanPolicy(image, settings), settings },
  );
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
