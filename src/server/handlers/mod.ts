/**
 * Every API this node serves, one handler per API key. ApiVersions advertises
 * exactly this list with each handler's schema versions.
 */
import type { ApiHandler } from "../handler.ts";
import { alterConfigsHandler } from "./alter_configs.ts";
import { apiVersionsHandler } from "./api_versions.ts";
import { consumerGroupDescribeHandler } from "./consumer_group_describe.ts";
import { consumerGroupHeartbeatHandler } from "./consumer_group_heartbeat.ts";
import { createPartitionsHandler } from "./create_partitions.ts";
import { createTopicsHandler } from "./create_topics.ts";
import { deleteGroupsHandler } from "./delete_groups.ts";
import { deleteRecordsHandler } from "./delete_records.ts";
import { deleteTopicsHandler } from "./delete_topics.ts";
import { describeClusterHandler } from "./describe_cluster.ts";
import { describeConfigsHandler } from "./describe_configs.ts";
import { describeGroupsHandler } from "./describe_groups.ts";
import { fetchHandler } from "./fetch.ts";
import { findCoordinatorHandler } from "./find_coordinator.ts";
import { heartbeatHandler } from "./heartbeat.ts";
import { incrementalAlterConfigsHandler } from "./incremental_alter_configs.ts";
import { initProducerIdHandler } from "./init_producer_id.ts";
import { joinGroupHandler } from "./join_group.ts";
import { leaveGroupHandler } from "./leave_group.ts";
import { listGroupsHandler } from "./list_groups.ts";
import { listOffsetsHandler } from "./list_offsets.ts";
import { metadataHandler } from "./metadata.ts";
import { offsetCommitHandler } from "./offset_commit.ts";
import { offsetDeleteHandler } from "./offset_delete.ts";
import { offsetFetchHandler } from "./offset_fetch.ts";
import { offsetForLeaderEpochHandler } from "./offset_for_leader_epoch.ts";
import { produceHandler } from "./produce.ts";
import { syncGroupHandler } from "./sync_group.ts";
import { allocateProducerIdsHandler } from "./allocate_producer_ids.ts";
import { brokerHeartbeatHandler } from "./broker_heartbeat.ts";
import { brokerRegistrationHandler } from "./broker_registration.ts";
import {
  beginQuorumEpochHandler,
  describeQuorumHandler,
  endQuorumEpochHandler,
  fetchSnapshotHandler,
  raftFetchHandler,
  voteHandler,
} from "./raft_requests.ts";

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
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  alterConfigsHandler,
  incrementalAlterConfigsHandler,
].sort((left, right) => left.schema.apiKey - right.schema.apiKey);

export const CONTROLLER_HANDLERS_BY_KEY: ReadonlyMap<number, ApiHandler> = new Map(
  CONTROLLER_HANDLERS.map((handler) => [handler.schema.apiKey, handler]),
);
