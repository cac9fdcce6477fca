/**
 * JoinGroup for classic groups: new members (KIP-394's MEMBER_ID_REQUIRED
 * round trip for dynamic members from v4, KIP-345 static members replacing
 * their previous incarnation), existing members rejoining, and the checks
 * that refuse a join (group id, session timeout bounds, protocol mismatch,
 * group size). The response is owed until the join phase completes, so it
 * goes out through the outbox, possibly much later.
 */
import { ErrorCode } from "../protocol/mod.ts";
import {
  appendErrorToResponseError,
  type CoordinatorCore,
  emptyGroupMetadataRecord,
  groupMetadataRecord,
  heartbeatKey,
} from "./_coordinator_core.ts";
import type { ClassicGroup } from "./classic_group.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import { ClassicGroupMember, type PendingReply } from "./classic_member.ts";
import {
  expireHeartbeat,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  prepareRebalance,
  scheduleHeartbeat,
} from "./classic_rebalance.ts";
import type { JoinGroupRequest, RequestContext } from "./requests.ts";
import { joinGroupError, type JoinGroupResponse } from "./responses.ts";

/** JoinGroup v9 lets a static leader that rejoins skip computing the assignment (KIP-814). */
const FIRST_VERSION_SKIPPING_ASSIGNMENT = 9;
/** From JoinGroup v4, a new dynamic member must rejoin with the id it is given (KIP-394). */
const FIRST_VERSION_REQUIRING_MEMBER_ID = 4;

interface Join {
  core: CoordinatorCore;
  request: JoinGroupRequest;
  context: RequestContext;
  pending: PendingReply;
}

function respond(join: Join, response: JoinGroupResponse): void {
  join.core.outbox.reply(join.pending.replyId, response);
}

function refuse(join: Join, memberId: string, errorCode: number): void {
  respond(join, joinGroupError(memberId, errorCode));
}

