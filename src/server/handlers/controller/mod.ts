/**
 * The controller's APIs (Kafka's ControllerApis), one handler per API, the Raft APIs among them.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { addRaftVoterHandler } from "./add_raft_voter.ts";
export { allocateProducerIdsHandler } from "./allocate_producer_ids.ts";
export { alterConfigsHandler } from "./alter_configs.ts";
export { alterPartitionHandler } from "./alter_partition.ts";
export { alterPartitionReassignmentsHandler } from "./alter_partition_reassignments.ts";
export { beginQuorumEpochHandler } from "./begin_quorum_epoch.ts";
export { brokerHeartbeatHandler } from "./broker_heartbeat.ts";
export { brokerRegistrationHandler } from "./broker_registration.ts";
export { createPartitionsHandler } from "./create_partitions.ts";
export { createTopicsHandler } from "./create_topics.ts";
export { deleteTopicsHandler } from "./delete_topics.ts";
export { describeQuorumHandler } from "./describe_quorum.ts";
export { electLeadersHandler } from "./elect_leaders.ts";
export { endQuorumEpochHandler } from "./end_quorum_epoch.ts";
export { fetchSnapshotHandler } from "./fetch_snapshot.ts";
export { incrementalAlterConfigsHandler } from "./incremental_alter_configs.ts";
export { listPartitionReassignmentsHandler } from "./list_partition_reassignments.ts";
export { raftFetchHandler } from "./raft_fetch.ts";
export { removeRaftVoterHandler } from "./remove_raft_voter.ts";
export { updateRaftVoterHandler } from "./update_raft_voter.ts";
export { voteHandler } from "./vote.ts";
