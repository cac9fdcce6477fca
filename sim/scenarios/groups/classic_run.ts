/**
 * One consumer group simulation: a Dafka node on a simulated host, group
 * members (sim/group_member.ts) on other hosts, and chaos derived from the
 * seed: members join, crash, pause and leave, static members restart under
 * their instance id, the node crashes (power loss or killed process) and
 * restarts, connections reset and answers get lost. The GroupChecker watches
 * every assignment and commit; after every restart of the node the committed
 * offsets are read back and must hold every acknowledged commit.
 *
 * Then a quiet phase without faults, in which the live members must settle
 * in one generation that assigns every partition exactly once (liveness).
 */
import { BrokerConfig } from "../../../src/config/broker_config.ts";
import type { Message } from "../../../src/protocol/codec.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { startNode } from "../../../src/server/node.ts";
import { GroupChecker } from "../../checkers/groups/group_checker.ts";
import { GroupMember } from "./classic_member.ts";
import { type GroupWorkloadOptions, groupWorkloadOptions } from "./classic_options.ts";
import type { SeededRandom } from "../../../src/io/sim/random.ts";
import { type CrashMode, SimCluster } from "../../../src/io/sim/world.ts";
import { BrokerLink } from "../../clients/broker_link.ts";
import { isNetError } from "../../clients/net_errors.ts";

const NODE = "node-1";
const PORT = 9092;
const GROUP = "sim-group";
const TOPIC = "sim-topic";
const NODE_START_MAX_MS = 10_000;
const QUIET_PHASE_MAX_MS = 180_000;
const OFFSET_READ_MAX_MS = 60_000;

/** How to run a seed. */
export interface GroupRunOptions {
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
  /** Changes the options derived from the seed (tests). */
  adjust?: (options: GroupWorkloadOptions) => GroupWorkloadOptions;
}

/** What a run found. */
export interface GroupRunResult {
  seed: number;
  options: GroupWorkloadOptions;
  violation: Error | null;
  stats: Record<string, number>;
  cluster: SimCluster;
  virtualMs: number;
}

/** The node's settings for a group run. */
export function groupBrokerConfig(options: GroupWorkloadOptions): BrokerConfig {
  return new BrokerConfig(
    new Map([
      ["node.id", "1"],
      ["process.roles", "broker,controller"],
      ["listeners", `PLAINTEXT://${NODE}:${PORT}`],
      ["log.dirs", "/data"],
      ["auto.create.topics.enable", "false"],
      ["offsets.topic.num.partitions", "3"],
      ["group.min.session.timeout.ms", "1000"],
      ["group.initial.rebalance.delay.ms", String(options.initialRebalanceDelayMs)],
    ]),
  );
}

function exponentialMs(random: SeededRandom, meanMs: number): number {
  if (meanMs === Infinity) return Infinity;
  return Math.max(1, Math.round(-meanMs * Math.log(1 - random.next())));
}

/** Runs one seed and reports what the checker found. */
export async function runGroupSeed(seed: number, runOptions: GroupRunOptions = {}): Promise<GroupRunResult> {
  const options = (runOptions.adjust ?? ((value) => value))(groupWorkloadOptions(seed));
  const run = new GroupSimulation(options, runOptions);
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    run.checker.violations.record(event.reason, "no unhandled error");
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    await run.execute();
  } catch (error) {
    run.checker.violations.record(error, "the simulation runs");
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  return run.result();
}

interface LiveMember {
  member: GroupMember;
  host: string;
  instanceId: string | null;
}

