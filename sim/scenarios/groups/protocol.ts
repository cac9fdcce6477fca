/**
 * What a group protocol brings to the groups scenario (run.ts): its options
 * from the seed, the node settings it needs, its members and checker, its
 * OffsetFetch, and the few places where its churn differs. The run itself
 * (node crashes, member churn, connection resets, the quiet phase, reading
 * the committed offsets back) is shared by the classic protocol
 * (classic.ts) and KIP-848's (consumer.ts).
 */
import type { SeededRandom, SimCluster } from "../../../src/io/sim/mod.ts";
import type { World } from "../../../src/io/mod.ts";
import type { RequestInput, ResponseOf } from "../../../src/protocol/mod.ts";
import type { offsetFetch } from "../../../src/protocol/messages/mod.ts";
import type { RunningNode } from "../../../src/server/mod.ts";
import type { Violations } from "../../checkers/violation.ts";
import type { BrokerLink } from "../../clients/broker_link.ts";

/** The options every protocol's workload has, derived from the seed. */
export interface SharedGroupOptions {
  seed: number;
  faultPhaseMs: number;
  partitions: number;
  /** Members at the start; churn keeps the count between 1 and membersMax. */
  initialMembers: number;
  membersMax: number;
  /** Chance that a new member is static (an instance id). */
  staticProbability: number;
  /** Mean time between member events (crash, pause, leave, join). */
  churnMeanIntervalMs: number;
  /** Longest pause of a member (a long GC pause makes it a zombie). */
  pauseMaxMs: number;
  nodeCrashes: { meanIntervalMs: number; powerLossProbability: number; downTimeMaxMs: number };
  connectionResetMeanIntervalMs: number;
  /** Chance that an answer is lost on its way back (the client sees its connection break). */
  answerLossProbability: number;
  requestTimeoutMs: number;
  net: { minLatencyMs: number; maxLatencyMs: number; maxChunkBytes: number };
}

/** What the run does with a member of either protocol. */
export interface GroupMemberHandle {
  readonly name: string;
  /** In the group with an assignment it acts on. */
  readonly stable: boolean;
  readonly stopped: boolean;
  readonly stopping: boolean;
  run(): Promise<void>;
  pause(ms: number): void;
}

/** What the checker of either protocol offers the run. */
export interface GroupCheckerHandle {
  readonly violations: Violations;
  readonly stats: object;
  /** Commits acknowledged so far, by partition: a read of the offsets must find at least these. */
  acknowledgedSnapshot(): Map<number, number>;
  offsetsRead(committed: Map<number, number>, expected: Map<number, number>, when: string): void;
}

/** What a new member needs from the run. */
export interface MemberStart {
  name: string;
  world: World;
  random: SeededRandom;
  link: BrokerLink;
  groupId: string;
  topic: string;
  topicId: Uint8Array;
  instanceId: string | null;
  log: (line: string) => void;
}

/** One protocol's side of a run: made once per run, with the run's options. */
export interface GroupProtocolRun<Member extends GroupMemberHandle> {
  readonly checker: GroupCheckerHandle;
  startMember(start: MemberStart): Member;
  /**
   * A member leaves: whether the protocol lets `victim` go now (`canLose`:
   * others remain), and after up to how long a static member comes back
   * under its instance id (null: it does not).
   */
  leave(
    victim: Member,
    instanceId: string | null,
    canLose: boolean,
  ): { left: boolean; returnWithinMs: number | null };
  /** A member's process crashed; the longest delay before a static member restarts under its instance id. */
  crashed(victim: Member): number;
  /** Checked after every event while the node runs; true when an invariant broke. */
  checkNode(node: RunningNode | null): boolean;
  /** Whether the live members settled: one generation or epoch, every partition held once. */
  settled(alive: { host: string; member: Member }[]): boolean;
  /** The checker's verdict on the settled members. */
  checkSettled(alive: { host: string; member: Member }[]): void;
}

/** A group protocol, as the groups scenario runs it. */
export interface GroupProtocol<Options extends SharedGroupOptions, Member extends GroupMemberHandle> {
  name: "classic" | "consumer";
  groupId: string;
  /** The run's tag in the world's log. */
  logTag: string;
  /** The label of the run's chaos random source. */
  chaosLabel: string;
  quietPhaseMaxMs: number;
  options(seed: number): Options;
  describe(options: Options): string[];
  /** The node settings the protocol needs beyond the run's own. */
  brokerSettings(options: Options): [string, string][];
  /** The protocol's side of one run. */
  start(options: Options, cluster: SimCluster): GroupProtocolRun<Member>;
  /** OffsetFetch as the protocol's members send it, for the topic's partitions. */
  offsetFetch(
    groupId: string,
    topic: string,
    partitions: number[],
  ): { version: number; body: RequestInput<typeof offsetFetch> };
  /** The committed offsets of an OffsetFetch answer, or null when it is an error (retried). */
  committedOf(body: ResponseOf<typeof offsetFetch>): Map<number, number> | null;
}
