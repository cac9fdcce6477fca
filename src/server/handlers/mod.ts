/**
 * Every API this node serves, one handler per API key. ApiVersions advertises
 * exactly this list with each handler's schema versions.
 */
import type { ApiHandler } from "../handler.ts";
import { alterConfigsHandler } from "./controller/alter_configs.ts";
import { apiVersionsHandler } from "./api_versions.ts";
import { consumerGroupDescribeHandler } from "./broker/consumer_group_describe.ts";
import { consumerGroupHeartbeatHandler } from "./broker/consumer_group_heartbeat.ts";
import { createPartitionsHandler } from "./controller/create_partitions.ts";
import { createTopicsHandler } from "./controller/create_topics.ts";
import { deleteGroupsHandler } from "./broker/delete_groups.ts";
import { deleteRecordsHandler } from "./broker/delete_records.ts";
import { deleteTopicsHandler } from "./controller/delete_topics.ts";
import { describeClusterHandler } from "./broker/describe_cluster.ts";
import { describeConfigsHandler } from "./broker/describe_configs.ts";
import { describeGroupsHandler } from "./broker/describe_groups.ts";
import { fetchHandler } from "./broker/fetch.ts";
import { findCoordinatorHandler } from "./broker/find_coordinator.ts";
import { heartbeatHandler } from "./broker/heartbeat.ts";
import { incrementalAlterConfigsHandler } from "./controller/incremental_alter_configs.ts";
import { initProducerIdHandler } from "./broker/init_producer_id.ts";
import { joinGroupHandler } from "./broker/join_group.ts";
import { leaveGroupHandler } from "./broker/leave_group.ts";
import { listGroupsHandler } from "./broker/list_groups.ts";
import { listOffsetsHandler } from "./broker/list_offsets.ts";
import { metadataHandler } from "./broker/metadata.ts";
import { offsetCommitHandler } from "./broker/offset_commit.ts";
import { offsetDeleteHandler } from "./broker/offset_delete.ts";
import { offsetFetchHandler } from "./broker/offset_fetch.ts";
import { offsetForLeaderEpochHandler } from "./broker/offset_for_leader_epoch.ts";
import { produceHandler } from "./broker/produce.ts";
import { syncGroupHandler } from "./broker/sync_group.ts";
import { allocateProducerIdsHandler } from "./controller/allocate_producer_ids.ts";
import { brokerHeartbeatHandler } from "./controller/broker_heartbeat.ts";
import { brokerRegistrationHandler } from "./controller/broker_registration.ts";
import { beginQuorumEpochHandler } from "./controller/begin_quorum_epoch.ts";
import { describeQuorumHandler } from "./controller/describe_quorum.ts";
import { endQuorumEpochHandler } from "./controller/end_quorum_epoch.ts";
import { fetchSnapshotHandler } from "./controller/fetch_snapshot.ts";
import { raftFetchHandler } from "./controller/raft_fetch.ts";
import { voteHandler } from "./controller/vote.ts";

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
