/**
 * The KIP-848 consumer group coordinator of one `__consumer_offsets`
 * partition: a pure state machine driven by requests and clock ticks.
 *
 * Its state changes only by replaying records, those it produces while
 * serving requests and those read back from the log at start-up, so a
 * coordinator rebuilt from the log is the one that wrote it. On top of that
 * state it keeps the members' deadlines (session and rebalance timeouts),
 * which are not persisted: after a load they start afresh from `onLoaded`.
 */
import type { ServerAssignor } from "./assignor.ts";
import { describeGroups } from "./describe.ts";
import type { ConsumerGroup, ConsumerGroupStateName } from "./group.ts";
import { handleHeartbeat, type HeartbeatSettings } from "./heartbeat.ts";
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribedGroup,
  HeartbeatContext,
} from "./heartbeat_types.ts";
import { fenceMemberRecords } from "./leave.ts";
import { MemberState } from "./member.ts";
import { rangeAssignor } from "./range_assignor.ts";
import {
  groupEpochTombstone,
  subscriptionMetadataTombstone,
  targetAssignmentEpochTombstone,
  targetAssignmentTombstone,
} from "./record_builders.ts";
import { type ConsumerGroupRecord, ConsumerGroupRecordType } from "./records.ts";
import { replayRecord } from "./replay.ts";
import { restrictSubscriptionMetadata } from "./subscription.ts";
import type { TopicMetadataSource } from "./topics.ts";
import { uniformAssignor } from "./uniform_assignor.ts";
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";

/** The server assignors Dafka has, by name. */
export const SERVER_ASSIGNORS: ReadonlyMap<string, ServerAssignor> = new Map([
  [uniformAssignor.name, uniformAssignor],
  [rangeAssignor.name, rangeAssignor],
]);

/** Settings, with Kafka's configuration names and defaults. */
export interface ConsumerGroupCoordinatorOptions {
  /** group.consumer.session.timeout.ms, default 45000. */
  sessionTimeoutMs?: number;
  /** group.consumer.heartbeat.interval.ms, default 5000. */
  heartbeatIntervalMs?: number;
  /** group.consumer.max.size, default 2147483647. */
  maxSize?: number;
  /** group.consumer.assignors as names, default ["uniform", "range"]; the first is the default. */
  assignors?: readonly string[];
  /** Makes member ids for v0 joins that bring none (Kafka: a random UUID in printed form). */
  generateMemberId: () => string;
}

/** A member the coordinator removed because it stopped heartbeating or revoking in time. */
export interface ExpiredMember {
  groupId: string;
  memberId: string;
  reason: "session timeout" | "rebalance timeout";
}

/** What a request or tick produced: records to persist, in order, before answering. */
export interface CoordinatorResult<T> {
  response: T;
  records: ConsumerGroupRecord[];
}

/** One consumer group as ListGroups shows it. */
export interface ListedConsumerGroup {
  groupId: string;
  groupState: ConsumerGroupStateName;
  groupType: "consumer";
  protocolType: "consumer";
}

interface MemberDeadlines {
  sessionDeadlineMs: number;
  /** Set while the member must revoke partitions: it is fenced if still at `memberEpoch` then. */
  rebalance: { memberEpoch: number; deadlineMs: number } | null;
}

const DEFAULT_SESSION_TIMEOUT_MS = 45_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
const DEFAULT_MAX_SIZE = 2_147_483_647;

/** The consumer group coordinator; see mod.ts for how to drive it. */
export class ConsumerGroupCoordinator {
  readonly #groups = new Map<string, ConsumerGroup>();
  /** Group id to member id to deadlines. */
  readonly #deadlines = new Map<string, Map<string, MemberDeadlines>>();
  readonly #sessionTimeoutMs: number;
  readonly #settings: HeartbeatSettings;

