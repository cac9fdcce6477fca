/**
 * Rebuilding the coordinator's state from `__consumer_offsets`, record by
 * record in log order (Kafka's replay): an offset record sets or (tombstone)
 * deletes an offset, a group record replaces or (tombstone) deletes a
 * classic group. A loaded group with members is Stable and its members'
 * sessions start when loading ends, so members that are gone expire.
 */
import { ErrorCode } from "../protocol/mod.ts";
import { type CoordinatorCore, EXPIRATION_KEY } from "./_coordinator_core.ts";
import { ClassicGroup } from "./classic_group.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import { ClassicGroupMember } from "./classic_member.ts";
import { prepareRebalance, scheduleHeartbeat } from "./classic_rebalance.ts";
import type { GroupMetadataValue, OffsetsTopicRecord } from "./offsets_topic_records.ts";
import { applyOffsetRecords, scheduleOffsetExpiration } from "./offset_operations.ts";

/** Applies one record read from the log. Records of other group kinds go to `other`. */
export function replayRecord(
  core: CoordinatorCore,
  record: OffsetsTopicRecord,
  other?: (record: Extract<OffsetsTopicRecord, { kind: "other" }>) => void,
): void {
  switch (record.kind) {
    case "offset-commit":
      applyOffsetRecords(core, [record]);
      return;
    case "group-metadata":
      if (record.value === null) core.removeGroup(record.groupId);
      else loadGroup(core, record.groupId, record.value);
      return;
    case "other":
      other?.(record);
      return;
  }
}

function loadGroup(core: CoordinatorCore, groupId: string, value: GroupMetadataValue): void {
  const existing = core.groups.get(groupId);
  if (existing) {
    // The newer record replaces the group; nothing can be waiting on a group still loading.
    core.groups.delete(groupId);
  }
  const group = new ClassicGroup({
    groupId,
    state: value.members.length === 0 ? ClassicGroupState.Empty : ClassicGroupState.Stable,
    generationId: value.generation,
    protocolType: value.protocolType === "" ? null : value.protocolType,
    protocolName: value.protocol,
    leaderId: value.leader,
    currentStateTimestampMs: value.currentStateTimestamp === -1 ? null : value.currentStateTimestamp,
  }, core.sink);
  for (const stored of value.members) {
    group.add(
      new ClassicGroupMember({
        memberId: stored.memberId,
        groupInstanceId: stored.groupInstanceId,
        clientId: stored.clientId,
        clientHost: stored.clientHost,
        // Records before value version 1 have no rebalance timeout: the session timeout serves.
        rebalanceTimeoutMs: stored.rebalanceTimeout === -1 ? stored.sessionTimeout : stored.rebalanceTimeout,
        sessionTimeoutMs: stored.sessionTimeout,
        protocolType: value.protocolType,
        protocols: [{ name: value.protocol ?? "", metadata: stored.subscription }],
        assignment: stored.assignment,
      }),
      null,
    );
  }
  // add() elects the first member; the stored leader is the one that counts.
  group.leaderId = value.leader ?? group.leaderId;
  group.subscribedTopics = group.computeSubscribedTopics();
  core.groups.set(groupId, group);
}

/**
 * Loading of `partition` ended: its groups start serving. Members' sessions
 * start now; a group over group.max.size (the limit may have shrunk) is
 * rebalanced so that the extra members are dropped.
 */
export function finishLoading(core: CoordinatorCore, partition: number): void {
  core.partitions.set(partition, "active");
  for (const group of core.groups.values()) {
    if (!(group instanceof ClassicGroup) || core.partitionOf(group.groupId) !== partition) continue;
    for (const member of group.members.values()) scheduleHeartbeat(core, group, member);
    if (group.size > core.config.maxGroupSize && group.canRebalance()) prepareRebalance(core, group);
  }
  if (!core.deadlines.has(EXPIRATION_KEY)) scheduleOffsetExpiration(core);
}

/** Stops serving `partition` (another node leads it now): its groups are dropped without writes. */
export function unloadPartition(core: CoordinatorCore, partition: number): void {
  core.partitions.delete(partition);
  const groupIds = new Set([...core.groups.keys(), ...core.offsets.groupIds()]);
  for (const groupId of groupIds) {
    if (core.partitionOf(groupId) !== partition) continue;
    // Members waiting on the group are sent to look for the new coordinator.
    core.removeGroup(groupId, ErrorCode.NOT_COORDINATOR);
    for (const stored of core.offsets.offsetsOf(groupId)) {
      core.offsets.delete(groupId, stored.topic, stored.partition);
    }
  }
}
