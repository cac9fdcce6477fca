/**
 * The administrative group APIs: ListGroups (with KIP-518 state and KIP-848
 * type filters), DescribeGroups, and DeleteGroups (empty groups only, with
 * all their offsets).
 */
import { ErrorCode } from "../protocol/mod.ts";
import { appendErrorToResponseError, type CoordinatorCore } from "./_coordinator_core.ts";
import { ClassicGroup } from "./classic_group.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import type { OffsetsTopicRecord } from "./offsets_topic_records.ts";
import type { DeleteGroupsResult, DescribedGroup, ListGroupsResponse } from "./responses.ts";

const GROUP_TYPES = new Set(["classic", "consumer", "share"]);

/** ListGroups: every group of the partitions served here, filtered by state and type (case-insensitively). */
export function listGroups(
  core: CoordinatorCore,
  statesFilter: readonly string[],
  typesFilter: readonly string[],
): ListGroupsResponse {
  for (const status of core.partitions.values()) {
    if (status === "loading") return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
  }
  const states = new Set(statesFilter.map((state) => state.trim().toLowerCase()));
  // A type Kafka does not know matches no group.
  const types = new Set(
    typesFilter.map((type) => type.trim().toLowerCase()).map((type) =>
      GROUP_TYPES.has(type) ? type : "unknown"
    ),
  );
  const groups = [];
  for (const group of core.groups.values()) {
    if (group.isDead() || core.statusError(group.groupId) !== ErrorCode.NONE) continue;
    if (states.size > 0 && !states.has(group.stateName().toLowerCase())) continue;
    if (types.size > 0 && !types.has(group.type)) continue;
    groups.push({
      groupId: group.groupId,
      protocolType: group.protocolTypeName(),
      groupState: group.stateName(),
      groupType: group.type,
    });
  }
  return { errorCode: ErrorCode.NONE, groups };
}

/** DescribeGroups for one group. A group that does not exist is described as Dead, as Kafka does. */
export function describeGroup(core: CoordinatorCore, groupId: string): DescribedGroup {
  const base = {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: "",
    protocolType: "",
    protocolData: "",
    members: [],
  };
  const statusError = core.statusError(groupId);
  if (statusError !== ErrorCode.NONE) return { ...base, errorCode: statusError };
  const group = core.groups.get(groupId);
  if (!(group instanceof ClassicGroup) || group.isDead()) {
    return { ...base, groupState: ClassicGroupState.Dead };
  }
  const stable = group.is(ClassicGroupState.Stable);
  return {
    ...base,
    groupState: group.state,
    protocolType: group.protocolType ?? "",
    protocolData: stable ? group.protocolName ?? "" : "",
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      // Member metadata is shown only once a protocol is settled.
      memberMetadata: stable ? member.metadataFor(group.protocolName!) : new Uint8Array(0),
      memberAssignment: member.assignment,
    })),
  };
}

/**
 * DeleteGroups: each empty group is deleted with its offsets (tombstones
 * written per `__consumer_offsets` partition); the response, in request
 * order, goes out once every write is durable.
 */
export function deleteGroups(core: CoordinatorCore, replyId: number, groupIds: readonly string[]): void {
  const results: DeleteGroupsResult[] = groupIds.map((groupId) => ({ groupId, errorCode: ErrorCode.NONE }));
  const byPartition = new Map<number, { records: OffsetsTopicRecord[]; indexes: number[] }>();
  results.forEach((result, index) => {
    const error = deleteGroupError(core, result.groupId);
    if (error !== ErrorCode.NONE) {
      result.errorCode = error;
      return;
    }
    const records: OffsetsTopicRecord[] = core.offsets.offsetsOf(result.groupId).map((stored) => ({
      kind: "offset-commit",
      groupId: result.groupId,
      topic: stored.topic,
      partition: stored.partition,
      value: null,
    }));
    records.push(...core.groups.get(result.groupId)!.tombstones());
    const partition = core.partitionOf(result.groupId);
    const batch = byPartition.get(partition) ?? { records: [], indexes: [] };
    batch.records.push(...records);
    batch.indexes.push(index);
    byPartition.set(partition, batch);
  });
  let outstanding = byPartition.size;
  if (outstanding === 0) return core.outbox.reply(replyId, results);
  for (const [partition, batch] of byPartition) {
    core.outbox.write(partition, batch.records, (errorCode) => {
      for (const index of batch.indexes) {
        const result = results[index]!;
        if (errorCode !== ErrorCode.NONE) result.errorCode = appendErrorToResponseError(errorCode);
        else removeDeletedGroup(core, result.groupId);
      }
      if (--outstanding === 0) core.outbox.reply(replyId, results);
    });
  }
}

function deleteGroupError(core: CoordinatorCore, groupId: string): number {
  const statusError = core.statusError(groupId);
  if (statusError !== ErrorCode.NONE) return statusError;
  const group = core.groups.get(groupId);
  return group ? group.validateDeleteGroup() : ErrorCode.GROUP_ID_NOT_FOUND;
}

function removeDeletedGroup(core: CoordinatorCore, groupId: string): void {
  for (const stored of core.offsets.offsetsOf(groupId)) {
    core.offsets.delete(groupId, stored.topic, stored.partition);
  }
  core.removeGroup(groupId);
}