  constructor(options: ConsumerGroupCoordinatorOptions) {
    this.#sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const assignors = (options.assignors ?? [uniformAssignor.name, rangeAssignor.name]).map((name) => {
      const assignor = SERVER_ASSIGNORS.get(name);
      if (!assignor) throw new Error(`unknown consumer group assignor ${name}`);
      return assignor;
    });
    if (assignors.length === 0) throw new Error("group.consumer.assignors must name at least one assignor");
    this.#settings = {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      maxSize: options.maxSize ?? DEFAULT_MAX_SIZE,
      assignors,
      generateMemberId: options.generateMemberId,
    };
  }

  /** Handles a ConsumerGroupHeartbeat. The records must be persisted before the response is sent. */
  heartbeat(
    request: ConsumerGroupHeartbeatRequest,
    context: HeartbeatContext,
  ): CoordinatorResult<ConsumerGroupHeartbeatResponse> {
    const outcome = handleHeartbeat(this.#groups, request, context, this.#settings);
    for (const record of outcome.records) this.replay(record);
    if (outcome.heartbeatMemberId !== null) {
      this.#refreshDeadlines(request.groupId, outcome.heartbeatMemberId, context.nowMs, outcome.records);
    }
    return { response: outcome.response, records: outcome.records };
  }

  /** Handles a ConsumerGroupDescribe; the handler fills authorizedOperations if asked. */
  describe(groupIds: readonly string[], topics: TopicMetadataSource): DescribedGroup[] {
    return describeGroups(this.#groups, groupIds, topics, this.#settings.assignors[0]!.name);
  }

  /** Fences the members whose session or rebalance deadline passed; records to persist. */
  tick(nowMs: number): { records: ConsumerGroupRecord[]; expired: ExpiredMember[] } {
    const records: ConsumerGroupRecord[] = [];
    const expired: ExpiredMember[] = [];
    for (const item of this.#due(nowMs)) {
      const group = this.#groups.get(item.groupId);
      const member = group?.members.get(item.memberId);
      if (!group || !member) continue;
      if (item.reason === "rebalance timeout" && member.memberEpoch !== item.memberEpoch) {
        // The member moved on since the deadline was set: nothing to fence.
        this.#deadlinesOf(item.groupId, item.memberId, nowMs).rebalance = null;
        continue;
      }
      const metadataFor = (names: ReadonlySet<string>) =>
        restrictSubscriptionMetadata(group.subscriptionMetadata, names);
      const fence = fenceMemberRecords(group, member, metadataFor);
      for (const record of fence) this.replay(record);
      records.push(...fence);
      expired.push({ groupId: item.groupId, memberId: item.memberId, reason: item.reason });
    }
    return { records, expired };
  }

  /** The members past a deadline, earliest first; members without deadlines get them now. */
  #due(nowMs: number): (ExpiredMember & { deadlineMs: number; memberEpoch: number })[] {
    const due: (ExpiredMember & { deadlineMs: number; memberEpoch: number })[] = [];
    for (const { groupId, members } of this.#groups.values()) {
      for (const { memberId, memberEpoch } of members.values()) {
        const { sessionDeadlineMs, rebalance } = this.#deadlinesOf(groupId, memberId, nowMs);
        if (sessionDeadlineMs <= nowMs) {
          due.push({
            groupId,
            memberId,
            reason: "session timeout",
            deadlineMs: sessionDeadlineMs,
            memberEpoch,
          });
        } else if (rebalance && rebalance.deadlineMs <= nowMs) {
          due.push({ groupId, memberId, reason: "rebalance timeout", ...rebalance });
        }
      }
    }
    return due.sort((left, right) =>
      left.deadlineMs - right.deadlineMs || compare(left.groupId, right.groupId) ||
      compare(left.memberId, right.memberId)
    );
  }

  /** The earliest deadline, for the driver to tick then; null when no member has one. */
  nextDeadlineMs(): number | null {
    let earliest: number | null = null;
    for (const members of this.#deadlines.values()) {
      for (const deadlines of members.values()) {
        for (const deadline of [deadlines.sessionDeadlineMs, deadlines.rebalance?.deadlineMs]) {
          if (deadline !== undefined && (earliest === null || deadline < earliest)) earliest = deadline;
        }
      }
    }
    return earliest;
  }

  /** Applies one record, produced here or read from `__consumer_offsets`. */
  replay(record: ConsumerGroupRecord): void {
    replayRecord(this.#groups, record);
    if (record.value !== null) return;
    if (record.type === ConsumerGroupRecordType.MEMBER_METADATA) {
      this.#deadlines.get(record.groupId)?.delete(record.memberId);
    }
    if (record.type === ConsumerGroupRecordType.GROUP_METADATA) this.#deadlines.delete(record.groupId);
  }

  /** Starts every member's deadlines once the log is loaded, as Kafka does when a partition loads. */
  onLoaded(nowMs: number): void {
    this.#deadlines.clear();
    for (const group of this.#groups.values()) {
      for (const member of group.members.values()) {
        const deadlines = this.#deadlinesOf(group.groupId, member.memberId, nowMs);
        if (member.state === MemberState.UNREVOKED_PARTITIONS) {
          deadlines.rebalance = {
            memberEpoch: member.memberEpoch,
            deadlineMs: nowMs + Math.max(0, member.rebalanceTimeoutMs),
          };
        }
      }
    }
  }

  /** ListGroups entries for the consumer groups. */
  listGroups(): ListedConsumerGroup[] {
    return [...this.#groups.values()].map((group) => ({
      groupId: group.groupId,
      groupState: group.state(),
      groupType: "consumer",
      protocolType: "consumer",
    }));
  }

  /** Whether a consumer group with this id exists. */
  hasGroup(groupId: string): boolean {
    return this.#groups.has(groupId);
  }

  /** A group's state, read-only, for describing, checking invariants and tests. */
  group(groupId: string): ConsumerGroup | undefined {
    return this.#groups.get(groupId);
  }

  /** All group ids. */
  groupIds(): string[] {
    return [...this.#groups.keys()];
  }

  /**
   * DeleteGroups for a consumer group: NON_EMPTY_GROUP while it has members,
   * else the tombstones deleting it, already applied (the handler deletes
   * its offsets too).
   */
  deleteGroup(groupId: string): CoordinatorResult<number> {
    const group = this.#groups.get(groupId);
    if (!group) return { response: ErrorCode.GROUP_ID_NOT_FOUND, records: [] };
    if (group.members.size > 0) return { response: ErrorCode.NON_EMPTY_GROUP, records: [] };
    const records = this.groupTombstones(groupId);
    for (const record of records) this.replay(record);
    return { response: ErrorCode.NONE, records };
  }

  /**
   * The tombstones that delete an empty group, in Kafka's order, without
   * applying them: for a caller that persists them and replays them later.
   */
  groupTombstones(groupId: string): ConsumerGroupRecord[] {
    const group = this.#groups.get(groupId);
    if (!group) return [];
    if (group.members.size > 0) throw new Error(`group ${groupId} still has members`);
    return [
      ...[...group.targetAssignment.keys()].map((memberId) => targetAssignmentTombstone(groupId, memberId)),
      targetAssignmentEpochTombstone(groupId),
      subscriptionMetadataTombstone(groupId),
      groupEpochTombstone(groupId),
    ];
  }

  /**
   * Checks an OffsetCommit (v9+ carries the member epoch as generation id) or
   * TxnOffsetCommit against the group: null when accepted. An empty group
   * accepts commits from outside the group (epoch -1, the admin client).
   */
  validateOffsetCommit(
    groupId: string,
    memberId: string,
    memberEpoch: number,
    options: { apiVersion: number; isTransactional: boolean },
  ): KafkaError | null {
    const group = this.#groups.get(groupId);
    if (!group) return new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    if (memberEpoch < 0 && group.members.size === 0) return null;
    const member = group.members.get(memberId);
    if (!member) {
      return new KafkaError(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${memberId} is not a member of group ${groupId}.`,
      );
    }
    if (!options.isTransactional && options.apiVersion < 9) {
      return new KafkaError(
        ErrorCode.UNSUPPORTED_VERSION,
        "OffsetCommit version 9 or above must be used by members using the modern group protocol",
      );
    }
    return staleEpoch(memberEpoch, member.memberEpoch);
  }

  /**
   * Checks an OffsetFetch (v9+ may carry member id and epoch): null when
   * accepted. Without a member id and with epoch -1 (admin clients, older
   * versions) it is always accepted.
   */
  validateOffsetFetch(groupId: string, memberId: string | null, memberEpoch: number): KafkaError | null {
    if (memberId === null && memberEpoch < 0) return null;
    const group = this.#groups.get(groupId);
    if (!group) return new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    const member = memberId === null ? undefined : group.members.get(memberId);
    if (!member) {
      return new KafkaError(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${memberId} is not a member of group ${groupId}.`,
      );
    }
    return staleEpoch(memberEpoch, member.memberEpoch);
  }

  #deadlinesOf(groupId: string, memberId: string, nowMs: number): MemberDeadlines {
    let members = this.#deadlines.get(groupId);
    if (!members) this.#deadlines.set(groupId, members = new Map());
    let deadlines = members.get(memberId);
    if (!deadlines) {
      members.set(
        memberId,
        deadlines = { sessionDeadlineMs: nowMs + this.#sessionTimeoutMs, rebalance: null },
      );
    }
    return deadlines;
  }

  /**
   * After a successful heartbeat: the session starts again, and when the
   * member's assignment changed, the rebalance deadline starts again if the
   * member must revoke partitions and is cleared if it need not.
   */
  #refreshDeadlines(
    groupId: string,
    memberId: string,
    nowMs: number,
    records: readonly ConsumerGroupRecord[],
  ): void {
    const member = this.#groups.get(groupId)?.members.get(memberId);
    if (!member) return;
    const deadlines = this.#deadlinesOf(groupId, memberId, nowMs);
    deadlines.sessionDeadlineMs = nowMs + this.#sessionTimeoutMs;
    const assignmentChanged = records.some((record) =>
      record.type === ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT && record.memberId === memberId
    );
    if (!assignmentChanged) return;
    deadlines.rebalance = member.state === MemberState.UNREVOKED_PARTITIONS
      ? { memberEpoch: member.memberEpoch, deadlineMs: nowMs + Math.max(0, member.rebalanceTimeoutMs) }
      : null;
  }
}

function staleEpoch(received: number, expected: number): KafkaError | null {
  if (received === expected) return null;
  return new KafkaError(
    ErrorCode.STALE_MEMBER_EPOCH,
    `The received member epoch ${received} does not match the expected member epoch ${expected}.`,
  );
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
