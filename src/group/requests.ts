/**
 * The requests the coordinator takes, in the newest version's shape with the
 * field names of Dafka's message schemas. Handlers convert older versions
 * (for example LeaveGroup v0-2's single member, JoinGroup v0's missing
 * rebalance timeout) before calling the coordinator.
 */
import type { JoinProtocol } from "./classic_member.ts";

/** Who sent a request, and when. */
export interface RequestContext {
  /** Wall-clock milliseconds at the request's arrival. */
  nowMs: number;
  clientId: string;
  /** The client's address as Kafka shows it ("/127.0.0.1"). */
  clientHost: string;
  apiVersion: number;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** "" for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinProtocol[];
  reason: string | null;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Uint8Array }[];
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null; reason: string | null }[];
}

export interface OffsetCommitPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  /** v1 only: the commit's own timestamp; -1 otherwise. */
  commitTimestamp: number;
  committedMetadata: string | null;
}

export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v2-4: how long to keep these offsets; -1 for the broker's retention. */
  retentionTimeMs: number;
  topics: { name: string; partitions: OffsetCommitPartition[] }[];
}

export interface OffsetFetchGroupRequest {
  groupId: string;
  /** KIP-848 members identify themselves (v9+); null otherwise. */
  memberId: string | null;
  memberEpoch: number;
  /** Null asks for every committed offset of the group. */
  topics: { name: string; partitionIndexes: number[] }[] | null;
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: { name: string; partitions: { partitionIndex: number }[] }[];
}
