/**
 * One declarative schema per Kafka API (fields, versions, flexible versions, tagged fields).
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { addRaftVoter } from "./add_raft_voter.ts";
export { allocateProducerIds } from "./allocate_producer_ids.ts";
export { alterConfigs } from "./alter_configs.ts";
export { alterPartition } from "./alter_partition.ts";
export { alterPartitionReassignments } from "./alter_partition_reassignments.ts";
export { apiVersions } from "./api_versions.ts";
export { beginQuorumEpoch } from "./begin_quorum_epoch.ts";
export { brokerHeartbeat } from "./broker_heartbeat.ts";
export { brokerRegistration } from "./broker_registration.ts";
export { consumerGroupDescribe } from "./consumer_group_describe.ts";
export { consumerGroupHeartbeat } from "./consumer_group_heartbeat.ts";
export { createPartitions } from "./create_partitions.ts";
export { createTopics } from "./create_topics.ts";
export { deleteGroups } from "./delete_groups.ts";
export { deleteRecords } from "./delete_records.ts";
export { deleteTopics } from "./delete_topics.ts";
export { describeCluster } from "./describe_cluster.ts";
export { describeConfigs } from "./describe_configs.ts";
export { describeGroups } from "./describe_groups.ts";
export { describeLogDirs } from "./describe_log_dirs.ts";
export { describeQuorum } from "./describe_quorum.ts";
export { describeTopicPartitions } from "./describe_topic_partitions.ts";
export { electLeaders } from "./elect_leaders.ts";
export { endQuorumEpoch } from "./end_quorum_epoch.ts";
export { fetchApi } from "./fetch.ts";
export { fetchSnapshot } from "./fetch_snapshot.ts";
export { findCoordinator } from "./find_coordinator.ts";
export { heartbeat } from "./heartbeat.ts";
export { incrementalAlterConfigs } from "./incremental_alter_configs.ts";
export { initProducerId } from "./init_producer_id.ts";
export { joinGroup } from "./join_group.ts";
export { leaveGroup } from "./leave_group.ts";
export { listGroups } from "./list_groups.ts";
export { listOffsets } from "./list_offsets.ts";
export { listPartitionReassignments } from "./list_partition_reassignments.ts";
export { metadata } from "./metadata.ts";
export { offsetCommit } from "./offset_commit.ts";
export { offsetDelete } from "./offset_delete.ts";
export { offsetFetch } from "./offset_fetch.ts";
export { offsetForLeaderEpoch } from "./offset_for_leader_epoch.ts";
export { produce } from "./produce.ts";
export { removeRaftVoter } from "./remove_raft_voter.ts";
export { saslHandshake } from "./sasl_handshake.ts";
export { syncGroup } from "./sync_group.ts";
export { updateRaftVoter } from "./update_raft_voter.ts";
export { vote } from "./vote.ts";
