/**
 * The broker's APIs (Kafka's KafkaApis), one handler per API.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { consumerGroupDescribeHandler } from "./consumer_group_describe.ts";
export { consumerGroupHeartbeatHandler } from "./consumer_group_heartbeat.ts";
export { deleteGroupsHandler } from "./delete_groups.ts";
export { deleteRecordsHandler } from "./delete_records.ts";
export { describeClusterHandler } from "./describe_cluster.ts";
export { describeConfigsHandler } from "./describe_configs.ts";
export { describeGroupsHandler } from "./describe_groups.ts";
export { describeLogDirsHandler } from "./describe_log_dirs.ts";
export { describeTopicPartitionsHandler } from "./describe_topic_partitions.ts";
export { fetchHandler } from "./fetch.ts";
export { findCoordinatorHandler } from "./find_coordinator.ts";
export { heartbeatHandler } from "./heartbeat.ts";
export { initProducerIdHandler } from "./init_producer_id.ts";
export { joinGroupHandler } from "./join_group.ts";
export { leaveGroupHandler } from "./leave_group.ts";
export { listGroupsHandler } from "./list_groups.ts";
export { listOffsetsHandler } from "./list_offsets.ts";
export { metadataHandler } from "./metadata.ts";
export { offsetCommitHandler } from "./offset_commit.ts";
export { offsetDeleteHandler } from "./offset_delete.ts";
export { offsetFetchHandler } from "./offset_fetch.ts";
export { offsetForLeaderEpochHandler } from "./offset_for_leader_epoch.ts";
export { produceHandler } from "./produce.ts";
export { syncGroupHandler } from "./sync_group.ts";
