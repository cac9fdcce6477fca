/**
 * Committed offsets: OffsetCommit (with generation and member checks, and
 * commits from consumers outside group management), OffsetFetch (one group
 * or every offset of it), OffsetDelete, the periodic expiry of offsets past
 * offsets.retention.minutes (which also removes empty groups left without
 * offsets), and the removal of offsets of deleted topics.
 *
 * A commit is acknowledged only after its records are durable, and the
 * offsets become visible to OffsetFetch at the same moment.
 */
import { ErrorCode } from "../protocol/mod.ts";
import { appendErrorToResponseError, type CoordinatorCore, EXPIRATION_KEY } from "./_coordinator_core.ts";
import { ClassicGroup } from "./classic_group.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import { scheduleHeartbeat } from "./classic_rebalance.ts";
import type { OffsetCommitValue, OffsetsTopicRecord } from "./offsets_topic_records.ts";
import type {
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetFetchGroupRequest,
  RequestContext,
} from "./requests.ts";
import type {
  FetchedOffset,
  OffsetCommitResponse,
  OffsetDeleteResponse,
  OffsetFetchGroupResponse,
  TopicResults,
} from "./responses.ts";

/** From OffsetCommit v9, a commit to a group that does not exist gets GROUP_ID_NOT_FOUND (else ILLEGAL_GENERATION). */
const FIRST_COMMIT_VERSION_WITH_GROUP_ID_NOT_FOUND = 9;
/** Kafka's "no offset" answer. */
const INVALID_OFFSET = -1;

function commitErrorResponse(request: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partitionIndex: partition.partitionIndex,
        errorCode,
      })),
    })),
  };
}

/** 0 when the commit may proceed, else the error for every partition. */
function validateCommit(
  core: CoordinatorCore,
  request: OffsetCommitRequest,
  context: RequestContext,
): number {
  const statusError = core.statusError(request.groupId);
  if (statusError !== ErrorCode.NONE) return statusError;
  const group = core.groups.get(request.groupId);
  if (!group) {
    // Generation -1 means a consumer outside group management (or an admin): a simple group is made.
    if (request.generationIdOrMemberEpoch < 0) return ErrorCode.NONE;
    return context.apiVersion >= FIRST_COMMIT_VERSION_WITH_GROUP_ID_NOT_FOUND
      ? ErrorCode.GROUP_ID_NOT_FOUND
      : ErrorCode.ILLEGAL_GENERATION;
  }
  return group.validateOffsetCommit({
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    generationIdOrMemberEpoch: request.generationIdOrMemberEpoch,
    apiVersion: context.apiVersion,
  });
}

/** Handles an OffsetCommit; the response is delivered through the outbox as `replyId`. */
export function commitOffsets(
  core: CoordinatorCore,
  replyId: number,
  request: OffsetCommitRequest,
  context: RequestContext,
): void {
  const error = validateCommit(core, request, context);
  if (error !== ErrorCode.NONE) return core.outbox.reply(replyId, commitErrorResponse(request, error));
  const group = core.groups.get(request.groupId);
  if (
    group instanceof ClassicGroup &&
    (group.is(ClassicGroupState.Stable) || group.is(ClassicGroupState.PreparingRebalance))
  ) {
    // In the classic protocol a commit keeps the member's session alive.
    const member = group.members.get(request.memberId);
    if (member) scheduleHeartbeat(core, group, member);
  }
  const expireTimestamp = request.retentionTimeMs === -1 ? -1 : context.nowMs + request.retentionTimeMs;
  const records: Extract<OffsetsTopicRecord, { kind: "offset-commit" }>[] = [];
  const response: OffsetCommitResponse = { topics: [] };
  for (const topic of request.topics) {
    const results: TopicResults = { name: topic.name, partitions: [] };
    response.topics.push(results);
    for (const partition of topic.partitions) {
      const metadata = partition.committedMetadata ?? "";
      if (metadata.length > core.config.offsetMetadataMaxBytes) {
        results.partitions.push({
          partitionIndex: partition.partitionIndex,
          errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE,
        });
        continue;
      }
      results.partitions.push({ partitionIndex: partition.partitionIndex, errorCode: ErrorCode.NONE });
      const value: OffsetCommitValue = {
        offset: partition.committedOffset,
        leaderEpoch: partition.committedLeaderEpoch,
        metadata,
        commitTimestamp: partition.commitTimestamp === -1 ? context.nowMs : partition.commitTimestamp,
        expireTimestamp,
      };
      records.push({
        kind: "offset-commit",
        groupId: request.groupId,
        topic: topic.name,
        partition: partition.partitionIndex,
        value,
      });
    }
  }
  if (records.length === 0) return core.outbox.reply(replyId, response);
  core.outbox.write(core.partitionOf(request.groupId), records, (errorCode) => {
    if (errorCode !== ErrorCode.NONE) {
      core.outbox.reply(replyId, commitErrorResponse(request, appendErrorToResponseError(errorCode)));
      return;
    }
    applyOffsetRecords(core, records);
    core.outbox.reply(replyId, response);
  });
}

