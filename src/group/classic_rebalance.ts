/**
 * The rebalance machinery of classic groups, shared by JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup and the timers: starting a rebalance, completing the
 * join phase (a new generation), handing out assignments, and expiring
 * members whose session or rebalance ran out. The logic follows Kafka's
 * GroupMetadataManager; time is `core.nowMs`.
 */
import { ErrorCode } from "../protocol/mod.ts";
import {
  appendErrorToResponseError,
  type CoordinatorCore,
  groupMetadataRecord,
  heartbeatKey,
  joinKey,
  syncKey,
} from "./_coordinator_core.ts";
import type { ClassicGroup } from "./classic_group.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import type { ClassicGroupMember } from "./classic_member.ts";
import { joinGroupError } from "./responses.ts";

const EMPTY_ASSIGNMENT = new Uint8Array(0);

/** (Re)arms a member's session: it is removed if nothing renews it within `timeoutMs`. */
export function scheduleHeartbeat(
  core: CoordinatorCore,
  group: ClassicGroup,
  member: ClassicGroupMember,
  timeoutMs = member.sessionTimeoutMs,
): void {
  const { groupId } = group;
  const { memberId } = member;
  core.after(heartbeatKey(groupId, memberId), timeoutMs, () => expireHeartbeat(core, groupId, memberId));
}

/** A member's session ran out: a pending member is dropped, a live one removed unless a rebalance covers it. */
export function expireHeartbeat(core: CoordinatorCore, groupId: string, memberId: string): void {
  const group = core.classicGroup(groupId);
  if (!group || group.isDead()) return;
  if (group.isPendingMember(memberId)) {
    group.remove(memberId);
    if (group.is(ClassicGroupState.PreparingRebalance) && group.hasAllMembersJoined()) {
      completeJoin(core, group);
    }
    return;
  }
  const member = group.members.get(memberId);
  if (member && !member.hasSatisfiedHeartbeat()) removeMemberAndUpdateGroup(core, group, member);
}

/** Removes a member that failed, then rebalances or completes the join phase. */
export function removeMemberAndUpdateGroup(
  core: CoordinatorCore,
  group: ClassicGroup,
  member: ClassicGroupMember,
): void {
  // A new member may still wait in JoinGroup: tell it to rejoin.
  group.completeJoin(member, joinGroupError("", ErrorCode.UNKNOWN_MEMBER_ID));
  group.remove(member.memberId);
  core.deadlines.cancel(heartbeatKey(group.groupId, member.memberId));
  if (group.is(ClassicGroupState.Stable) || group.is(ClassicGroupState.CompletingRebalance)) {
    maybePrepareRebalanceOrCompleteJoin(core, group);
  } else if (group.is(ClassicGroupState.PreparingRebalance) && group.hasAllMembersJoined()) {
    completeJoin(core, group);
  }
}

/** Starts a rebalance if the state allows one, else tries to finish the join phase. */
export function maybePrepareRebalanceOrCompleteJoin(core: CoordinatorCore, group: ClassicGroup): void {
  if (group.canRebalance()) prepareRebalance(core, group);
  else maybeCompleteJoinPhase(core, group);
}

/**
 * Enters PreparingRebalance. Members waiting in SyncGroup are told to
 * rejoin. An empty group waits group.initial.rebalance.delay.ms (extended
 * while members keep arriving) so that a starting group forms in one
 * rebalance; otherwise the join phase ends when everyone rejoined or the
 * rebalance timeout passes.
 */
export function prepareRebalance(core: CoordinatorCore, group: ClassicGroup): void {
  if (group.is(ClassicGroupState.CompletingRebalance)) {
    resetAndPropagateAssignmentWithError(core, group, ErrorCode.REBALANCE_IN_PROGRESS);
  }
  removeSyncExpiration(core, group);
  const isInitialRebalance = group.is(ClassicGroupState.Empty);
  if (isInitialRebalance) {
    const delayMs = core.config.initialRebalanceDelayMs;
    const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
    scheduleInitialRebalanceCheck(core, group.groupId, delayMs, remainingMs);
  }
  group.transitionTo(ClassicGroupState.PreparingRebalance, core.nowMs);
  if (!isInitialRebalance) maybeCompleteJoinElseSchedule(core, group);
}