class GroupSimulation {
  readonly checker: GroupChecker;
  readonly cluster: SimCluster;
  readonly #options: GroupWorkloadOptions;
  readonly #runOptions: GroupRunOptions;
  readonly #chaos: SeededRandom;
  readonly #members: LiveMember[] = [];
  #faultsOn = true;
  #nextMember = 1;
  #nextInstance = 1;
  #offsetReads = 0;
  readonly #stats = {
    nodeCrashes: 0,
    powerLosses: 0,
    memberJoins: 0,
    memberCrashes: 0,
    memberPauses: 0,
    memberLeaves: 0,
    staticRestarts: 0,
    connectionResets: 0,
  };

  constructor(options: GroupWorkloadOptions, runOptions: GroupRunOptions) {
    this.#options = options;
    this.#runOptions = runOptions;
    this.cluster = new SimCluster({ seed: options.seed, net: options.net, logCapacity: 4000 });
    this.#chaos = this.cluster.random.fork("group-chaos");
    this.checker = new GroupChecker(options.partitions);
  }

  get #violated(): boolean {
    return this.checker.violations.first !== null;
  }

  #log(line: string): void {
    this.cluster.log.add(`${String(this.cluster.scheduler.nowMs).padStart(9)} [group-run] ${line}`);
    this.#runOptions.log?.(`${String(this.cluster.scheduler.nowMs).padStart(9)} ms ${line}`);
  }

  #settle<T>(work: Promise<T>, maxVirtualMs: number): Promise<T> {
    return this.cluster.scheduler.runUntilSettled(work, { maxVirtualMs });
  }

  async execute(): Promise<void> {
    await this.#startNode();
    await this.#createTopic();
    for (let index = 0; index < this.#options.initialMembers; index++) this.#startMember(null);
    await this.#faultPhase();
    if (this.#violated) return;
    await this.#quietPhase();
  }

  async #startNode(): Promise<void> {
    const world = this.cluster.start(NODE);
    try {
      await this.#settle(startNode(world, groupBrokerConfig(this.#options)), NODE_START_MAX_MS);
    } catch (error) {
      throw this.checker.violations.report("the node starts", (error as Error).stack ?? String(error));
    }
  }

  #link(host: string, lossy: boolean): BrokerLink {
    const random = this.cluster.random.fork(`${host}:answers`);
    // Lost answers stop with the fault phase.
    const gate = {
      chance: (probability: number) => this.#faultsOn && random.chance(probability),
    } as SeededRandom;
    const world = this.cluster.host(host).running ? this.cluster.host(host).world! : this.cluster.start(host);
    return new BrokerLink(world, {
      host: NODE,
      port: PORT,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      clientId: host,
      answerLossProbability: lossy ? this.#options.answerLossProbability : 0,
      random: gate,
    });
  }

  async #createTopic(): Promise<void> {
    const admin = this.#link("admin", false);
    const { body } = await this.#settle(
      admin.request(19, 7, {
        topics: [{
          name: TOPIC,
          numPartitions: this.#options.partitions,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        }],
        timeoutMs: 30_000,
        validateOnly: false,
      }),
      NODE_START_MAX_MS,
    );
    admin.close();
    const errorCode = (body.topics as Message[])[0]!.errorCode;
    if (errorCode !== ErrorCode.NONE) {
      throw this.checker.violations.report("the topic is created", `error ${errorCode}`);
    }
  }

  #startMember(instanceId: string | null | undefined): LiveMember {
    const name = `member-${this.#nextMember++}`;
    const chosenInstance = instanceId !== undefined
      ? instanceId
      : this.#chaos.chance(this.#options.staticProbability)
      ? `instance-${this.#nextInstance++}`
      : null;
    const link = this.#link(name, true);
    const world = this.cluster.host(name).world!;
    const member = new GroupMember({
      name,
      world,
      random: this.cluster.random.fork(name),
      link,
      checker: this.checker,
      settings: this.#options.member,
      groupId: GROUP,
      topic: TOPIC,
      partitions: this.#options.partitions,
      instanceId: chosenInstance,
      log: (line) => this.#log(line),
    });
    const live = { member, host: name, instanceId: chosenInstance };
    this.#members.push(live);
    this.#stats.memberJoins++;
    member.run().catch((error) => void this.checker.violations.record(error));
    this.#log(`${name} starts${chosenInstance ? ` as ${chosenInstance}` : ""}`);
    return live;
  }

  /** Members whose host runs and that have not stopped (or been asked to). */
  #alive(): LiveMember[] {
    return this.#members.filter((live) =>
      this.cluster.host(live.host).running && !live.member.stopped && !live.member.stopping
    );
  }

  async #faultPhase(): Promise<void> {
    const scheduler = this.cluster.scheduler;
    const options = this.#options;
    const endMs = scheduler.nowMs + options.faultPhaseMs;
    let nextCrashMs = scheduler.nowMs + exponentialMs(this.#chaos, options.nodeCrashes.meanIntervalMs);
    let nextResetMs = scheduler.nowMs + exponentialMs(this.#chaos, options.connectionResetMeanIntervalMs);
    let nextChurnMs = scheduler.nowMs + exponentialMs(this.#chaos, options.churnMeanIntervalMs);
    while (scheduler.nowMs < endMs && !this.#violated) {
      const untilMs = Math.min(nextCrashMs, nextResetMs, nextChurnMs, endMs);
      await this.cluster.runUntil(() => this.#violated, { maxVirtualMs: untilMs - scheduler.nowMs });
      if (this.#violated || scheduler.nowMs >= endMs) return;
      if (scheduler.nowMs >= nextCrashMs) {
        await this.#crashAndRestartNode();
        nextCrashMs = scheduler.nowMs + exponentialMs(this.#chaos, options.nodeCrashes.meanIntervalMs);
      }
      if (scheduler.nowMs >= nextResetMs) {
        const connections = this.cluster.net.connectionsOf(NODE);
        if (connections.length > 0) {
          this.cluster.net.resetConnection(this.#chaos.pick(connections));
          this.#stats.connectionResets++;
        }
        nextResetMs = scheduler.nowMs + exponentialMs(this.#chaos, options.connectionResetMeanIntervalMs);
      }
      if (scheduler.nowMs >= nextChurnMs) {
        this.#churn();
        nextChurnMs = scheduler.nowMs + exponentialMs(this.#chaos, options.churnMeanIntervalMs);
      }
    }
  }

  /** One membership event: a join, a crash (perhaps followed by a static restart), a pause or a leave. */
  #churn(): void {
    const alive = this.#alive();
    const canLose = alive.length > 1;
    const event = this.#chaos.pick(["join", "crash", "pause", "leave"]);
    if (event === "join" || alive.length === 0) {
      if (alive.length < this.#options.membersMax) this.#startMember(undefined);
      return;
    }
    const victim = this.#chaos.pick(alive);
    if (event === "pause") {
      const pauseMs = this.#chaos.range(1, this.#options.pauseMaxMs);
      victim.member.pause(pauseMs);
      this.#stats.memberPauses++;
      this.#log(`${victim.host} pauses for ${pauseMs} ms`);
    } else if (event === "leave" && canLose) {
      victim.member.stop();
      this.#stats.memberLeaves++;
      this.#log(`${victim.host} leaves`);
    } else if (event === "crash" && (canLose || victim.instanceId !== null)) {
      this.cluster.crash(victim.host, "process");
      this.#stats.memberCrashes++;
      this.#log(`${victim.host} crashes`);
      if (victim.instanceId !== null && this.#chaos.chance(0.7)) {
        // A static member restarting under its instance id, often within its session.
        const delayMs = this.#chaos.range(0, this.#options.member.sessionTimeoutMs);
        const instanceId = victim.instanceId;
        this.cluster.scheduler.schedule(delayMs, () => {
          if (!this.#faultsOn) return;
          this.#stats.staticRestarts++;
          this.#startMember(instanceId);
        });
      }
    }
  }

  async #crashAndRestartNode(): Promise<void> {
    const mode: CrashMode = this.#chaos.chance(this.#options.nodeCrashes.powerLossProbability)
      ? "power-loss"
      : "process";
    this.cluster.crash(NODE, mode);
    this.#stats.nodeCrashes++;
    if (mode === "power-loss") this.#stats.powerLosses++;
    const downMs = this.#chaos.int(this.#options.nodeCrashes.downTimeMaxMs + 1);
    this.#log(`node crash (${mode}), down for ${downMs} ms`);
    await this.cluster.runUntil(() => this.#violated, { maxVirtualMs: downMs });
    if (this.#violated) return;
    await this.#startNode();
    await this.#checkOffsets("after a restart");
  }

  /** Reads every committed offset back; the checker compares with what was acknowledged before the read. */
  async #checkOffsets(when: string): Promise<void> {
    const host = `offsets-reader-${++this.#offsetReads}`;
    const reader = this.#link(host, false);
    const clock = this.cluster.host(host).world!.clock;
    const expected = this.checker.acknowledgedSnapshot();
    const read = async (): Promise<Map<number, number>> => {
      for (;;) {
        try {
          const { body } = await reader.request(9, 7, {
            groupId: GROUP,
            topics: [{
              name: TOPIC,
              partitionIndexes: Array.from({ length: this.#options.partitions }, (_, index) => index),
            }],
            requireStable: true,
          });
          if (body.errorCode === ErrorCode.NONE) {
            const partitions = (body.topics as Message[])[0]!.partitions as Message[];
            return new Map(
              partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]),
            );
          }
        } catch (error) {
          if (!isNetError(error)) throw error;
        }
        await clock.sleep(100);
      }
    };
    const committed = await this.#settle(read(), OFFSET_READ_MAX_MS);
    reader.close();
    this.cluster.crash(host, "process");
    this.checker.offsetsRead(committed, expected, when);
  }

  async #quietPhase(): Promise<void> {
    this.#faultsOn = false;
    this.cluster.net.healAll();
    if (!this.cluster.host(NODE).running) await this.#startNode();
    if (this.#alive().length === 0) this.#startMember(undefined);
    const settled = () => {
      const alive = this.#alive();
      if (alive.length === 0 || !alive.every((live) => live.member.stable)) return false;
      const generations = new Set(alive.map((live) => live.member.generationId));
      const owned = alive.reduce((sum, live) => sum + live.member.assignment.length, 0);
      return generations.size === 1 && owned === this.#options.partitions;
    };
    await this.cluster.runUntil(() => this.#violated || settled(), { maxVirtualMs: QUIET_PHASE_MAX_MS });
    if (this.#violated) return;
    this.checker.settled(
      this.#alive().map((live) => ({
        name: live.host,
        memberId: live.member.memberId,
        generation: live.member.generationId,
        stable: live.member.stable,
        assignment: live.member.assignment,
      })),
    );
    await this.#checkOffsets("at the end");
  }

  result(): GroupRunResult {
    return {
      seed: this.#options.seed,
      options: this.#options,
      violation: this.checker.violations.first,
      stats: { ...this.#stats, ...this.checker.stats },
      cluster: this.cluster,
      virtualMs: this.cluster.scheduler.nowMs,
    };
  }
}
