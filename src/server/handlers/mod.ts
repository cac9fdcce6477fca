/**
 * Every API this node serves, one handler per API key. ApiVersions advertises
 * exactly this list with each handler's schema versions.
 */
import type { ApiHandler } from "../handler.ts";
import {
  addRaftVoterHandler,
  allocateProducerIdsHandler,
  alterConfigsHandler,
  alterPartitionHandler,
  alterPartitionReassignmentsHandler,
  beginQuorumEpochHandler,
  brokerHeartbeatHandler,
  brokerRegistrationHandler,
  createPartitionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  describeQuorumHandler,
  electLeadersHandler,
  endQuorumEpochHandler,
  fetchSnapshotHandler,
  incrementalAlterConfigsHandler,
  listPartitionReassignmentsHandler,
  raftFetchHandler,
  removeRaftVoterHandler,
  updateRaftVoterHandler,
  voteHandler,
} from "./controller/mod.ts";
import { apiVersionsHandler } from "./api_versions.ts";
import {
  consumerGroupDescribeHandler,
  consumerGroupHeartbeatHandler,
  deleteGroupsHandler,
  deleteRecordsHandler,
  describeClusterHandler,
  describeConfigsHandler,
  describeGroupsHandler,
  describeLogDirsHandler,
  describeTopicPartitionsHandler,
  fetchHandler,
  findCoordinatorHandler,
  heartbeatHandler,
  initProducerIdHandler,
  joinGroupHandler,
  leaveGroupHandler,
  listGroupsHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetDeleteHandler,
  offsetFetchHandler,
  offsetForLeaderEpochHandler,
  produceHandler,
  syncGroupHandler,
} from "./broker/mod.ts";

export const HANDLERS: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetForLeaderEpochHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  createPartitionsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
  describeLogDirsHandler,
  describeTopicPartitionsHandler,
  electLeadersHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
  // Consumer groups and committed offsets.
  findCoordinatorHandler,
  joinGroupHandler,
  syncGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  offsetDeleteHandler,
  listGroupsHandler,
  describeGroupsHandler,
  deleteGroupsHandler,
  consumerGroupHeartbeatHandler,
  consumerGroupDescribeHandler,
  describeQuorumHandler,
  // KIP-853: brokers forward voter changes to the active controller.
  addRaftVoterHandler,
  removeRaftVoterHandler,
].sort((left, right) => left.schema.apiKey - right.schema.apiKey);

export const HANDLERS_BY_KEY: ReadonlyMap<number, ApiHandler> = new Map(
  HANDLERS.map((handler) => [handler.schema.apiKey, handler]),
);

/**
 * What a controller listener serves: the Raft APIs (Fetch there is the
 * metadata log's), the brokers' lifecycle requests, and the requests
 * brokers forward to the active controller.
 */
export const CONTROLLER_HANDLERS: readonly ApiHandler[] = [
  apiVersionsHandler,
  raftFetchHandler,
  voteHandler,
  beginQuorumEpochHandler,
  endQuorumEpochHandler,
  describeQuorumHandler,
  fetchSnapshotHandler,
  brokerRegistrationHandler,
  brokerHeartbeatHandler,
  allocateProducerIdsHandler,
  alterPartitionHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  alterConfigsHandler,
  incrementalAlterConfigsHandler,
  electLeadersHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
  addRaftVoterHandler,
  removeRaftVoterHandler,
  updateRaftVoterHandler,
].sort((left, right) => left.schema.apiKey - right.schema.apiKey);

export const CONTROLLER_HANDLERS_BY_KEY: ReadonlyMap<number, ApiHandler> = new Map(
  CONTROLLER_HANDLERS.map((handler) => [handler.schema.apiKey, handler]),
);
