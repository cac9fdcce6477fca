/**
 * The responses the coordinator produces, in the newest version's shape and
 * with the field names of Dafka's message schemas, so that a handler hands
 * them to the codec as they are (fields a version lacks are skipped).
 */

export interface JoinGroupMemberEntry {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Uint8Array;
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinGroupMemberEntry[];
}

export interface SyncGroupResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Uint8Array;
}

export interface HeartbeatResponse {
  errorCode: number;
}

export interface LeaveGroupMemberResult {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  errorCode: number;
  members: LeaveGroupMemberResult[];
}

export interface PartitionResult {
  partitionIndex: number;
  errorCode: number;
}

export interface TopicResults {
  name: string;
  partitions: PartitionResult[];
}

export interface OffsetCommitResponse {
  topics: TopicResults[];
}

export interface FetchedOffset {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchGroupResponse {
  groupId: string;
  errorCode: number;
  topics: { name: string; partitions: FetchedOffset[] }[];
}

export interface OffsetDeleteResponse {
  errorCode: number;
  topics: TopicResults[];
}

export interface DeleteGroupsResult {
  groupId: string;
  errorCode: number;
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

export interface ListGroupsResponse {
  errorCode: number;
  groups: ListedGroup[];
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Uint8Array;
  memberAssignment: Uint8Array;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
}

/** Any response the coordinator delivers later, through `ready()`. */
export type DeferredResponse =
  | JoinGroupResponse
  | SyncGroupResponse
  | HeartbeatResponse
  | LeaveGroupResponse
  | OffsetCommitResponse
  | OffsetDeleteResponse
  | DeleteGroupsResult[];

/** A JoinGroup response carrying only an error. */
export function joinGroupError(memberId: string, errorCode: number): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    skipAssignment: false,
    memberId,
    members: [],
  };
}

/** A SyncGroup response carrying only an error. */
export function syncGroupError(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) };
}
