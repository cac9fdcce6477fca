/**
 * Runs the KIP-848 consumer groups (src/group/consumer/) beside the classic
 * group coordinator, as its extension: one `ConsumerGroupCoordinator` per
 * `__consumer_offsets` partition this node serves.
 *
 * - Loading: the classic coordinator hands over the records it does not own
 *   (key versions 3 and later); they are decoded and replayed here, and the
 *   members' deadlines start once the partition is loaded.
 * - Every consumer group sits in the classic coordinator's group map as a
 *   `ConsumerGroupView`, so that OffsetCommit, OffsetFetch, OffsetDelete,
 *   offset expiry, ListGroups and DeleteGroups treat it like a classic group
 *   (and so that a commit to it never makes a classic group of the same id).
 * - Writes go through the classic coordinator's outbox (`persist`, `reply`),
 *   so a heartbeat is answered only once its records are durable. The
 *   consumer coordinator applies its records before they are written; when
 *   an append fails, the partition's consumer groups are rebuilt from the
 *   log, which holds exactly what was written.
 * - A group deleted by DeleteGroups or by offset expiry is written as the
 *   view's tombstones; they are replayed here once durable (when the
 *   classic coordinator drops the view).
 */
import {
  ConsumerGroupCoordinator,
  type ConsumerGroupCoordinatorOptions,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type ConsumerGroupRecord,
  ConsumerGroupView,
  decodeConsumerGroupRecord,
  type DescribedGroup,
  encodeConsumerGroupRecord,
  type TopicMetadataSource,
} from "./consumer/mod.ts";
import { appendErrorToResponseError } from "./_coordinator_core.ts";
import type { GroupCoordinator, GroupCoordinatorExtension } from "./coordinator.ts";
import type { OffsetsTopicRecord } from "./offsets_topic_records.ts";
import type { BrokerConfig } from "../config/mod.ts";
import { ErrorCode } from "../protocol/mod.ts";

type OtherRecord = Extract<OffsetsTopicRecord, { kind: "other" }>;

/** What the consumer groups need from the node. */
export interface ConsumerGroupsOptions {
  /** The coordinator settings (from the group.consumer.* broker configs). */
  settings: ConsumerGroupCoordinatorOptions;
  /** The topics as the metadata image has them now. */
  topics: () => TopicMetadataSource;
  /** Reads every record of a served `__consumer_offsets` partition again, in order (for a rebuild). */
  readPartition: (partition: number, apply: (record: OffsetsTopicRecord) => void) => void;
  nowMs: () => number;
  log: (line: string) => void;
}

/** Kafka's class names for the server assignors, accepted in group.consumer.assignors beside the names. */
const ASSIGNOR_CLASS_NAMES: ReadonlyMap<string, string> = new Map([
  ["org.apache.kafka.coordinator.group.assignor.UniformAssignor", "uniform"],
  ["org.apache.kafka.coordinator.group.assignor.RangeAssignor", "range"],
]);

/** The consumer group coordinator's settings from the group.consumer.* broker configs. */
export function consumerGroupSettings(
  config: BrokerConfig,
  generateMemberId: () => string,
): ConsumerGroupCoordinatorOptions {
  return {
    sessionTimeoutMs: config.int("group.consumer.session.timeout.ms"),
    heartbeatIntervalMs: config.int("group.consumer.heartbeat.interval.ms"),
    maxSize: config.int("group.consumer.max.size"),
    assignors: config.list("group.consumer.assignors").map((name) => ASSIGNOR_CLASS_NAMES.get(name) ?? name),
    generateMemberId,
  };
}

/** Who sent a heartbeat, and when. */
export interface ConsumerHeartbeatSource {
  nowMs: number;
  apiVersion: number;
  clientId: string;
  clientHost: string;
}

/** A consumer group's view that reports when the classic coordinator drops it. */
class DrivenView extends ConsumerGroupView {
  constructor(
    groupId: string,
    readonly consumerCoordinator: ConsumerGroupCoordinator,
    private readonly onDead: (view: DrivenView, errorCode: number) => void,
  ) {
    super(groupId, consumerCoordinator);
  }

  override markDead(errorCode: number): void {
    super.markDead(errorCode);
    this.onDead(this, errorCode);
  }
}

/** A heartbeat error response, shaped as Kafka's. */
export function heartbeatError(
  errorCode: number,
  errorMessage: string | null,
): ConsumerGroupHeartbeatResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

/** A ConsumerGroupDescribe entry for a group that cannot be described. */
function describeError(groupId: string, errorCode: number, errorMessage: string | null): DescribedGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: "",
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: "",
    members: [],
    authorizedOperations: -2147483648,
  };
}

function asOtherRecord(record: ConsumerGroupRecord): OtherRecord {
  const { key, value } = encodeConsumerGroupRecord(record);
  return { kind: "other", keyVersion: record.type, key, value };
}

