/**
 * The in-memory metadata image: what the metadata log says, applied record
 * by record. Every answer about topics, partitions, configs and producer ids
 * comes from here, and the image changes only through `apply`.
 */
import { ConfigResourceType, type MetadataRecord, MetadataRecordType } from "./records.ts";
import { uuidToString } from "./uuid.ts";

export interface PartitionImage {
  partition: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
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
  endPoints: { name: string; host: string; port: number; securityProtocol: number }[];
  rack: string | null;
  fenced: boolean;
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
          endPoints: record.endPoints,
          rack: record.rack,
          fenced: record.fenced,
        });
        return;
      case MetadataRecordType.NoOp:
        return;
    }
  }

  /** Config overrides of one resource (empty when none). */
  configsOf(resourceType: number, resourceName: string): ReadonlyMap<string, string> {
    return this.configs.get(configKey(resourceType, resourceName)) ?? new Map();
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
