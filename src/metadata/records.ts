/**
 * The metadata records Dafka writes to `__cluster_metadata-0`, with KRaft's
 * record types and field names, so that the log is the one Kafka would hold.
 */

/** KRaft metadata record api keys. */
export const MetadataRecordType = {
  RegisterBroker: 0,
  Topic: 2,
  Partition: 3,
  Config: 4,
  PartitionChange: 5,
  RemoveTopic: 9,
  FeatureLevel: 12,
  ProducerIds: 15,
  NoOp: 20,
} as const;

/** Config resource types, as in DescribeConfigs. */
export const ConfigResourceType = { Topic: 2, Broker: 4, BrokerLogger: 8 } as const;

export interface TopicRecord {
  type: typeof MetadataRecordType.Topic;
  name: string;
  topicId: Uint8Array;
}

export interface PartitionRecord {
  type: typeof MetadataRecordType.Partition;
  partitionId: number;
  topicId: Uint8Array;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
}

export interface PartitionChangeRecord {
  type: typeof MetadataRecordType.PartitionChange;
  partitionId: number;
  topicId: Uint8Array;
  /** null means unchanged. */
  isr: number[] | null;
  /** -2 means unchanged (Kafka's NO_LEADER_CHANGE). */
  leader: number;
  replicas: number[] | null;
}

export interface ConfigRecord {
  type: typeof MetadataRecordType.Config;
  resourceType: number;
  resourceName: string;
  name: string;
  /** null removes the setting. */
  value: string | null;
}

export interface RemoveTopicRecord {
  type: typeof MetadataRecordType.RemoveTopic;
  topicId: Uint8Array;
}

export interface FeatureLevelRecord {
  type: typeof MetadataRecordType.FeatureLevel;
  name: string;
  featureLevel: number;
}

export interface ProducerIdsRecord {
  type: typeof MetadataRecordType.ProducerIds;
  brokerId: number;
  brokerEpoch: number;
  nextProducerId: number;
}

export interface RegisterBrokerRecord {
  type: typeof MetadataRecordType.RegisterBroker;
  brokerId: number;
  brokerEpoch: number;
  incarnationId: Uint8Array;
  endPoints: { name: string; host: string; port: number; securityProtocol: number }[];
  rack: string | null;
  fenced: boolean;
}

export interface NoOpRecord {
  type: typeof MetadataRecordType.NoOp;
}

export type MetadataRecord =
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | ConfigRecord
  | RemoveTopicRecord
  | FeatureLevelRecord
  | ProducerIdsRecord
  | RegisterBrokerRecord
  | NoOpRecord;
