/**
 * A consumer group member for the simulator, speaking the classic protocol
 * over raw requests the way Kafka's consumers do: JoinGroup (with the
 * KIP-394 member id round trip), SyncGroup (the leader assigns ranges),
 * OffsetFetch for its partitions, then heartbeats and commits of its
 * advancing positions until told to rejoin. It reports every assignment and
 * every commit to the GroupChecker.
 *
 * The run inflicts its faults: a crash (the host dies: no leave, no commit),
 * a pause (a long GC pause: the member may be expired, and then commits with
 * a stale generation, which must be refused), a clean leave.
 */
import type { World } from "../../../src/io/mod.ts";
import {
  ErrorCode,
  Reader,
  type RequestInputForKey,
  type ResponseForKey,
  Writer,
} from "../../../src/protocol/mod.ts";
import type { GroupChecker } from "../../checkers/groups/group_checker.ts";
import type { GroupMemberSettings } from "./classic_options.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";
import type { BrokerLink } from "../../clients/broker_link.ts";
import { isNetError } from "../../clients/net_errors.ts";

const JOIN_GROUP = 11;
const HEARTBEAT = 12;
const LEAVE_GROUP = 13;
const SYNC_GROUP = 14;
const OFFSET_COMMIT = 8;
const OFFSET_FETCH = 9;
const FIND_COORDINATOR = 10;
/** Errors after which a member retries the same step later. */
const RETRIABLE = new Set<number>([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.UNKNOWN_SERVER_ERROR,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);
const RETRY_BACKOFF_MS = 100;

/** The consumer protocol's subscription (version 0) to one topic. */
export function subscriptionTo(topic: string): Uint8Array {
  return new Writer(32).int16(0).int32(1).nullableString(topic).nullableBytes(null).finish();
}

/** A consumer protocol assignment (version 0) of `partitions` of one topic. */
export function assignmentOf(topic: string, partitions: readonly number[]): Uint8Array {
  const writer = new Writer(32).int16(0).int32(1).nullableString(topic).int32(partitions.length);
  for (const partition of partitions) writer.int32(partition);
  return writer.nullableBytes(null).finish();
}

/** The partitions of an assignment made by `assignmentOf` (empty bytes: none). */
export function partitionsOf(bytes: Uint8Array): number[] {
  if (bytes.length === 0) return [];
  const reader = new Reader(bytes);
  reader.int16();
  const partitions: number[] = [];
  for (let topics = reader.int32(); topics > 0; topics--) {
    reader.nullableString();
    for (let count = reader.int32(); count > 0; count--) partitions.push(reader.int32());
  }
  return partitions.sort((left, right) => left - right);
}

/** Kafka's range assignor for one topic: members sorted by id, contiguous ranges, the first ones one longer. */
export function rangeAssign(memberIds: readonly string[], partitions: number): Map<string, number[]> {
  const sorted = [...memberIds].sort();
  const result = new Map<string, number[]>();
  const base = Math.floor(partitions / sorted.length);
  const extra = partitions % sorted.length;
  let next = 0;
  sorted.forEach((memberId, index) => {
    const count = base + (index < extra ? 1 : 0);
    result.set(memberId, Array.from({ length: count }, (_, offset) => next + offset));
    next += count;
  });
  return result;
}

export interface GroupMemberOptions {
  name: string;
  world: World;
  random: SeededRandom;
  link: BrokerLink;
  checker: GroupChecker;
  settings: GroupMemberSettings;
  groupId: string;
  topic: string;
  partitions: number;
  /** The static member's instance id, or null for a dynamic member. */
  instanceId: string | null;
  log: (line: string) => void;
}

type Phase = "joining" | "syncing" | "stable" | "stopped";

export class GroupMember {
  readonly name: string;
  memberId = "";
  generationId = -1;
  assignment: number[] = [];
  #phase: Phase = "joining";
  #leader = false;
  #members: string[] = [];
  #protocolName = "range";
  readonly #positions = new Map<number, number>();
  #lastHeartbeatMs = 0;
  #pauseMs = 0;
  /** A commit from before the last rebalance, replayed after it (a retried request carrying its old generation). */
  #lateCommit: { generationId: number; offsets: Map<number, number> } | null = null;
  /** Set after a pause: the member acts on what it knew before it, as a paused consumer does. */
  #justWoke = false;
  #stopping = false;
  readonly #options: GroupMemberOptions;

  constructor(options: GroupMemberOptions) {
    this.#options = options;
    this.name = options.name;
  }

  /** Whether the member believes it holds its assignment in the current generation. */
  get stable(): boolean {
    return this.#phase === "stable";
  }

  get stopped(): boolean {
    return this.#phase === "stopped";
  }

  /** Whether the member was asked to leave. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Makes the member freeze for `ms` (a long pause), doing nothing meanwhile. */
  pause(ms: number): void {
    this.#pauseMs = ms;
  }

  /** Asks the member to leave the group and stop. */
  stop(): void {
    this.#stopping = true;
  }

  #version(versions: number[]): number {
    return this.#options.random.pick(versions);
  }

  #request<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
    timeoutMs?: number,
  ): Promise<ResponseForKey<Key>> {
    return this.#options.link.request(apiKey, version, body, { timeoutMs }).then((answer) => answer.body);
  }

  /** Runs until stopped; net errors and retriable errors only delay it. */
  async run(): Promise<void> {
    const clock = this.#options.world.clock;
    await this.#findCoordinator();
    while (this.#phase !== "stopped") {
      if (this.#pauseMs > 0) {
        const pauseMs = this.#pauseMs;
        this.#pauseMs = 0;
        await clock.sleep(pauseMs);
        this.#justWoke = true;
      }
      if (this.#stopping) {
        await this.#leave();
        this.#phase = "stopped";
        return;
      }
      try {
        if (this.#phase === "joining") await this.#join();
        else if (this.#phase === "syncing") await this.#sync();
        else await this.#stableStep();
      } catch (error) {
        if (!isNetError(error)) throw error;
        await clock.sleep(RETRY_BACKOFF_MS);
      }
    }
  }

  async #findCoordinator(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const found = await this.#request(FIND_COORDINATOR, 3, { key: this.#options.groupId, keyType: 0 });
        if (found.errorCode === ErrorCode.NONE) return;
      } catch (error) {
        if (!isNetError(error)) throw error;
      }
      await this.#options.world.clock.sleep(RETRY_BACKOFF_MS);
    }
  }

  #rejoin(resetMemberId: boolean): void {
    if (resetMemberId) this.memberId = "";
    this.#phase = "joining";
    this.assignment = [];
  }

  /** A fatal answer (a newer incarnation of this static member exists): the member stops, as Kafka's consumers do. */
  #fenced(): void {
    this.#options.log(`${this.name} fenced: another member uses instance ${this.#options.instanceId}`);
    this.#phase = "stopped";
  }

  async #join(): Promise<void> {
    const { settings, groupId, topic, instanceId } = this.#options;
    // Static membership needs JoinGroup v5 or later.
    const staticVersions = settings.joinVersions.filter((version) => version >= 5);
    const version = this.#version(
      instanceId === null ? settings.joinVersions : staticVersions.length > 0 ? staticVersions : [9],
    );
    const answer = await this.#request(JOIN_GROUP, version, {
      groupId,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      rebalanceTimeoutMs: settings.rebalanceTimeoutMs,
      memberId: this.memberId,
      groupInstanceId: instanceId,
      protocolType: "consumer",
      protocols: [{ name: this.#protocolName, metadata: subscriptionTo(topic) }],
      reason: null,
    }, settings.rebalanceTimeoutMs + 5000);
    switch (answer.errorCode) {
      case ErrorCode.NONE:
        this.memberId = answer.memberId;
        this.generationId = answer.generationId;
        this.#leader = answer.leader === answer.memberId;
        this.#members = answer.members.map((member) => member.memberId);
        this.#phase = "syncing";
        return;
      case ErrorCode.MEMBER_ID_REQUIRED:
        this.memberId = answer.memberId;
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        return this.#rejoin(true);
      case ErrorCode.FENCED_INSTANCE_ID:
        return this.#fenced();
      default:
        if (!RETRIABLE.has(answer.errorCode) && answer.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS) {
          throw new Error(`${this.name}: unexpected JoinGroup error ${answer.errorCode}`);
        }
        await this.#options.world.clock.sleep(RETRY_BACKOFF_MS);
    }
  }

  async #sync(): Promise<void> {
    const { settings, groupId, topic, partitions, instanceId, checker } = this.#options;
    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    const plan = this.#leader ? rangeAssign(this.#members, partitions) : null;
    if (plan !== null) {
      checker.leaderAssigned(this.generationId, plan);
      assignments = [...plan].map(([memberId, owned]) => ({
        memberId,
        assignment: assignmentOf(topic, owned),
      }));
    }
    const answer = await this.#request(SYNC_GROUP, this.#version(settings.syncVersions), {
      groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: instanceId,
      protocolType: "consumer",
      protocolName: this.#protocolName,
      assignments,
    }, settings.rebalanceTimeoutMs + 5000);
    switch (answer.errorCode) {
      case ErrorCode.NONE:
        if (plan !== null) checker.leaderSynced(this.generationId, plan);
        this.assignment = partitionsOf(answer.assignment);
        checker.synced(this.name, this.memberId, instanceId, this.generationId, this.assignment);
        await this.#fetchPositions();
        this.#phase = "stable";
        this.#lastHeartbeatMs = this.#options.world.clock.nowMs();
        await this.#replayLateCommit();
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        return this.#rejoin(true);
      case ErrorCode.FENCED_INSTANCE_ID:
        return this.#fenced();
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        return this.#rejoin(false);
      default:
        if (!RETRIABLE.has(answer.errorCode)) {
          throw new Error(`${this.name}: unexpected SyncGroup error ${answer.errorCode}`);
        }
        this.#rejoin(false);
    }
  }

  async #fetchPositions(): Promise<void> {
    const { settings, groupId, topic } = this.#options;
    this.#positions.clear();
    if (this.assignment.length === 0) return;
    const version = this.#version(settings.fetchVersions);
    const topics = [{ name: topic, partitionIndexes: this.assignment }];
    const answer = await this.#request(
      OFFSET_FETCH,
      version,
      version >= 8
        ? { groups: [{ groupId, topics }], requireStable: true }
        : { groupId, topics, requireStable: true },
    );
    const group = version >= 8 ? answer.groups[0]! : answer;
    if ((group.errorCode ?? 0) !== 0) throw new Error(`${this.name}: OffsetFetch error ${group.errorCode}`);
    for (const partition of group.topics[0]?.partitions ?? []) {
      if (partition.errorCode !== 0) {
        throw new Error(`${this.name}: OffsetFetch partition error ${partition.errorCode}`);
      }
      this.#positions.set(partition.partitionIndex, Math.max(0, partition.committedOffset));
    }
  }

  async #stableStep(): Promise<void> {
    const { world, random, settings } = this.#options;
    if (this.#justWoke) {
      // A member waking from a long pause commits first: if it was expired meanwhile, this is a stale commit.
      this.#justWoke = false;
      if (!(await this.#commit(false))) return;
    }
    if (world.clock.nowMs() - this.#lastHeartbeatMs >= settings.heartbeatIntervalMs) {
      this.#lastHeartbeatMs = world.clock.nowMs();
      if (!(await this.#heartbeat())) return;
    }
    for (const partition of this.assignment) {
      this.#positions.set(partition, (this.#positions.get(partition) ?? 0) + random.int(4));
    }
    if (random.chance(settings.commitProbability)) {
      if (!(await this.#commit(random.chance(settings.forgedCommitProbability)))) return;
    }
    await world.clock.sleep(random.range(20, Math.max(21, Math.floor(settings.heartbeatIntervalMs / 2))));
  }

  /** Returns whether the member stays stable. */
  async #heartbeat(): Promise<boolean> {
    const { settings, groupId, instanceId } = this.#options;
    const answer = await this.#request(HEARTBEAT, this.#version(settings.heartbeatVersions), {
      groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: instanceId,
    });
    switch (answer.errorCode) {
      case ErrorCode.NONE:
        return true;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        if (this.#options.random.chance(this.#options.settings.lateCommitProbability)) {
          this.#lateCommit = { generationId: this.generationId, offsets: this.#currentOffsets() };
        }
        // As the eager consumers do: commit what was processed, then rejoin.
        await this.#commit(false);
        this.#rejoin(false);
        return false;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.#rejoin(true);
        return false;
      case ErrorCode.ILLEGAL_GENERATION:
        this.#rejoin(false);
        return false;
      case ErrorCode.FENCED_INSTANCE_ID:
        this.#fenced();
        return false;
      default:
        if (!RETRIABLE.has(answer.errorCode)) {
          throw new Error(`${this.name}: unexpected Heartbeat error ${answer.errorCode}`);
        }
        return true;
    }
  }

  /**
   * The positions to commit: only of partitions whose committed offsets it
   * has read. A member leaving between SyncGroup and its OffsetFetch knows no
   * position yet; committing 0 there would undo the previous owner's commits
   * (seed 3588938229 did, and the checker took it for a lost commit).
   */
  #currentOffsets(): Map<number, number> {
    const known = this.assignment.filter((partition) => this.#positions.has(partition));
    return new Map(known.map((partition) => [partition, this.#positions.get(partition)!]));
  }

  /** Sends the remembered pre-rebalance commit with its old generation; the checker wants it refused. */
  async #replayLateCommit(): Promise<void> {
    const late = this.#lateCommit;
    this.#lateCommit = null;
    if (late === null || late.offsets.size === 0 || late.generationId === this.generationId) return;
    await this.#sendCommit(late.generationId, this.memberId, false, late.offsets);
  }

  /** Commits the current positions; returns whether the member stays stable. */
  async #commit(forged: boolean): Promise<boolean> {
    const offsets = this.#currentOffsets();
    if (offsets.size === 0) return true;
    const memberId = forged ? `ghost-${this.name}` : this.memberId;
    const errors = await this.#sendCommit(this.generationId, memberId, forged, offsets);
    if (forged) return true;
    const errorCode = [...errors.values()].find((code) => code !== 0) ?? 0;
    switch (errorCode) {
      case ErrorCode.NONE:
        return true;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.#rejoin(true);
        return false;
      case ErrorCode.FENCED_INSTANCE_ID:
        this.#fenced();
        return false;
      case ErrorCode.ILLEGAL_GENERATION:
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.#rejoin(false);
        return false;
      default:
        if (!RETRIABLE.has(errorCode)) {
          throw new Error(`${this.name}: unexpected OffsetCommit error ${errorCode}`);
        }
        return true;
    }
  }

  /** Sends one OffsetCommit and reports it to the checker; returns each partition's error code. */
  async #sendCommit(
    generationId: number,
    memberId: string,
    forged: boolean,
    offsets: Map<number, number>,
  ): Promise<Map<number, number>> {
    const { settings, groupId, topic, instanceId, checker } = this.#options;
    const ticket = checker.commitSending({
      member: this.name,
      memberId,
      generation: generationId,
      forged,
      offsets,
    });
    const version = this.#version(settings.commitVersions);
    const answer = await this.#request(OFFSET_COMMIT, version, {
      groupId,
      generationIdOrMemberEpoch: generationId,
      memberId,
      groupInstanceId: forged ? null : version >= 7 ? instanceId : null,
      retentionTimeMs: -1,
      topics: [{
        name: topic,
        partitions: [...offsets].map(([partitionIndex, committedOffset]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: `${this.name}@${generationId}`,
        })),
      }],
    });
    const errors = new Map<number, number>(
      answer.topics[0]!.partitions.map((
        partition,
      ) => [partition.partitionIndex, partition.errorCode]),
    );
    checker.commitAnswered(ticket, errors);
    return errors;
  }

  async #leave(): Promise<void> {
    const { groupId, instanceId } = this.#options;
    if (this.memberId === "") return;
    try {
      await this.#commit(false);
      await this.#request(LEAVE_GROUP, 3, {
        groupId,
        members: [{ memberId: this.memberId, groupInstanceId: instanceId, reason: "leaving" }],
      });
    } catch (error) {
      if (!isNetError(error)) throw error;
    }
  }
}
