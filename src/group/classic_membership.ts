/**
 * SyncGroup, Heartbeat and LeaveGroup for classic groups.
 *
 * SyncGroup from the leader carries the assignment, which is persisted
 * before any member receives its share; followers wait for it. Heartbeat
 * renews a member's session and tells it when to rejoin. LeaveGroup removes
 * members at once (batched from v3, by member id or, for an administrator,
 * by static instance id alone).
 */
import { ErrorCode } from "../protocol/mod.ts";
import { type CoordinatorCore, heartbeatKey } from "./_coordinator_core.ts";
import type { ClassicGroup } from "./classic_group.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import {
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  removePendingSyncMember,
  scheduleHeartbeat,
  storeLeaderAssignment,
} from "./classic_rebalance.ts";
import type { HeartbeatRequest, LeaveGroupRequest, RequestContext, SyncGroupRequest } from "./requests.ts";
import {
  type HeartbeatResponse,
  joinGroupError,
  type LeaveGroupMemberResult,
  syncGroupError,
} from "./responses.ts";

/** Whether a request's protocol type or name contradicts the group's (both must be known to differ). */
function inconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}

function validateSync(group: ClassicGroup, request: SyncGroupRequest): number {
  if (group.isDead()) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const memberError = group.validateMember(request.memberId, request.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return memberError;
  if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  if (
    inconsistent(request.protocolType, group.protocolType) ||
    inconsistent(request.protocolName, group.protocolName)
  ) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  return ErrorCode.NONE;
}

/** Handles a SyncGroup; the response is delivered through the outbox as `replyId`. */
export function syncGroup(
  core: CoordinatorCore,
  replyId: number,
  request: SyncGroupRequest,
  context: RequestContext,
): void {
  const refuse = (errorCode: number) => core.outbox.reply(replyId, syncGroupError(errorCode));
  if (request.groupId === "") return refuse(ErrorCode.INVALID_GROUP_ID);
  const statusError = core.statusError(request.groupId);
  if (statusError !== ErrorCode.NONE) return refuse(statusError);
  const group = core.classicGroup(request.groupId);
  if (!group || group.isEmpty()) return refuse(ErrorCode.UNKNOWN_MEMBER_ID);
  const error = validateSync(group, request);
  if (error !== ErrorCode.NONE) return refuse(error);
  const member = group.member(request.memberId);
  switch (group.state) {
    case ClassicGroupState.PreparingRebalance:
      return refuse(ErrorCode.REBALANCE_IN_PROGRESS);
    case ClassicGroupState.CompletingRebalance: {
      if (member.awaitingSync !== null) {
        // A retried SyncGroup replaces the one its client gave up on; that one is answered now.
        core.outbox.reply(member.awaitingSync.replyId, syncGroupError(ErrorCode.REBALANCE_IN_PROGRESS));
      }
      member.awaitingSync = { replyId, apiVersion: context.apiVersion };
      removePendingSyncMember(core, group, member.memberId);
      if (group.isLeader(member.memberId)) {
        const assignments = new Map(request.assignments.map((entry) => [entry.memberId, entry.assignment]));
        storeLeaderAssignment(core, group, group.generationId, assignments);
      }
      return;
    }
    case ClassicGroupState.Stable:
      removePendingSyncMember(core, group, member.memberId);
      core.outbox.reply(replyId, {
        errorCode: ErrorCode.NONE,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: member.assignment,
      });
      return;
    default:
      throw new Error(`group ${group.groupId}: SyncGroup in unexpected state ${group.state}`);
  }
}

/** Handles a Heartbeat; it writes nothing, so the response is immediate. */
export function heartbeat(core: CoordinatorCore, request: HeartbeatRequest): HeartbeatResponse {
  if (request.groupId === "") return { errorCode: ErrorCode.INVALID_GROUP_ID };
  const statusError = core.statusError(request.groupId);
  // While the partition loads, Kafka answers heartbeats blindly so that members do not rejoin for nothing.
  if (statusError === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return { errorCode: ErrorCode.NONE };
  if (statusError !== ErrorCode.NONE) return { errorCode: statusError };
  const group = core.classicGroup(request.groupId);
  if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
  if (group.isDead()) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  const memberError = group.validateMember(request.memberId, request.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return { errorCode: memberError };
  if (request.generationId !== group.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
  switch (group.state) {
    case ClassicGroupState.PreparingRebalance:
      scheduleHeartbeat(core, group, group.member(request.memberId));
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
    case ClassicGroupState.CompletingRebalance:
    case ClassicGroupState.Stable:
      // Members may heartbeat between their JoinGroup and SyncGroup responses too.
      scheduleHeartbeat(core, group, group.member(request.memberId));
      return { errorCode: ErrorCode.NONE };
    default:
      return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
  }
}

/** Handles a LeaveGroup; the response is delivered through the outbox as `replyId`. */
export function leaveGroup(core: CoordinatorCore, replyId: number, request: LeaveGroupRequest): void {
  const respond = (errorCode: number, members: LeaveGroupMemberResult[]) =>
    core.outbox.reply(replyId, { errorCode, members });
  if (request.groupId === "") return respond(ErrorCode.INVALID_GROUP_ID, []);
  const statusError = core.statusError(request.groupId);
  if (statusError !== ErrorCode.NONE) return respond(statusError, []);
  const group = core.classicGroup(request.groupId);
  if (!group) {
    return respond(
      ErrorCode.NONE,
      request.members.map((member) => ({ ...identity(member), errorCode: ErrorCode.UNKNOWN_MEMBER_ID })),
    );
  }
  if (group.isDead()) return respond(ErrorCode.COORDINATOR_NOT_AVAILABLE, []);
  const results = request.members.map((member) => ({
    ...identity(member),
    errorCode: leaveOne(core, group, member),
  }));
  if (results.some((result) => result.errorCode === ErrorCode.NONE)) {
    if (group.is(ClassicGroupState.Stable) || group.is(ClassicGroupState.CompletingRebalance)) {
      maybePrepareRebalanceOrCompleteJoin(core, group);
    } else if (group.is(ClassicGroupState.PreparingRebalance)) {
      maybeCompleteJoinPhase(core, group);
    }
  }
  respond(ErrorCode.NONE, results);
}

function identity(member: { memberId: string; groupInstanceId: string | null }) {
  return { memberId: member.memberId, groupInstanceId: member.groupInstanceId };
}

function leaveOne(
  core: CoordinatorCore,
  group: ClassicGroup,
  leaving: { memberId: string; groupInstanceId: string | null },
): number {
  if (leaving.memberId === "") {
    // An administrator removes a static member by its instance id alone.
    const memberId = leaving.groupInstanceId === null
      ? undefined
      : group.staticMemberId(leaving.groupInstanceId);
    if (memberId === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    removeCurrentMember(core, group, memberId);
    return ErrorCode.NONE;
  }
  if (group.isPendingMember(leaving.memberId)) {
    group.remove(leaving.memberId);
    core.deadlines.cancel(heartbeatKey(group.groupId, leaving.memberId));
    return ErrorCode.NONE;
  }
  const memberError = group.validateMember(leaving.memberId, leaving.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return memberError;
  removeCurrentMember(core, group, leaving.memberId);
  return ErrorCode.NONE;
}

function removeCurrentMember(core: CoordinatorCore, group: ClassicGroup, memberId: string): void {
  const member = group.member(memberId);
  core.deadlines.cancel(heartbeatKey(group.groupId, memberId));
  // A leaving member may still wait in JoinGroup: answer it before it goes.
  group.completeJoin(member, joinGroupError("", ErrorCode.UNKNOWN_MEMBER_ID));
  group.completeSync(member, syncGroupError(ErrorCode.UNKNOWN_MEMBER_ID));
  group.remove(memberId);
}
