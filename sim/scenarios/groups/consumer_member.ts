/**
 * A KIP-848 consumer for the simulator, speaking ConsumerGroupHeartbeat over
 * raw requests the way Kafka's new consumer does: it joins at epoch 0,
 * heartbeats at the interval the coordinator gives, and reconciles each
 * assignment it is sent: it commits and drops the revoked partitions, then
 * takes the new ones (reading their committed offsets with its member
 * epoch), and acknowledges at once with a heartbeat reporting what it owns.
 * After a failed request it sends every field again (the coordinator then
 * repeats the assignment). Fenced (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID),
 * it abandons its partitions and rejoins at epoch 0. It commits its
 * positions with OffsetCommit v9 and its member epoch.
 *
 * Every assignment, acknowledgement, fencing and commit goes to the
 * ConsumerGroupChecker. The run inflicts the faults: a crash (the host dies),
 * a pause (a long GC pause: the member may be fenced meanwhile, and then
 * commits and heartbeats as a zombie, which must be refused), a leave.
 */
import type { World } from "../../../src/io/mod.ts";
import {
  ErrorCode,
  randomUuid,
  type RequestInputForKey,
  type ResponseForKey,
  type ResponseOf,
  uuidToString,
} from "../../../src/protocol/mod.ts";
import type { ConsumerGroupChecker } from "../../checkers/groups/consumer_group_checker.ts";
import type { ConsumerGroupWorkloadOptions } from "./consumer_options.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";
import type { BrokerLink } from "../../clients/broker_link.ts";
import { isNetError } from "../../clients/net_errors.ts";
import type { consumerGroupHeartbeat } from "../../../src/protocol/messages/mod.ts";

const OFFSET_COMMIT = 8;
const OFFSET_FETCH = 9;
const FIND_COORDINATOR = 10;
const CONSUMER_GROUP_HEARTBEAT = 68;
/** Errors after which a member tries again later, sending every field. */
const RETRIABLE = new Set<number>([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.UNKNOWN_SERVER_ERROR,
  ErrorCode.KAFKA_STORAGE_ERROR,
  // A static member whose previous incarnation still holds the instance id waits for it to go.
  ErrorCode.UNRELEASED_INSTANCE_ID,
]);
/** Errors that mean the member is no longer in the group at its epoch. */
const FENCED = new Set<number>([ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID]);
const RETRY_BACKOFF_MS = 100;
const FIND_COORDINATOR_ATTEMPTS_MAX = 100;

export interface ConsumerGroupMemberOptions {
  name: string;
  world: World;
  random: SeededRandom;
  link: BrokerLink;
  checker: ConsumerGroupChecker;
  workload: ConsumerGroupWorkloadOptions;
  groupId: string;
  topic: string;
  topicId: Uint8Array;
  /** The static member's instance id, or null for a dynamic member. */
  instanceId: string | null;
  log: (line: string) => void;
}

function sorted(partitions: Iterable<number>): number[] {
  return [...partitions].sort((left, right) => left - right);
}

export class ConsumerGroupMember {
  readonly name: string;
  memberId: string;
  epoch = 0;
  readonly #version: number;
  /** The partitions of its last assignment: what it processes. */
  readonly #assigned = new Set<number>();
  /** Positions of assigned partitions whose committed offset was read. */
  readonly #positions = new Map<number, number>();
  /** What the last heartbeat reported as owned; a different assignment must be acknowledged. */
  #reported: string | null = null;
  #heartbeatIntervalMs: number;
  #nextHeartbeatMs = 0;
  /** The next heartbeat sends every field (after a join or a failure). */
  #full = true;
  #lastHeartbeatOk = false;
  #pauseMs = 0;
  #justWoke = false;
  #stopping: "leave" | "leave-temporarily" | null = null;
  #stopped = false;
  readonly #options: ConsumerGroupMemberOptions;