/** Applies durable offset records (or tombstones) to the store, creating simple groups as replay does. */
export function applyOffsetRecords(
  core: CoordinatorCore,
  records: readonly Extract<OffsetsTopicRecord, { kind: "offset-commit" }>[],
): void {
  for (const record of records) {
    if (record.value === null) {
      core.offsets.delete(record.groupId, record.topic, record.partition);
      continue;
    }
    if (!core.groups.has(record.groupId)) core.createClassicGroup(record.groupId);
    core.offsets.put(record.groupId, record.topic, record.partition, record.value);
  }
}

function fetched(partitionIndex: number, value: OffsetCommitValue | undefined): FetchedOffset {
  if (value === undefined) {
    return {
      partitionIndex,
      committedOffset: INVALID_OFFSET,
      committedLeaderEpoch: -1,
      metadata: "",
      errorCode: 0,
    };
  }
  return {
    partitionIndex,
    committedOffset: value.offset,
    committedLeaderEpoch: value.leaderEpoch,
    metadata: value.metadata,
    errorCode: ErrorCode.NONE,
  };
}

/**
 * Handles one group of an OffsetFetch. With `requireStable`, Kafka waits
 * for pending (transactional) commits; Dafka's commits are durable before
 * they are visible, so there is nothing pending to wait for.
 */
export function fetchOffsets(
  core: CoordinatorCore,
  request: OffsetFetchGroupRequest,
): OffsetFetchGroupResponse {
  const { groupId } = request;
  const base = { groupId, errorCode: ErrorCode.NONE, topics: [] };
  const statusError = core.statusError(groupId);
  if (statusError !== ErrorCode.NONE) return { ...base, errorCode: statusError };
  const group = core.groups.get(groupId);
  const validation = group
    ? group.validateOffsetFetch(request.memberId, request.memberEpoch)
    : ErrorCode.GROUP_ID_NOT_FOUND;
  const missing = validation === ErrorCode.GROUP_ID_NOT_FOUND;
  if (validation !== ErrorCode.NONE && !missing) return { ...base, errorCode: validation };
  if (request.topics === null) {
    if (missing) return base;
    const topics = [...core.offsets.topicsOf(groupId)].map(([name, partitions]) => ({
      name,
      partitions: [...partitions].map(([partition, value]) => fetched(partition, value)),
    }));
    return { ...base, topics };
  }
  // A group that does not exist has no offsets: every partition answers "none".
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitionIndexes.map((partition) =>
      fetched(partition, missing ? undefined : core.offsets.get(groupId, topic.name, partition))
    ),
  }));
  return { ...base, topics };
}

/** Handles an OffsetDelete; the response is delivered through the outbox as `replyId`. */
export function deleteOffsets(core: CoordinatorCore, replyId: number, request: OffsetDeleteRequest): void {
  const refuse = (errorCode: number) => core.outbox.reply(replyId, { errorCode, topics: [] });
  if (request.groupId === "") return refuse(ErrorCode.INVALID_GROUP_ID);
  const statusError = core.statusError(request.groupId);
  if (statusError !== ErrorCode.NONE) return refuse(statusError);
  const group = core.groups.get(request.groupId);
  if (!group) return refuse(ErrorCode.GROUP_ID_NOT_FOUND);
  const groupError = group.validateOffsetDelete();
  if (groupError !== ErrorCode.NONE) return refuse(groupError);
  const records: Extract<OffsetsTopicRecord, { kind: "offset-commit" }>[] = [];
  const response: OffsetDeleteResponse = { errorCode: ErrorCode.NONE, topics: [] };
  for (const topic of request.topics) {
    const subscribed = group.isSubscribedToTopic(topic.name);
    const errorCode = subscribed ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE;
    response.topics.push({
      name: topic.name,
      partitions: topic.partitions.map(({ partitionIndex }) => ({ partitionIndex, errorCode })),
    });
    if (subscribed) continue;
    for (const { partitionIndex } of topic.partitions) {
      if (core.offsets.get(request.groupId, topic.name, partitionIndex) === undefined) continue;
      records.push({
        kind: "offset-commit",
        groupId: request.groupId,
        topic: topic.name,
        partition: partitionIndex,
        value: null,
      });
    }
  }
  if (records.length === 0) return core.outbox.reply(replyId, response);
  core.outbox.write(core.partitionOf(request.groupId), records, (errorCode) => {
    if (errorCode !== ErrorCode.NONE) return refuse(appendErrorToResponseError(errorCode));
    applyOffsetRecords(core, records);
    core.outbox.reply(replyId, response);
  });
}

