/**
 * The in-memory metadata image: what the metadata log says, applied record
 * by record. Every answer about topics, partitions, configs and producer ids
 * comes from here, and the image changes only through `apply`.
 */
import {
  type BrokerEndPoint,
  BrokerFencingChange,
  BrokerShutdownChange,
  ConfigResourceType,
  LeaderRecoveryState,
  type MetadataRecord,
  MetadataRecordType,
} from "./records.ts";
import { uuidToString } from "../protocol/mod.ts";

export interface PartitionImage {
  partition: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  /** A `LeaderRecoveryState` value: 1 while a leader elected uncleanly recovers (KIP-704). */
  leaderRecoveryState: number;
}

export interface TopicImage {
  name: string;
  topicId: Uint8Array;
  /** The topic id in Kafka's printed form, used as a map key. */
  topicIdString: string;
  /** Indexed by partition number. */
  partitions: PartitionImage[];
}

export interface BrokerImage {
  brokerId: number;
  brokerEpoch: number;
  /** Which start of the broker process registered; a restart brings a new one. */
  incarnationId: Uint8Array;
  endPoints: BrokerEndPoint[];
  rack: string | null;
  /** A fenced broker leads nothing and is in no ISR it can lead from. */
  fenced: boolean;
  /** Set when it began a controlled shutdown; cleared only by a new registration. */
  inControlledShutdown: boolean;
}

export class MetadataImage {
  readonly topicsByName = new Map<string, TopicImage>();
  readonly topicsById = new Map<string, TopicImage>();
  /** Configs by "resourceType:resourceName". */
  readonly configs = new Map<string, Map<string, string>>();
  readonly brokers = new Map<number, BrokerImage>();
  readonly features = new Map<string, number>();
  /** The first producer id not yet handed out. */
  nextProducerId = 0;
  /** Count of records applied (the image's position in the metadata log). */
  recordsApplied = 0;

  apply(record: MetadataRecord): void {
    this.recordsApplied++;
    switch (record.type) {
      case MetadataRecordType.Topic: {
        const topic: TopicImage = {
          name: record.name,
          topicId: record.topicId,
          topicIdString: uuidToString(record.topicId),
          partitions: [],
        };
        this.topicsByName.set(topic.name, topic);
        this.topicsById.set(topic.topicIdString, topic);
        return;
      }
      case MetadataRecordType.Partition: {
        const topic = this.#topicById(record.topicId);
        topic.partitions[record.partitionId] = {
          partition: record.partitionId,
          replicas: record.replicas,
          isr: record.isr,
          leader: record.leader,
          leaderEpoch: record.leaderEpoch,
          partitionEpoch: record.partitionEpoch,
          leaderRecoveryState: record.leaderRecoveryState ?? LeaderRecoveryState.Recovered,
        };
        return;
      }
      case MetadataRecordType.PartitionChange: {
        const partition = this.#topicById(record.topicId).partitions[record.partitionId];
        if (!partition) throw new Error(`partition change for unknown partition ${record.partitionId}`);
        if (record.isr) partition.isr = record.isr;
        if (record.replicas) partition.replicas = record.replicas;
        if (record.leader !== -2) {
          partition.leader = record.leader;
          partition.leaderEpoch++;
        }
        const recovery = record.leaderRecoveryState ?? LeaderRecoveryState.NoChange;
        if (recovery !== LeaderRecoveryState.NoChange) partition.leaderRecoveryState = recovery;
        partition.partitionEpoch++;
        return;
      }
      case MetadataRecordType.RemoveTopic: {
        const topic = this.#topicById(record.topicId);
        this.topicsByName.delete(topic.name);
        this.topicsById.delete(topic.topicIdString);
        this.configs.delete(configKey(ConfigResourceType.Topic, topic.name));
        return;
      }
      case MetadataRecordType.Config: {
        const key = configKey(record.resourceType, record.resourceName);
        const entries = this.configs.get(key) ?? new Map<string, string>();
        if (record.value === null) entries.delete(record.name);
        else entries.set(record.name, record.value);
        if (entries.size === 0) this.configs.delete(key);
        else this.configs.set(key, entries);
        return;
      }
      case MetadataRecordType.ProducerIds:
        this.nextProducerId = Math.max(this.nextProducerId, record.nextProducerId);
        return;
      case MetadataRecordType.FeatureLevel:
        this.features.set(record.name, record.featureLevel);
        return;
      case MetadataRecordType.RegisterBroker:
        this.brokers.set(record.brokerId, {
          brokerId: record.brokerId,
          brokerEpoch: record.brokerEpoch,
          incarnationId: record.incarnationId,
          endPoints: record.endPoints,
          rack: record.rack,
          fenced: record.fenced,
          inControlledShutdown: record.inControlledShutdown ?? false,
        });
        return;
      case MetadataRecordType.UnregisterBroker:
        this.#brokerAt(record.brokerId, record.brokerEpoch);
        this.brokers.delete(record.brokerId);
        return;
      case MetadataRecordType.FenceBroker:
        this.#brokerAt(record.id, record.epoch).fenced = true;
        return;
      case MetadataRecordType.UnfenceBroker:
        this.#brokerAt(record.id, record.epoch).fenced = false;
        return;
      case MetadataRecordType.BrokerRegistrationChange:
        this.#changeRegistration(
          record.brokerId,
          record.brokerEpoch,
          record.fenced,
          record.inControlledShutdown,
        );
        return;
      case MetadataRecordType.NoOp:
        return;
    }
  }

  /** Config overrides of one resource (empty when none). */
  configsOf(resourceType: number, resourceName: string): ReadonlyMap<string, string> {
    return this.configs.get(configKey(resourceType, resourceName)) ?? new Map();
  }

  /**
   * Applies a BrokerRegistrationChangeRecord. Unknown values are a corrupt or
   * newer log, which Kafka refuses to replay too.
   */
  #changeRegistration(
    brokerId: number,
    brokerEpoch: number,
    fenced: number,
    inControlledShutdown: number,
  ): void {
    const broker = this.#brokerAt(brokerId, brokerEpoch);
    if (fenced === BrokerFencingChange.Fence) broker.fenced = true;
    else if (fenced === BrokerFencingChange.Unfence) broker.fenced = false;
    else if (fenced !== BrokerFencingChange.None) throw new Error(`unknown fencing change ${fenced}`);
    if (inControlledShutdown === BrokerShutdownChange.InControlledShutdown) {
      broker.inControlledShutdown = true;
    } else if (inControlledShutdown !== BrokerShutdownChange.None) {
      throw new Error(`unknown controlled shutdown change ${inControlledShutdown}`);
    }
  }

  /**
   * The registration a broker record refers to. A record for another epoch
   * means the log and the image disagree, so it stops the replay as it does in Kafka.
   */
  #brokerAt(brokerId: number, brokerEpoch: number): BrokerImage {
    const broker = this.brokers.get(brokerId);
    if (!broker) throw new Error(`metadata record for unregistered broker ${brokerId}`);
    if (broker.brokerEpoch !== brokerEpoch) {
      throw new Error(
        `metadata record for broker ${brokerId} epoch ${brokerEpoch}, registered ${broker.brokerEpoch}`,
      );
    }
    return broker;
  }

  #topicById(topicId: Uint8Array): TopicImage {
    const topic = this.topicsById.get(uuidToString(topicId));
    if (!topic) throw new Error(`metadata record for unknown topic id ${uuidToString(topicId)}`);
    return topic;
  }
}

function configKey(resourceType: number, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}