  constructor(options: ConsumerGroupMemberOptions) {
    this.#options = options;
    this.name = options.name;
    this.#version = options.random.pick(options.workload.heartbeatVersions);
    // From v1 the client makes its member id (KIP-1082); at v0 the coordinator does.
    this.memberId = this.#version >= 1 ? uuidToString(randomUuid(options.random)) : "";
    this.#heartbeatIntervalMs = options.workload.heartbeatIntervalMs;
  }

  /** Whether the member is at its epoch with its assignment acknowledged and its positions read. */
  get stable(): boolean {
    return this.#lastHeartbeatOk && this.epoch > 0 && !this.#mustAcknowledge() &&
      this.#positions.size === this.#assigned.size;
  }

  /** The partitions it processes. */
  get held(): number[] {
    return sorted(this.#assigned);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** Makes the member freeze for `ms` (a long pause), doing nothing meanwhile. */
  pause(ms: number): void {
    this.#pauseMs = ms;
  }

  /** Asks the member to leave (a static member may leave temporarily, keeping its partitions for its successor). */
  stop(temporarily = false): void {
    this.#stopping = temporarily ? "leave-temporarily" : "leave";
  }

  #request<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
  ): Promise<ResponseForKey<Key>> {
    return this.#options.link.request(apiKey, version, body).then((answer) => answer.body);
  }

  #mustAcknowledge(): boolean {
    return this.#reported !== this.held.join();
  }

  /** Runs until stopped; net errors and retriable errors only delay it. */
  async run(): Promise<void> {
    const clock = this.#options.world.clock;
    await this.#findCoordinator();
    while (!this.#stopped) {
      if (this.#pauseMs > 0) {
        const pauseMs = this.#pauseMs;
        this.#pauseMs = 0;
        await clock.sleep(pauseMs);
        this.#justWoke = true;
      }
      if (this.#stopping !== null) {
        await this.#leave(this.#stopping === "leave-temporarily");
        this.#stopped = true;
        return;
      }
      try {
        await this.#step();
      } catch (error) {
        if (!isNetError(error)) throw error;
        this.#full = true;
        this.#lastHeartbeatOk = false;
        await clock.sleep(RETRY_BACKOFF_MS);
      }
    }
  }