/** The consumer groups of every served partition; the classic coordinator's extension. */
export class ConsumerGroups implements GroupCoordinatorExtension {
  readonly #options: ConsumerGroupsOptions;
  #groups: GroupCoordinator | null = null;
  /** Partition to its coordinator; `loaded` once its deadlines run. */
  readonly #partitions = new Map<number, { coordinator: ConsumerGroupCoordinator; loaded: boolean }>();
  readonly #views = new Map<string, DrivenView>();

  constructor(options: ConsumerGroupsOptions) {
    this.#options = options;
    // Fails at start-up on an unknown assignor name, as Kafka does.
    this.#newCoordinator();
  }

  /** Connects the classic coordinator, which is built with this object as its extension. */
  attach(groups: GroupCoordinator): void {
    this.#groups = groups;
  }

  get #classic(): GroupCoordinator {
    if (this.#groups === null) throw new Error("the consumer groups are not attached to a coordinator");
    return this.#groups;
  }

  #newCoordinator(): ConsumerGroupCoordinator {
    return new ConsumerGroupCoordinator(this.#options.settings);
  }

  /** The consumer group coordinator of `partition`, for inspection (tests, the simulator). */
  coordinatorOf(partition: number): ConsumerGroupCoordinator | undefined {
    return this.#partitions.get(partition)?.coordinator;
  }

  // ---------------------------------------------------------------- loading

  /** `partition` starts loading: its consumer groups start from nothing. */
  beginLoading(partition: number): void {
    this.#dropViews(partition);
    this.#partitions.set(partition, { coordinator: this.#newCoordinator(), loaded: false });
  }

  /** A record of `partition` the classic coordinator does not own, read while loading. */
  onOtherRecord(partition: number, record: OtherRecord): void {
    const coordinator = this.#partitions.get(partition)?.coordinator;
    if (!coordinator) return;
    const groupId = this.#replayOther(coordinator, record);
    if (groupId !== null) this.#syncView(groupId, coordinator);
  }