function scheduleInitialRebalanceCheck(
  core: CoordinatorCore,
  groupId: string,
  delayMs: number,
  remainingMs: number,
): void {
  core.after(joinKey(groupId), delayMs, () => {
    const group = core.classicGroup(groupId);
    if (!group) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      // Someone joined during the delay: wait again, within the rebalance timeout.
      group.newMemberAdded = false;
      const nextDelayMs = Math.min(core.config.initialRebalanceDelayMs, remainingMs);
      scheduleInitialRebalanceCheck(core, groupId, nextDelayMs, Math.max(remainingMs - delayMs, 0));
    } else {
      completeJoin(core, group);
    }
  });
}

function maybeCompleteJoinElseSchedule(core: CoordinatorCore, group: ClassicGroup): void {
  if (group.hasAllMembersJoined()) {
    completeJoin(core, group);
    return;
  }
  const { groupId } = group;
  core.after(joinKey(groupId), group.rebalanceTimeoutMs(), () => {
    const current = core.classicGroup(groupId);
    if (current) completeJoin(core, current);
  });
}

/** Completes the join phase if every member rejoined, except during the initial delay. */
export function maybeCompleteJoinPhase(core: CoordinatorCore, group: ClassicGroup): void {
  if (!group.is(ClassicGroupState.PreparingRebalance)) return;
  if (group.previousState === ClassicGroupState.Empty) return;
  if (!group.hasAllMembersJoined()) return;
  completeJoin(core, group);
}

/**
 * Ends the join phase: dynamic members that did not rejoin are removed, the
 * generation advances, and every joined member gets its JoinGroup response
 * (the leader with the member list). A group left without members is Empty,
 * and that is written to the log.
 */
export function completeJoin(core: CoordinatorCore, group: ClassicGroup): void {
  const { groupId } = group;
  core.deadlines.cancel(joinKey(groupId));
  for (const member of group.notYetRejoinedMembers()) {
    if (member.isStatic) continue;
    group.remove(member.memberId);
    core.deadlines.cancel(heartbeatKey(groupId, member.memberId));
  }
  if (group.isDead()) return;
  if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
    // Nobody rejoined: wait another rebalance timeout for sessions to expire the silent ones.
    core.after(joinKey(groupId), group.rebalanceTimeoutMs(), () => {
      const current = core.classicGroup(groupId);
      if (current) completeJoin(core, current);
    });
    return;
  }
  group.initNextGeneration(core.nowMs);
  if (group.isEmpty()) {
    // Losing this write is safe: the group has no members, and a later record supersedes it.
    core.outbox.write(core.partitionOf(groupId), [groupMetadataRecord(group, new Map())], () => {});
    return;
  }
  const members = group.joinResponseMembers();
  for (const member of group.members.values()) {
    group.completeJoin(member, {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? "",
      skipAssignment: false,
      memberId: member.memberId,
      members: group.isLeader(member.memberId) ? members : [],
    });
    scheduleHeartbeat(core, group, member);
    member.isNew = false;
    group.pendingSyncMembers.add(member.memberId);
  }
  schedulePendingSync(core, group);
}

/** Members of the new generation must send SyncGroup within the rebalance timeout. */
function schedulePendingSync(core: CoordinatorCore, group: ClassicGroup): void {
  const { groupId, generationId } = group;
  core.after(
    syncKey(groupId),
    group.rebalanceTimeoutMs(),
    () => expirePendingSync(core, groupId, generationId),
  );
}