  async #step(): Promise<void> {
    const { world, random, workload } = this.#options;
    if (this.#justWoke) {
      // A member waking from a long pause commits first: if it was fenced meanwhile, this commit is a zombie's.
      this.#justWoke = false;
      await this.#commit(false);
    }
    if (world.clock.nowMs() >= this.#nextHeartbeatMs || this.#mustAcknowledge()) await this.#heartbeat();
    if (this.#stopped) return;
    if (this.epoch <= 0) {
      // Not in the group (yet): wait for the next attempt.
      await world.clock.sleep(Math.max(1, this.#nextHeartbeatMs - world.clock.nowMs()));
      return;
    }
    if (this.#positions.size < this.#assigned.size) await this.#fetchPositions();
    for (const [partition, position] of this.#positions) {
      this.#positions.set(partition, position + random.int(4));
    }
    if (random.chance(workload.commitProbability)) {
      await this.#commit(random.chance(workload.forgedCommitProbability));
    }
    const untilHeartbeatMs = Math.max(1, this.#nextHeartbeatMs - world.clock.nowMs());
    await world.clock.sleep(
      Math.min(untilHeartbeatMs, random.range(20, Math.max(21, this.#heartbeatIntervalMs / 2))),
    );
  }

  async #findCoordinator(): Promise<void> {
    for (let attempt = 0; attempt < FIND_COORDINATOR_ATTEMPTS_MAX; attempt++) {
      try {
        const found = await this.#request(FIND_COORDINATOR, 3, { key: this.#options.groupId, keyType: 0 });
        if (found.errorCode === ErrorCode.NONE) return;
      } catch (error) {
        if (!isNetError(error)) throw error;
      }
      await this.#options.world.clock.sleep(RETRY_BACKOFF_MS);
    }
  }

  async #heartbeat(): Promise<void> {
    const { checker, workload, world, groupId, topic, topicId, instanceId } = this.#options;
    const requestEpoch = this.epoch;
    const joining = requestEpoch === 0;
    const full = this.#full || joining;
    const owned = joining ? [] : this.held;
    const sentAtMs = checker.heartbeatSending(this.name, owned);
    this.#reported = owned.join();
    this.#lastHeartbeatOk = false;
    this.#nextHeartbeatMs = world.clock.nowMs() + this.#heartbeatIntervalMs;
    const answer = await this.#request(CONSUMER_GROUP_HEARTBEAT, this.#version, {
      groupId,
      memberId: this.memberId,
      memberEpoch: requestEpoch,
      instanceId,
      rackId: null,
      rebalanceTimeoutMs: full ? workload.rebalanceTimeoutMs : -1,
      subscribedTopicNames: full ? [topic] : null,
      subscribedTopicRegex: null,
      serverAssignor: full ? workload.serverAssignor : null,
      topicPartitions: owned.length === 0 ? [] : [{ topicId, partitions: owned }],
    });
    checker.heartbeatAnswered(this.name, requestEpoch, sentAtMs, answer.errorCode);
    if (answer.errorCode === ErrorCode.NONE) return await this.#heartbeatSucceeded(answer);
    if (FENCED.has(answer.errorCode)) return this.#fenced(`heartbeat error ${answer.errorCode}`);
    if (answer.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
      this.#lose();
      this.#stopped = true;
      this.#options.log(`${this.name} fenced: another member uses instance ${instanceId}`);
      return;
    }
    if (!RETRIABLE.has(answer.errorCode)) {
      throw new Error(
        `${this.name}: unexpected ConsumerGroupHeartbeat error ${answer.errorCode} ${answer.errorMessage}`,
      );
    }
    this.#full = true;
    this.#nextHeartbeatMs = world.clock.nowMs() + RETRY_BACKOFF_MS;
  }

  async #heartbeatSucceeded(answer: ResponseOf<typeof consumerGroupHeartbeat>): Promise<void> {
    this.memberId = answer.memberId ?? this.memberId;
    this.epoch = answer.memberEpoch;
    this.#heartbeatIntervalMs = Math.max(1, answer.heartbeatIntervalMs);
    this.#full = false;
    this.#lastHeartbeatOk = true;
    if (answer.assignment === null) return;
    const topics = answer.assignment.topicPartitions;
    const next = new Set(topics.flatMap((entry) => entry.partitions));
    this.#options.checker.assigned(this.name, this.epoch, sorted(next));
    const revoked = this.held.filter((partition) => !next.has(partition));
    if (revoked.length > 0) {
      // As the consumer's revocation callback does: commit what was processed, then let go.
      try {
        await this.#commitPartitions(revoked, false);
      } catch (error) {
        if (!isNetError(error)) throw error;
      }
      for (const partition of revoked) {
        this.#assigned.delete(partition);
        this.#positions.delete(partition);
      }
    }
    for (const partition of next) this.#assigned.add(partition);
  }

  /** Fenced: the member abandons its partitions (no commit: they may be someone else's) and rejoins. */
  #fenced(why: string): void {
    this.#options.log(`${this.name} fenced at epoch ${this.epoch} (${why}); rejoins`);
    this.#lose();
  }

  #lose(): void {
    this.#options.checker.lost(this.name);
    this.#assigned.clear();
    this.#positions.clear();
    this.#reported = null;
    this.epoch = 0;
    this.#full = true;
    this.#lastHeartbeatOk = false;
    this.#nextHeartbeatMs = 0;
  }

  async #fetchPositions(): Promise<void> {
    const { groupId, topic } = this.#options;
    const wanted = this.held.filter((partition) => !this.#positions.has(partition));
    const answer = await this.#request(OFFSET_FETCH, 9, {
      groups: [{
        groupId,
        memberId: this.memberId,
        memberEpoch: this.epoch,
        topics: [{ name: topic, partitionIndexes: wanted }],
      }],
      requireStable: true,
    });
    const group = answer.groups[0]!;
    if (FENCED.has(group.errorCode)) return this.#fenced(`OffsetFetch error ${group.errorCode}`);
    // A stale epoch: the next heartbeat brings the new one.
    if (group.errorCode === ErrorCode.STALE_MEMBER_EPOCH || RETRIABLE.has(group.errorCode)) return;
    if (group.errorCode !== ErrorCode.NONE) {
      throw new Error(`${this.name}: OffsetFetch error ${group.errorCode}`);
    }
    for (const partition of group.topics[0]?.partitions ?? []) {
      if (partition.errorCode !== ErrorCode.NONE) {
        throw new Error(`${this.name}: OffsetFetch partition error ${partition.errorCode}`);
      }
      if (!this.#assigned.has(partition.partitionIndex)) continue;
      this.#positions.set(partition.partitionIndex, Math.max(0, partition.committedOffset));
    }
  }

