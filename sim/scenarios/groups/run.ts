/**
 * One consumer group simulation, for either group protocol (protocol.ts): a
 * Dafka node on a simulated host, members speaking the protocol on other
 * hosts, and chaos derived from the seed: members join, crash, pause and
 * leave, static members come back under their instance id, the node crashes
 * (power loss or killed process) and restarts, connections reset and
 * answers get lost. The protocol's checker watches every assignment and
 * commit (and, for KIP-848, the coordinator's own state after every event);
 * after every restart of the node the committed offsets are read back and
 * must hold every acknowledged commit.
 *
 * Then a quiet phase without faults, in which the live members must settle
 * (one generation or epoch, every partition held exactly once: liveness).
 */
import { BrokerConfig } from "../../../src/config/mod.ts";
import { type CrashMode, type SeededRandom, SimCluster } from "../../../src/io/sim/mod.ts";
import { ErrorCode } from "../../../src/protocol/mod.ts";
import { type RunningNode, startNode } from "../../../src/server/mod.ts";
import { BrokerLink } from "../../clients/broker_link.ts";
import { isNetError } from "../../clients/net_errors.ts";
import { FaultSchedule } from "../../faults/fault_schedule.ts";
import type { GroupMemberHandle, GroupProtocol, GroupProtocolRun, SharedGroupOptions } from "./protocol.ts";

const NODE = "node-1";
const PORT = 9092;
const TOPIC = "sim-topic";
const NODE_START_MAX_MS = 10_000;
const OFFSET_READ_MAX_MS = 60_000;
const OFFSET_FETCH = 9;
const CREATE_TOPICS = 19;

/** How to run a seed. */
export interface GroupRunOptions<Options> {
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
  /** Changes the options derived from the seed (tests). */
  adjust?: (options: Options) => Options;
}

/** What a run found. */
export interface GroupRunResult<Options> {
  seed: number;
  options: Options;
  violation: Error | null;
  stats: Record<string, number>;
  cluster: SimCluster;
  virtualMs: number;
}

/** The node's settings for a group run. */
export function groupBrokerConfig<Options extends SharedGroupOptions>(
  protocol: GroupProtocol<Options, GroupMemberHandle>,
  options: Options,
): BrokerConfig {
  return new BrokerConfig(
    new Map([
      ["node.id", "1"],
      ["process.roles", "broker,controller"],
      ["listeners", `PLAINTEXT://${NODE}:${PORT}`],
      ["log.dirs", "/data"],
      ["auto.create.topics.enable", "false"],
      ["offsets.topic.num.partitions", "3"],
      ["offsets.topic.replication.factor", "1"],
      ...protocol.brokerSettings(options),
    ]),
  );
}

/** Runs one seed of `protocol` and reports what its checker found. */
export async function runGroupSeed<Options extends SharedGroupOptions, Member extends GroupMemberHandle>(
  protocol: GroupProtocol<Options, Member>,
  seed: number,
  runOptions: GroupRunOptions<Options> = {},
): Promise<GroupRunResult<Options>> {
  const options = (runOptions.adjust ?? ((value) => value))(protocol.options(seed));
  const run = new GroupSimulation(protocol, options, runOptions);
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    run.side.checker.violations.record(event.reason, "no unhandled error");
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    await run.execute();
  } catch (error) {
    run.side.checker.violations.record(error, "the simulation runs");
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  return run.result();
}

interface LiveMember<Member> {
  member: Member;
  host: string;
  instanceId: string | null;
}

class GroupSimulation<Options extends SharedGroupOptions, Member extends GroupMemberHandle> {
  readonly side: GroupProtocolRun<Member>;
  readonly cluster: SimCluster;
  readonly #protocol: GroupProtocol<Options, Member>;
  readonly #options: Options;
  readonly #runOptions: GroupRunOptions<Options>;
  readonly #chaos: SeededRandom;
  readonly #members: LiveMember<Member>[] = [];
  #node: RunningNode | null = null;
  #topicId: Uint8Array = new Uint8Array(16);
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