function expirePendingSync(core: CoordinatorCore, groupId: string, generationId: number): void {
  const group = core.classicGroup(groupId);
  if (!group || group.generationId !== generationId) return;
  const waiting = group.is(ClassicGroupState.CompletingRebalance) || group.is(ClassicGroupState.Stable);
  if (!waiting || group.pendingSyncMembers.size === 0) return;
  for (const memberId of [...group.pendingSyncMembers]) {
    group.remove(memberId);
    core.deadlines.cancel(heartbeatKey(groupId, memberId));
  }
  prepareRebalance(core, group);
}

function removeSyncExpiration(core: CoordinatorCore, group: ClassicGroup): void {
  group.pendingSyncMembers.clear();
  core.deadlines.cancel(syncKey(group.groupId));
}

/** A member sent SyncGroup: it no longer owes one. */
export function removePendingSyncMember(core: CoordinatorCore, group: ClassicGroup, memberId: string): void {
  group.pendingSyncMembers.delete(memberId);
  const waiting = group.is(ClassicGroupState.CompletingRebalance) || group.is(ClassicGroupState.Stable);
  if (!waiting || group.pendingSyncMembers.size === 0) core.deadlines.cancel(syncKey(group.groupId));
}

/** Clears every assignment and answers members waiting in SyncGroup with `errorCode`. */
export function resetAndPropagateAssignmentWithError(
  core: CoordinatorCore,
  group: ClassicGroup,
  errorCode: number,
): void {
  if (!group.is(ClassicGroupState.CompletingRebalance)) {
    throw new Error(
      `group ${group.groupId} must be CompletingRebalance to reset assignments, not ${group.state}`,
    );
  }
  for (const member of group.members.values()) member.assignment = EMPTY_ASSIGNMENT;
  propagateAssignment(core, group, errorCode);
}

/** Stores the leader's assignment and answers every member waiting in SyncGroup. */
export function setAndPropagateAssignment(
  core: CoordinatorCore,
  group: ClassicGroup,
  assignments: ReadonlyMap<string, Uint8Array>,
): void {
  if (!group.is(ClassicGroupState.CompletingRebalance)) {
    throw new Error(
      `group ${group.groupId} must be CompletingRebalance to set assignments, not ${group.state}`,
    );
  }
  for (const member of group.members.values()) {
    member.assignment = assignments.get(member.memberId) ?? EMPTY_ASSIGNMENT;
  }
  propagateAssignment(core, group, ErrorCode.NONE);
}

function propagateAssignment(core: CoordinatorCore, group: ClassicGroup, errorCode: number): void {
  const ok = errorCode === ErrorCode.NONE;
  for (const member of group.members.values()) {
    const answered = group.completeSync(member, {
      errorCode,
      protocolType: ok ? group.protocolType : null,
      protocolName: ok ? group.protocolName : null,
      assignment: member.assignment,
    });
    // A session that ran out while the member waited was ignored; count it from now.
    if (answered) scheduleHeartbeat(core, group, member);
  }
}

/** The leader's SyncGroup: persist the assignment, then hand it out (or report the failure). */
export function storeLeaderAssignment(
  core: CoordinatorCore,
  group: ClassicGroup,
  generationId: number,
  assignments: Map<string, Uint8Array>,
): void {
  for (const memberId of group.members.keys()) {
    if (!assignments.has(memberId)) assignments.set(memberId, EMPTY_ASSIGNMENT);
  }
  const record = groupMetadataRecord(group, assignments);
  core.outbox.write(core.partitionOf(group.groupId), [record], (errorCode) => {
    // Another member may have joined meanwhile: act only on the generation this was for.
    if (!group.is(ClassicGroupState.CompletingRebalance) || group.generationId !== generationId) return;
    if (errorCode !== ErrorCode.NONE) {
      resetAndPropagateAssignmentWithError(core, group, appendErrorToResponseError(errorCode));
      maybePrepareRebalanceOrCompleteJoin(core, group);
      return;
    }
    setAndPropagateAssignment(core, group, assignments);
    group.transitionTo(ClassicGroupState.Stable, core.nowMs);
  });
}