  /** Commits the positions of every held partition (or forges a commit from a made-up member). */
  async #commit(forged: boolean): Promise<void> {
    await this.#commitPartitions(this.held, forged);
  }

  async #commitPartitions(partitions: readonly number[], forged: boolean): Promise<void> {
    const { checker, groupId, topic } = this.#options;
    const offsets = new Map<number, number>();
    for (const partition of partitions) {
      const position = this.#positions.get(partition);
      if (position !== undefined) offsets.set(partition, position);
    }
    if (offsets.size === 0 || (this.epoch <= 0 && !forged)) return;
    const memberId = forged ? `ghost-${this.name}` : this.memberId;
    const ticket = checker.commitSending({
      member: this.name,
      memberId,
      memberEpoch: this.epoch,
      forged,
      offsets,
    });
    const answer = await this.#request(OFFSET_COMMIT, 9, {
      groupId,
      generationIdOrMemberEpoch: this.epoch,
      memberId,
      groupInstanceId: null,
      topics: [{
        name: topic,
        partitions: [...offsets].map(([partitionIndex, committedOffset]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: -1,
          committedMetadata: `${this.name}@${this.epoch}`,
        })),
      }],
    });
    const errors = new Map<number, number>(
      answer.topics[0]!.partitions.map((
        partition,
      ) => [partition.partitionIndex, partition.errorCode]),
    );
    checker.commitAnswered(ticket, errors);
    if (forged) return;
    const errorCode = [...errors.values()].find((code) => code !== ErrorCode.NONE) ?? ErrorCode.NONE;
    if (FENCED.has(errorCode)) return this.#fenced(`OffsetCommit error ${errorCode}`);
    if (
      errorCode !== ErrorCode.NONE && errorCode !== ErrorCode.STALE_MEMBER_EPOCH && !RETRIABLE.has(errorCode)
    ) {
      throw new Error(`${this.name}: unexpected OffsetCommit error ${errorCode}`);
    }
  }

  /** Commits, then leaves with epoch -1 (or -2, a static member leaving temporarily). */
  async #leave(temporarily: boolean): Promise<void> {
    const { checker, groupId, instanceId } = this.#options;
    if (this.epoch <= 0) return checker.lost(this.name);
    try {
      await this.#commit(false);
      checker.heartbeatSending(this.name, []);
      checker.lost(this.name);
      await this.#request(CONSUMER_GROUP_HEARTBEAT, this.#version, {
        groupId,
        memberId: this.memberId,
        memberEpoch: temporarily ? -2 : -1,
        instanceId,
        rackId: null,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: null,
      });
    } catch (error) {
      if (!isNetError(error)) throw error;
    }
    checker.lost(this.name);
  }
}