/** Runs the expiry job every offsets.retention.check.interval.ms. */
export function scheduleOffsetExpiration(core: CoordinatorCore): void {
  core.after(EXPIRATION_KEY, core.config.offsetsRetentionCheckIntervalMs, () => {
    expireOffsets(core);
    scheduleOffsetExpiration(core);
  });
}

/**
 * Kafka's cleanupGroupMetadata: offsets past retention (by the group's rule)
 * are deleted, and an empty group whose offsets are all gone is deleted too.
 * Topics a member subscribes to keep their offsets.
 */
export function expireOffsets(core: CoordinatorCore): void {
  const byPartition = new Map<number, { records: OffsetsTopicRecord[]; expected: ExpectedRemoval[] }>();
  for (const [groupId, group] of core.groups) {
    if (core.statusError(groupId) !== ErrorCode.NONE) continue;
    const pending = { records: [] as OffsetsTopicRecord[], expected: [] as ExpectedRemoval[] };
    const allExpired = collectExpiredOffsets(core, groupId, pending);
    if (allExpired && group.isEmpty()) {
      pending.records.push(...group.tombstones());
      pending.expected.push({ kind: "group", groupId });
    }
    if (pending.records.length === 0) continue;
    const partition = core.partitionOf(groupId);
    const batch = byPartition.get(partition) ?? { records: [], expected: [] };
    batch.records.push(...pending.records);
    batch.expected.push(...pending.expected);
    byPartition.set(partition, batch);
  }
  for (const [partition, batch] of byPartition) {
    core.outbox.write(partition, batch.records, (errorCode) => {
      if (errorCode === ErrorCode.NONE) applyRemovals(core, batch.expected);
    });
  }
}

/** What a tombstone write removes once durable, unless the state moved on meanwhile. */
type ExpectedRemoval =
  | { kind: "offset"; groupId: string; topic: string; partition: number; value: OffsetCommitValue }
  | { kind: "group"; groupId: string };

function collectExpiredOffsets(
  core: CoordinatorCore,
  groupId: string,
  into: { records: OffsetsTopicRecord[]; expected: ExpectedRemoval[] },
): boolean {
  const group = core.groups.get(groupId)!;
  const nowMs = core.nowMs;
  let allExpired = true;
  for (const [topic, partitions] of core.offsets.topicsOf(groupId)) {
    if (group.isSubscribedToTopic(topic)) {
      allExpired = false;
      continue;
    }
    for (const [partition, value] of partitions) {
      if (!isExpired(core, group.offsetRetentionBaseMs(value), value, nowMs)) {
        allExpired = false;
        continue;
      }
      into.records.push({ kind: "offset-commit", groupId, topic, partition, value: null });
      into.expected.push({ kind: "offset", groupId, topic, partition, value });
    }
  }
  return allExpired;
}

function isExpired(
  core: CoordinatorCore,
  baseMs: number | null,
  value: OffsetCommitValue,
  nowMs: number,
): boolean {
  if (baseMs === null) return false;
  // A commit with its own retention (OffsetCommit v2-4) expires at its own time.
  if (value.expireTimestamp >= 0) return nowMs >= value.expireTimestamp;
  return nowMs - baseMs >= core.config.offsetsRetentionMs;
}

function applyRemovals(core: CoordinatorCore, removals: readonly ExpectedRemoval[]): void {
  for (const removal of removals) {
    if (removal.kind === "offset") {
      if (core.offsets.get(removal.groupId, removal.topic, removal.partition) === removal.value) {
        core.offsets.delete(removal.groupId, removal.topic, removal.partition);
      }
    } else {
      const group = core.groups.get(removal.groupId);
      if (group?.isEmpty() && !core.offsets.hasOffsets(removal.groupId)) core.removeGroup(removal.groupId);
    }
  }
}

/** Deletes every group's offsets of a deleted topic's partitions (Kafka's onPartitionsDeleted). */
export function deleteTopicOffsets(
  core: CoordinatorCore,
  topic: string,
  partitions: ReadonlySet<number>,
): void {
  const byPartition = new Map<number, { records: OffsetsTopicRecord[]; expected: ExpectedRemoval[] }>();
  for (const found of core.offsets.offsetsOfTopicPartitions(topic, partitions)) {
    if (core.statusError(found.groupId) !== ErrorCode.NONE) continue;
    const partition = core.partitionOf(found.groupId);
    const batch = byPartition.get(partition) ?? { records: [], expected: [] };
    batch.records.push({
      kind: "offset-commit",
      groupId: found.groupId,
      topic,
      partition: found.partition,
      value: null,
    });
    batch.expected.push({ kind: "offset", ...found });
    byPartition.set(partition, batch);
  }
  for (const [partition, batch] of byPartition) {
    core.outbox.write(partition, batch.records, (errorCode) => {
      if (errorCode === ErrorCode.NONE) applyRemovals(core, batch.expected);
    });
  }
}
