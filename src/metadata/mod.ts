/**
 * The cluster's metadata: the image applied from the metadata log, the KRaft records, and the controller's
 * decisions as pure functions (topics, partitions, configs, broker registration, heartbeats and fencing,
 * leader election, producer id blocks).
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { decideAdoption, type PartitionFolder } from "./adopt_partitions.ts";
export {
  type AlterPartitionData,
  type AlterPartitionDecision,
  type AlterPartitionRequest,
  type AlterPartitionResponse,
  type AlterPartitionResult,
  decideAlterPartition,
  type IsrMember,
} from "./alter_partition.ts";
export {
  type BrokerRegistrationRequest,
  decideFenceBroker,
  decideRegisterBroker,
  type RegistrationDecision,
  unfencedBrokerIds,
} from "./broker_decisions.ts";
export {
  type BrokerHeartbeatRequest,
  type BrokerHeartbeatResponse,
  decideBrokerHeartbeat,
} from "./broker_heartbeat_decision.ts";
export { type BrokerEndpoint, brokerEndpointsOf } from "./broker_view.ts";
export {
  type ConfigChange,
  decideAlter,
  decideIncrementalAlter,
  inertChangeWarnings,
} from "./config_changes.ts";
export {
  decideCreatePartitions,
  decideCreateTopic,
  decideDeleteTopic,
  decideProducerIdBlock,
  type Decision,
  isRefusal,
  type NewTopic,
  type PlacementContext,
  PRODUCER_ID_BLOCK_SIZE,
  type Refusal,
  type TopicToCreate,
} from "./controller.ts";
export {
  decideElectLeaders,
  type ElectionResult,
  ElectionType,
  type ElectLeadersDecision,
  type ElectLeadersRequest,
  MAX_ELECTIONS_PER_REBALANCE,
  preferredLeaderElections,
} from "./elect_leaders.ts";
export { MetadataImage, type PartitionImage, type TopicImage } from "./image.ts";
export {
  CLEAN_ELECTIONS,
  type ElectionSettings,
  ELR_FEATURE,
  elrEnabled,
  uncleanElectionEnabled,
  uncleanElections,
} from "./leader_election.ts";
export {
  decideAlterPartitionReassignments,
  listPartitionReassignments,
  type OngoingReassignment,
  type ReassignmentDecision,
  type ReassignmentRequest,
  type ReassignmentResult,
} from "./reassignment.ts";
export { imageToRecords } from "./image_snapshot.ts";
export { decodeRecord, encodeRecord } from "./record_codec.ts";
export {
  type ConfigRecord,
  ConfigResourceType,
  LeaderRecoveryState,
  type MetadataRecord,
  MetadataRecordType,
  type PartitionRecord,
} from "./records.ts";
export { isInternalTopic, topicNameProblem } from "./topic_names.ts";