  constructor(
    protocol: GroupProtocol<Options, Member>,
    options: Options,
    runOptions: GroupRunOptions<Options>,
  ) {
    this.#protocol = protocol;
    this.#options = options;
    this.#runOptions = runOptions;
    this.cluster = new SimCluster({ seed: options.seed, net: options.net, logCapacity: 4000 });
    this.#chaos = this.cluster.random.fork(protocol.chaosLabel);
    this.side = protocol.start(options, this.cluster);
  }

  get #violated(): boolean {
    return this.side.checker.violations.first !== null;
  }

  /** Checked after every event: the protocol's look at the node (KIP-848's coordinator state). */
  #checkNode(): boolean {
    return this.#violated || this.side.checkNode(this.#node);
  }

  #log(line: string): void {
    const at = String(this.cluster.scheduler.nowMs).padStart(9);
    this.cluster.log.add(`${at} [${this.#protocol.logTag}] ${line}`);
    this.#runOptions.log?.(`${at} ms ${line}`);
  }

  #settle<T>(work: Promise<T>, maxVirtualMs: number): Promise<T> {
    return this.cluster.scheduler.runUntilSettled(work, { maxVirtualMs });
  }

  async execute(): Promise<void> {
    await this.#startNode();
    await this.#createTopic();
    for (let index = 0; index < this.#options.initialMembers; index++) {
      // Classic groups start with dynamic members only (no draw), KIP-848 ones draw as later joins do.
      this.#startMember(this.#protocol.name === "classic" ? null : undefined);
    }
    await this.#faultPhase();
    if (this.#violated) return;
    await this.#quietPhase();
  }

  async #startNode(): Promise<void> {
    const world = this.cluster.start(NODE);
    try {
      this.#node = await this.#settle(
        startNode(world, groupBrokerConfig(this.#protocol, this.#options)),
        NODE_START_MAX_MS,
      );
    } catch (error) {
      throw this.side.checker.violations.report("the node starts", (error as Error).stack ?? String(error));
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
      admin.request(CREATE_TOPICS, 7, {
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
    const created = body.topics[0]!;
    if (created.errorCode !== ErrorCode.NONE) {
      throw this.side.checker.violations.report("the topic is created", `error ${created.errorCode}`);
    }
    this.#topicId = created.topicId;
  }

  /** `instanceId`: the member's (null: dynamic), or undefined to let the seed choose. */
  #startMember(instanceId: string | null | undefined): LiveMember<Member> {
    const name = `member-${this.#nextMember++}`;
    const chosenInstance = instanceId !== undefined
      ? instanceId
      : this.#chaos.chance(this.#options.staticProbability)
      ? `instance-${this.#nextInstance++}`
      : null;
    const link = this.#link(name, true);
    const member = this.side.startMember({
      name,
      world: this.cluster.host(name).world!,
      random: this.cluster.random.fork(name),
      link,
      groupId: this.#protocol.groupId,
      topic: TOPIC,
      topicId: this.#topicId,
      instanceId: chosenInstance,
      log: (line) => this.#log(line),
    });
    const live = { member, host: name, instanceId: chosenInstance };
    this.#members.push(live);
    this.#stats.memberJoins++;
    member.run().catch((error) => void this.side.checker.violations.record(error));
    this.#log(`${name} starts${chosenInstance ? ` as ${chosenInstance}` : ""}`);
    return live;
  }

  /** Members whose host runs and that have not stopped (or been asked to). */
  #alive(): LiveMember<Member>[] {
    return this.#members.filter((live) =>
      this.cluster.host(live.host).running && !live.member.stopped && !live.member.stopping
    );
  }

  async #faultPhase(): Promise<void> {
    const options = this.#options;
    await new FaultSchedule(this.cluster)
      .add(this.#chaos, options.nodeCrashes.meanIntervalMs, () => this.#crashAndRestartNode())
      .add(this.#chaos, options.connectionResetMeanIntervalMs, () => this.#resetConnection())
      .add(this.#chaos, options.churnMeanIntervalMs, () => this.#churn())
      .run(options.faultPhaseMs, () => this.#violated, () => this.#checkNode());
  }

  #resetConnection(): void {
    const connections = this.cluster.net.connectionsOf(NODE);
    if (connections.length === 0) return;
    this.cluster.net.resetConnection(this.#chaos.pick(connections));
    this.#stats.connectionResets++;
  }

  /** One membership event: a join, a crash (a static member may come back), a pause or a leave. */
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
    } else if (event === "leave") {
      const { left, returnWithinMs } = this.side.leave(victim.member, victim.instanceId, canLose);
      if (!left) return;
      this.#stats.memberLeaves++;
      this.#log(`${victim.host} leaves${returnWithinMs === null ? "" : " temporarily"}`);
      if (returnWithinMs !== null) this.#restartStatic(victim.instanceId!, returnWithinMs);
    } else if (event === "crash" && (canLose || victim.instanceId !== null)) {
      this.cluster.crash(victim.host, "process");
      const returnWithinMs = this.side.crashed(victim.member);
      this.#stats.memberCrashes++;
      this.#log(`${victim.host} crashes`);
      if (victim.instanceId !== null && this.#chaos.chance(0.7)) {
        this.#restartStatic(victim.instanceId, returnWithinMs);
      }
    }
  }

  /** A static member comes back under its instance id after up to `delayMaxMs`, often within its session. */
  #restartStatic(instanceId: string, delayMaxMs: number): void {
    const delayMs = this.#chaos.range(0, delayMaxMs);
    this.cluster.scheduler.schedule(delayMs, () => {
      if (!this.#faultsOn) return;
      this.#stats.staticRestarts++;
      this.#startMember(instanceId);
    });
  }

  async #crashAndRestartNode(): Promise<void> {
    const mode: CrashMode = this.#chaos.chance(this.#options.nodeCrashes.powerLossProbability)
      ? "power-loss"
      : "process";
    this.cluster.crash(NODE, mode);
    this.#node = null;
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
    const checker = this.side.checker;
    const expected = checker.acknowledgedSnapshot();
    const partitions = Array.from({ length: this.#options.partitions }, (_, index) => index);
    const { version, body } = this.#protocol.offsetFetch(this.#protocol.groupId, TOPIC, partitions);
    const read = async (): Promise<Map<number, number>> => {
      for (;;) {
        try {
          const answer = await reader.request(OFFSET_FETCH, version, body);
          const committed = this.#protocol.committedOf(answer.body);
          if (committed !== null) return committed;
        } catch (error) {
          if (!isNetError(error)) throw error;
        }
        await clock.sleep(100);
      }
    };
    const committed = await this.#settle(read(), OFFSET_READ_MAX_MS);
    reader.close();
    this.cluster.crash(host, "process");
    checker.offsetsRead(committed, expected, when);
  }

  async #quietPhase(): Promise<void> {
    this.#faultsOn = false;
    this.cluster.net.healAll();
    if (!this.cluster.host(NODE).running) await this.#startNode();
    if (this.#alive().length === 0) this.#startMember(undefined);
    const settled = () => {
      const alive = this.#alive();
      return alive.length > 0 && alive.every((live) => live.member.stable) && this.side.settled(alive);
    };
    await this.cluster.runUntil(() => this.#checkNode() || settled(), {
      maxVirtualMs: this.#protocol.quietPhaseMaxMs,
    });
    if (this.#violated) return;
    this.side.checkSettled(this.#alive());
    await this.#checkOffsets("at the end");
  }

  result(): GroupRunResult<Options> {
    return {
      seed: this.#options.seed,
      options: this.#options,
      violation: this.side.checker.violations.first,
      stats: { ...this.#stats, ...this.side.checker.stats } as Record<string, number>,
      cluster: this.cluster,
      virtualMs: this.cluster.scheduler.nowMs,
    };
  }
}