  /** Decodes and applies one record; returns its group id, or null when it is not a consumer group record. */
  #replayOther(coordinator: ConsumerGroupCoordinator, record: OtherRecord): string | null {
    try {
      const decoded = decodeConsumerGroupRecord(record.key, record.value);
      // Share groups, regular expressions: not served here.
      if (decoded === null) return null;
      coordinator.replay(decoded);
      return decoded.groupId;
    } catch (error) {
      // A record Dafka cannot read (a newer value version) is skipped, as undecodable offsets are.
      this.#options.log(
        `skipping a consumer group record (key version ${record.keyVersion}): ${(error as Error).message}`,
      );
      return null;
    }
  }

  /** `partition` is loaded: its members' session and rebalance deadlines start now. */
  finishLoading(partition: number, nowMs: number): void {
    const entry = this.#partitions.get(partition);
    if (!entry) return;
    entry.coordinator.onLoaded(nowMs);
    entry.loaded = true;
  }

  /** This node no longer serves `partition` (after the classic coordinator unloaded it). */
  unloadPartition(partition: number): void {
    this.#dropViews(partition);
    this.#partitions.delete(partition);
  }

  // ---------------------------------------------------------------- the shared group map

  /**
   * Makes the classic coordinator's map agree with the consumer coordinator
   * about `groupId`: a new consumer group gets its view, replacing an empty
   * classic group of the same id (whose tombstones are returned for the
   * caller to persist); a consumer group that is gone loses its view.
   */
  #syncView(groupId: string, coordinator: ConsumerGroupCoordinator): OffsetsTopicRecord[] {
    const classic = this.#classic;
    const current = classic.group(groupId);
    const view = this.#views.get(groupId);
    if (!coordinator.hasGroup(groupId)) {
      if (view !== undefined && current === view) classic.unregisterGroup(groupId);
      this.#views.delete(groupId);
      return [];
    }
    if (view !== undefined && current === view && view.consumerCoordinator === coordinator) return [];
    const records: OffsetsTopicRecord[] = [];
    if (current !== undefined && current.type === "classic") {
      if (!current.isEmpty()) {
        // Only a log mixing both kinds under one id gets here; the classic group keeps the id.
        this.#options.log(`group ${groupId} is both a classic group with members and a consumer group`);
        return [];
      }
      records.push(...classic.removeEmptyClassicGroup(groupId));
    } else if (current !== undefined) {
      classic.unregisterGroup(groupId);
    }
    const fresh = new DrivenView(
      groupId,
      coordinator,
      (dead, errorCode) => this.#onViewDead(dead, errorCode),
    );
    this.#views.set(groupId, fresh);
    classic.registerGroup(fresh);
    return records;
  }

  /**
   * The classic coordinator dropped a view: the partition unloads, or the
   * group's tombstones (`view.tombstones()`) are durable and are applied now.
   */
  #onViewDead(view: DrivenView, errorCode: number): void {
    if (this.#views.get(view.groupId) !== view) return;
    this.#views.delete(view.groupId);
    if (errorCode === ErrorCode.NOT_COORDINATOR) return;
    const coordinator = view.consumerCoordinator;
    const group = coordinator.group(view.groupId);
    if (!group) return;
    if (group.members.size > 0) {
      // Members joined after the deletion was decided; the log says what holds.
      this.#rebuild(this.#classic.partitionFor(view.groupId));
      return;
    }
    for (const record of coordinator.groupTombstones(view.groupId)) coordinator.replay(record);
  }

  /** Takes every view of `partition` out of the shared map. */
  #dropViews(partition: number): void {
    const classic = this.#classic;
    for (const [groupId, view] of [...this.#views]) {
      if (classic.partitionFor(groupId) !== partition) continue;
      this.#views.delete(groupId);
      if (classic.group(groupId) === view) classic.unregisterGroup(groupId);
    }
  }

  /**
   * An append to `partition` failed: the records already applied may not be
   * in the log, so the partition's consumer groups are read back from it (as
   * Kafka reverts to its last committed state). Deadlines start afresh.
   */
  #rebuild(partition: number): void {
    const entry = this.#partitions.get(partition);
    if (!entry) return;
    this.#options.log(`rebuilding the consumer groups of __consumer_offsets-${partition} from its log`);
    const coordinator = this.#newCoordinator();
    this.#options.readPartition(partition, (record) => {
      if (record.kind === "other") this.#replayOther(coordinator, record);
    });
    coordinator.onLoaded(this.#options.nowMs());
    this.#dropViews(partition);
    entry.coordinator = coordinator;
    for (const groupId of coordinator.groupIds()) {
      // Records for the classic side (an upgraded empty classic group) are already in the log.
      this.#syncView(groupId, coordinator);
    }
  }

  // ---------------------------------------------------------------- requests

  /**
   * ConsumerGroupHeartbeat: answered through the classic coordinator's
   * outbox as `replyId`, after its records are durable.
   */
  heartbeat(replyId: number, request: ConsumerGroupHeartbeatRequest, source: ConsumerHeartbeatSource): void {
    const classic = this.#classic;
    const reply = (response: ConsumerGroupHeartbeatResponse) => classic.reply(replyId, response);
    const { groupId } = request;
    const statusError = classic.statusError(groupId);
    if (statusError !== ErrorCode.NONE) return reply(heartbeatError(statusError, null));
    const partition = classic.partitionFor(groupId);
    const entry = this.#partitions.get(partition);
    if (!entry?.loaded) return reply(heartbeatError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, null));
    const existing = classic.group(groupId);
    // Only a join may take the id of an empty classic group (Kafka's upgrade of an empty group).
    if (existing?.type === "classic" && (!existing.isEmpty() || request.memberEpoch !== 0)) {
      return reply(heartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`));
    }
    const { response, records } = entry.coordinator.heartbeat(request, {
      ...source,
      topics: this.#options.topics(),
    });
    if (records.length === 0) return reply(response);
    const written = [...this.#syncView(groupId, entry.coordinator), ...records.map(asOtherRecord)];
    classic.persist(partition, written, (errorCode) => {
      if (errorCode === ErrorCode.NONE) return reply(response);
      this.#rebuild(partition);
      reply(heartbeatError(appendErrorToResponseError(errorCode), null));
    });
  }

  /** ConsumerGroupDescribe, one entry per asked id, in order; the handler fills authorizedOperations. */
  describe(groupIds: readonly string[]): DescribedGroup[] {
    const classic = this.#classic;
    const topics = this.#options.topics();
    return groupIds.map((groupId) => {
      if (groupId === "") return describeError(groupId, ErrorCode.INVALID_GROUP_ID, null);
      const statusError = classic.statusError(groupId);
      if (statusError !== ErrorCode.NONE) return describeError(groupId, statusError, null);
      const existing = classic.group(groupId);
      if (existing !== undefined && existing.type !== "consumer") {
        return describeError(
          groupId,
          ErrorCode.GROUP_ID_NOT_FOUND,
          `Group ${groupId} is not a consumer group.`,
        );
      }
      const coordinator = this.#partitions.get(classic.partitionFor(groupId))?.coordinator;
      if (!coordinator) return describeError(groupId, ErrorCode.NOT_COORDINATOR, null);
      return coordinator.describe([groupId], topics)[0]!;
    });
  }

  // ---------------------------------------------------------------- time

  nextDeadlineMs(): number | null {
    let earliest: number | null = null;
    for (const { coordinator, loaded } of this.#partitions.values()) {
      const next = loaded ? coordinator.nextDeadlineMs() : null;
      if (next !== null && (earliest === null || next < earliest)) earliest = next;
    }
    return earliest;
  }

  /** Fences the members whose session or rebalance deadline passed, and persists that. */
  tick(nowMs: number): void {
    for (const [partition, entry] of this.#partitions) {
      if (!entry.loaded) continue;
      const { records, expired } = entry.coordinator.tick(nowMs);
      for (const member of expired) {
        this.#options.log(
          `consumer group ${member.groupId}: member ${member.memberId} removed after its ${member.reason}`,
        );
      }
      if (records.length === 0) continue;
      this.#classic.persist(partition, records.map(asOtherRecord), (errorCode) => {
        if (errorCode !== ErrorCode.NONE) this.#rebuild(partition);
      });
    }
  }
}