/** Handles a JoinGroup; the response is delivered through the outbox as `replyId`. */
export function joinGroup(
  core: CoordinatorCore,
  replyId: number,
  request: JoinGroupRequest,
  context: RequestContext,
): void {
  const join: Join = { core, request, context, pending: { replyId, apiVersion: context.apiVersion } };
  const { groupId, memberId, sessionTimeoutMs } = request;
  if (groupId === "") return refuse(join, memberId, ErrorCode.INVALID_GROUP_ID);
  if (
    sessionTimeoutMs < core.config.minSessionTimeoutMs || sessionTimeoutMs > core.config.maxSessionTimeoutMs
  ) {
    return refuse(join, memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
  }
  const statusError = core.statusError(groupId);
  if (statusError !== ErrorCode.NONE) return refuse(join, memberId, statusError);
  const existing = core.groups.get(groupId);
  if (existing && existing.type !== "classic") {
    // A KIP-848 group answers classic joins only through its own module.
    return refuse(join, "", ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  const isUnknownMember = memberId === "";
  if (!existing && !isUnknownMember) return refuse(join, memberId, ErrorCode.UNKNOWN_MEMBER_ID);
  const group = core.classicGroup(groupId) ?? core.createClassicGroup(groupId);
  if (!acceptJoiningMember(core, group, memberId)) {
    group.remove(memberId);
    refuse(join, "", ErrorCode.GROUP_MAX_SIZE_REACHED);
  } else if (isUnknownMember) {
    joinNewMember(join, group);
  } else {
    joinExistingMember(join, group);
  }
  if (!existing) persistNewGroup(core, group);
}

/** Kafka 4 writes a newly created group at once, so that it survives a restart as an Empty group. */
function persistNewGroup(core: CoordinatorCore, group: ClassicGroup): void {
  core.outbox.write(core.partitionOf(group.groupId), [emptyGroupMetadataRecord(group)], (errorCode) => {
    // The group never reached the log: forget it again if nothing has happened to it since.
    if (errorCode !== ErrorCode.NONE && group.isEmpty() && group.size === 0 && group.generationId === 0) {
      core.removeGroup(group.groupId);
    }
  });
}

/** Kafka's group.max.size rule, counting only members that can still be in the next generation. */
function acceptJoiningMember(core: CoordinatorCore, group: ClassicGroup, memberId: string): boolean {
  const maxSize = core.config.maxGroupSize;
  switch (group.state) {
    case ClassicGroupState.Empty:
    case ClassicGroupState.Dead:
      return true;
    case ClassicGroupState.PreparingRebalance:
      return (group.members.get(memberId)?.isAwaitingJoin ?? false) || group.membersAwaitingJoin < maxSize;
    case ClassicGroupState.CompletingRebalance:
    case ClassicGroupState.Stable:
      return group.hasMember(memberId) || group.size < maxSize;
  }
}

function protocolNames(request: JoinGroupRequest): Set<string> {
  return new Set(request.protocols.map((protocol) => protocol.name));
}

function joinNewMember(join: Join, group: ClassicGroup): void {
  const { core, request, context } = join;
  if (group.isDead()) return refuse(join, "", ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (!group.supportsProtocols(request.protocolType, protocolNames(request))) {
    return refuse(join, "", ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  const prefix = request.groupInstanceId ?? context.clientId;
  const newMemberId = `${prefix}-${core.config.newMemberIdSuffix()}`;
  if (request.groupInstanceId !== null) {
    const existingMemberId = group.staticMemberId(request.groupInstanceId);
    if (existingMemberId !== undefined) {
      return replaceStaticMember(join, group, existingMemberId, newMemberId);
    }
    return addMemberThenRebalanceOrCompleteJoin(join, group, newMemberId);
  }
  if (context.apiVersion >= FIRST_VERSION_REQUIRING_MEMBER_ID) {
    // The member must come back with this id; until then it counts as pending and may time out.
    group.addPendingMember(newMemberId);
    const groupId = group.groupId;
    core.after(heartbeatKey(groupId, newMemberId), request.sessionTimeoutMs, () => {
      expireHeartbeat(core, groupId, newMemberId);
    });
    return refuse(join, newMemberId, ErrorCode.MEMBER_ID_REQUIRED);
  }
  addMemberThenRebalanceOrCompleteJoin(join, group, newMemberId);
}

function joinExistingMember(join: Join, group: ClassicGroup): void {
  const { request } = join;
  const { memberId } = request;
  if (group.isDead()) return refuse(join, memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (!group.supportsProtocols(request.protocolType, protocolNames(request))) {
    return refuse(join, memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  if (group.isPendingMember(memberId)) {
    // A pending member is always dynamic: a static id here is a confused client.
    if (request.groupInstanceId !== null) return refuse(join, memberId, ErrorCode.UNKNOWN_SERVER_ERROR);
    return addMemberThenRebalanceOrCompleteJoin(join, group, memberId);
  }
  const memberError = group.validateMember(memberId, request.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return refuse(join, memberId, memberError);
  const member = group.member(memberId);
  switch (group.state) {
    case ClassicGroupState.PreparingRebalance:
      return updateMemberThenRebalanceOrCompleteJoin(join, group, member);
    case ClassicGroupState.CompletingRebalance:
      // Same metadata: it missed the JoinGroup response; send the current generation again.
      if (member.matches(request.protocols)) return respondCurrentGeneration(join, group, member, true);
      return updateMemberThenRebalanceOrCompleteJoin(join, group, member);
    case ClassicGroupState.Stable:
      // The leader's rejoin forces a rebalance (its view of the topics may have changed).
      if (group.isLeader(memberId) || !member.matches(request.protocols)) {
        return updateMemberThenRebalanceOrCompleteJoin(join, group, member);
      }
      return respondCurrentGeneration(join, group, member, false);
    default:
      return refuse(join, memberId, ErrorCode.UNKNOWN_MEMBER_ID);
  }
}

function respondCurrentGeneration(
  join: Join,
  group: ClassicGroup,
  member: ClassicGroupMember,
  withMembersForLeader: boolean,
): void {
  respond(join, {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? "",
    skipAssignment: false,
    memberId: member.memberId,
    members: withMembersForLeader && group.isLeader(member.memberId) ? group.joinResponseMembers() : [],
  });
}

function updateMemberThenRebalanceOrCompleteJoin(
  join: Join,
  group: ClassicGroup,
  member: ClassicGroupMember,
): void {
  supersedeWaitingJoin(join.core, member);
  group.updateMember(member, join.request, join.pending);
  maybePrepareRebalanceOrCompleteJoin(join.core, group);
}

/**
 * A member that sends JoinGroup again while its previous one still waits
 * (its client gave up on it) gets an answer to the old one, so that no
 * response is owed forever.
 */
function supersedeWaitingJoin(core: CoordinatorCore, member: ClassicGroupMember): void {
  const previous = member.awaitingJoin;
  if (previous === null) return;
  core.outbox.reply(previous.replyId, joinGroupError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
}

function addMemberThenRebalanceOrCompleteJoin(join: Join, group: ClassicGroup, memberId: string): void {
  const { core, request, context } = join;
  const member = new ClassicGroupMember({
    memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: context.clientId,
    clientHost: context.clientHost,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    sessionTimeoutMs: request.sessionTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols,
  });
  member.isNew = true;
  // Joining during the initial delay extends it.
  if (group.is(ClassicGroupState.PreparingRebalance) && group.previousState === ClassicGroupState.Empty) {
    group.newMemberAdded = true;
  }
  group.add(member, join.pending);
  // A parked JoinGroup cannot heartbeat; a new member that never completes its join is dropped after this.
  scheduleHeartbeat(core, group, member, core.config.newMemberJoinTimeoutMs);
  maybePrepareRebalanceOrCompleteJoin(core, group);
}

/**
 * A static member restarted (it comes with its instance id and no member
 * id): it takes over its previous member id's place. In a Stable group whose
 * protocol stays the same this needs no rebalance: the group is persisted
 * with the new id and the member gets its old assignment back.
 */
function replaceStaticMember(
  join: Join,
  group: ClassicGroup,
  oldMemberId: string,
  newMemberId: string,
): void {
  const { core, request } = join;
  const instanceId = request.groupInstanceId!;
  const previousLeader = group.leaderId;
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
  core.deadlines.cancel(heartbeatKey(group.groupId, oldMemberId));
  scheduleHeartbeat(core, group, member);
  const previous = {
    protocols: member.protocols,
    rebalanceTimeoutMs: member.rebalanceTimeoutMs,
    sessionTimeoutMs: member.sessionTimeoutMs,
  };
  group.updateMember(member, request, join.pending);
  switch (group.state) {
    case ClassicGroupState.Stable:
      if (group.protocolName === group.selectProtocol()) {
        return persistReplacedStaticMember(join, group, member, { oldMemberId, previousLeader, previous });
      }
      return maybePrepareRebalanceOrCompleteJoin(core, group);
    case ClassicGroupState.CompletingRebalance:
      // The leader may already be assigning to the old id: rebalance so the new id gets its share.
      return prepareRebalance(core, group);
    case ClassicGroupState.PreparingRebalance:
      return maybeCompleteJoinPhase(core, group);
    default:
      throw new Error(
        `group ${group.groupId} cannot replace static member ${instanceId} in state ${group.state}`,
      );
  }
}

function persistReplacedStaticMember(
  join: Join,
  group: ClassicGroup,
  member: ClassicGroupMember,
  before: {
    oldMemberId: string;
    previousLeader: string | null;
    previous: Parameters<ClassicGroup["updateMember"]>[1];
  },
): void {
  const { core, context } = join;
  const record = groupMetadataRecord(group, group.assignments());
  core.outbox.write(core.partitionOf(group.groupId), [record], (errorCode) => {
    if (errorCode !== ErrorCode.NONE) {
      // Not persisted: put the old member id back and tell the new one to retry.
      group.updateMember(member, before.previous, null);
      const restored = group.replaceStaticMember(
        member.groupInstanceId!,
        member.memberId,
        before.oldMemberId,
      );
      core.deadlines.cancel(heartbeatKey(group.groupId, member.memberId));
      scheduleHeartbeat(core, group, restored);
      respond(join, {
        ...joinGroupError("", appendErrorToResponseError(errorCode)),
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: before.previousLeader ?? "",
      });
      return;
    }
    const isLeader = group.isLeader(member.memberId);
    const skipping = context.apiVersion >= FIRST_VERSION_SKIPPING_ASSIGNMENT;
    group.completeJoin(member, {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      // Before KIP-814 a returning leader is told the old leader id, so that it does not reassign.
      leader: (skipping ? group.leaderId : before.previousLeader) ?? "",
      skipAssignment: skipping && isLeader,
      memberId: member.memberId,
      members: skipping && isLeader ? group.joinResponseMembers() : [],
    });
  });
}
