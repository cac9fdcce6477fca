/**
 * The metadata records Dafka writes to `__cluster_metadata-0`, with KRaft's
 * record types and field names, so that the log is the one Kafka would hold.
 */

import { MetadataRecordType } from "../protocol/mod.ts";

/** KRaft metadata record api keys (named once, in the protocol's record schemas). */
export { MetadataRecordType };

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
  /** A `LeaderRecoveryState` value (KIP-704); absent means recovered. */
  leaderRecoveryState?: number;
}

/**
 * Whether a partition's leader has all committed data (KIP-704): an unclean
 * election makes it RECOVERING until the leader reports RECOVERED through
 * AlterPartition. PartitionChangeRecord writes -1 for "unchanged".
 */
export const LeaderRecoveryState = { Recovered: 0, Recovering: 1, NoChange: -1 } as const;

export interface PartitionChangeRecord {
  type: typeof MetadataRecordType.PartitionChange;
  partitionId: number;
  topicId: Uint8Array;
  /** null means unchanged. */
  isr: number[] | null;
  /** -2 means unchanged (Kafka's NO_LEADER_CHANGE). */
  leader: number;
  replicas: number[] | null;
  /** A `LeaderRecoveryState` value; absent or -1 means unchanged. */
  leaderRecoveryState?: number;
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

/** One listener of a broker, as Metadata and DescribeCluster report it. */
export interface BrokerEndPoint {
  /** The listener name, e.g. "PLAINTEXT". */
  name: string;
  host: string;
  port: number;
  /** Kafka's security protocol id: 0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL. */
  securityProtocol: number;
}

/**
 * A broker's registration (KIP-631). A new incarnation gets a new broker
 * epoch: the offset this record lands at in the metadata log.
 */
export interface RegisterBrokerRecord {
  type: typeof MetadataRecordType.RegisterBroker;
  brokerId: number;
  brokerEpoch: number;
  incarnationId: Uint8Array;
  endPoints: BrokerEndPoint[];
  rack: string | null;
  fenced: boolean;
  /** Record version 1 and later; absent means false. */
  inControlledShutdown?: boolean;
}

/** Removes a broker's registration; the epoch must be the registered one. */
export interface UnregisterBrokerRecord {
  type: typeof MetadataRecordType.UnregisterBroker;
  brokerId: number;
  brokerEpoch: number;
}

/** Fences a broker (Kafka's field names are `id` and `epoch` here). */
export interface FenceBrokerRecord {
  type: typeof MetadataRecordType.FenceBroker;
  id: number;
  epoch: number;
}

/** Unfences a broker (Kafka's field names are `id` and `epoch` here). */
export interface UnfenceBrokerRecord {
  type: typeof MetadataRecordType.UnfenceBroker;
  id: number;
  epoch: number;
}

/** Values of BrokerRegistrationChangeRecord's `fenced` field. */
export const BrokerFencingChange = { Fence: 1, None: 0, Unfence: -1 } as const;

/** Values of BrokerRegistrationChangeRecord's `inControlledShutdown` field. */
export const BrokerShutdownChange = { None: 0, InControlledShutdown: 1 } as const;

/**
 * The record Kafka writes since metadata.version 3.3-IV2 (7) to fence or
 * unfence a broker, and since 3.3-IV3 (8) to mark its controlled shutdown.
 */
export interface BrokerRegistrationChangeRecord {
  type: typeof MetadataRecordType.BrokerRegistrationChange;
  brokerId: number;
  brokerEpoch: number;
  /** A `BrokerFencingChange` value: 1 fence, -1 unfence, 0 no change. */
  fenced: number;
  /** A `BrokerShutdownChange` value (record version 1 and later). */
  inControlledShutdown: number;
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
  | UnregisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | BrokerRegistrationChangeRecord
  | NoOpRecord;
