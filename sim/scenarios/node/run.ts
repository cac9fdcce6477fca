/**
 * One simulation run: a Dafka node on a simulated host, clients on other
 * hosts speaking the Kafka protocol through the simulated network, crashes
 * and restarts of the node (power losses and killed processes), connection
 * resets, and the checkers watching every answer and every recovery.
 *
 * A run has two phases, as TigerBeetle's VOPR has: faults, then quiet. In
 * the quiet phase the node must let every producer finish and every consumer
 * catch up (liveness), and a last scan of every partition checks the log.
 */
import { BrokerConfig } from "../../../src/config/mod.ts";
import type { World } from "../../../src/io/mod.ts";
import { ErrorCode } from "../../../src/protocol/mod.ts";
import { startNode } from "../../../src/server/mod.ts";
import type { InvariantViolation } from "../../checkers/violation.ts";
import { LogChecker } from "../../checkers/log/log_checker.ts";
import { checkMetadata, type CreatedTopic } from "../../checkers/log/topic_checker.ts";
import { scanPartition } from "./log_scan.ts";
import { FaultSchedule } from "../../faults/fault_schedule.ts";
import { type NodeBug, plantNodeBug } from "../../faults/node_planted_bugs.ts";
import { type CrashMode, type SeededRandom, SimCluster } from "../../../src/io/sim/mod.ts";
import { ignoringSegmentSyncs, type TestFaults } from "../../faults/node_test_faults.ts";
import { type WorkloadOptions, workloadOptions } from "./options.ts";
import { Consumer } from "./consumer.ts";
import { BrokerLink } from "../../clients/broker_link.ts";
import { isNetError } from "../../clients/net_errors.ts";
import { Producer } from "./producer.ts";

const NODE = "node-1";
const PORT = 9092;
const LOG_DIRECTORY = "/data";
const CREATE_TOPICS = 19;
const METADATA = 3;
/** Metadata v12: topic ids, flexible encoding. */
const METADATA_VERSION = 12;
/** Bounds of the steps of a run, in virtual time. */
const NODE_START_MAX_MS = 10_000;
const SCAN_MAX_MS = 120_000;
const QUIET_PHASE_MAX_MS = 60_000;
const CATCH_UP_ROUNDS_MAX = 50_000;
/** Catching up is bounded by its rounds; virtual time costs nothing. */
const CATCH_UP_MAX_MS = 3_600_000;

/** How to run a seed. */
export interface RunSeedOptions {
  /** Progress lines (crashes, restarts); silent by default. */
  log?: (line: string) => void;
  /** Changes the options derived from the seed (tests). */
  adjust?: (options: WorkloadOptions) => WorkloadOptions;
  /** Test-only faults that the checkers must catch. */
  faults?: TestFaults;
  /** A deliberate bug in the node that the checkers must catch. */
  bug?: NodeBug;
}

/** Counters of a run. */
export interface RunStats {
  crashes: { "power-loss": number; process: number };
  connectionResets: number;
  produceRequests: number;
  batchesSent: number;
  batchRetries: number;
  batchesAcknowledged: number;
  retriesAcknowledged: number;
  duplicatesAnswered: number;
  newProducerIds: number;
  fetches: number;
  recordsFetched: number;
  recordsInLog: number;
  requiredRecords: number;
  /** Segments and records retention deleted (every one checked against retention.ms). */
  segmentsDeleted: number;
  recordsDeleted: number;
  clockJumps: number;
}

/** What a run found. */
export interface RunResult {
  seed: number;
  options: WorkloadOptions;
  /** The first broken invariant, or null when the run passed. */
  violation: InvariantViolation | null;
  stats: RunStats;
  /** The simulation, for its log. */
  cluster: SimCluster;
  virtualMs: number;
}

/** The node's settings for a run. */
export function brokerConfig(options: WorkloadOptions): BrokerConfig {
  const settings = new Map([
    ["node.id", "1"],
    ["process.roles", "broker,controller"],
    ["listeners", `PLAINTEXT://${NODE}:${PORT}`],
    ["log.dirs", LOG_DIRECTORY],
    ["log.segment.bytes", String(options.segmentBytes)],
    ["log.index.interval.bytes", String(options.indexIntervalBytes)],
    ["log.retention.ms", String(options.retention.retentionMs)],
    ["log.retention.check.interval.ms", String(options.retention.checkIntervalMs)],
    ["auto.create.topics.enable", "false"],
  ]);
  if (options.flushEveryMessage) settings.set("log.flush.interval.messages", "1");
  return new BrokerConfig(settings);
}

/** Runs one seed and reports what the checkers found. */
export async function runSeed(seed: number, runOptions: RunSeedOptions = {}): Promise<RunResult> {
  const options = (runOptions.adjust ?? ((value) => value))(workloadOptions(seed));
  const run = new SimulationRun(options, runOptions);
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    run.checker.violations.record(event.reason, "no unhandled error");
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const removeBug = runOptions.bug === undefined
    ? () => {}
    : plantNodeBug(runOptions.bug, run.checker.ledger);
  try {
    await run.execute();
  } catch (error) {
    run.checker.violations.record(error, "the simulation runs");
  } finally {
    removeBug();
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  return run.result();
}

class SimulationRun {
  readonly checker: LogChecker;
  readonly cluster: SimCluster;
  readonly #options: WorkloadOptions;
  readonly #runOptions: RunSeedOptions;
  readonly #config: BrokerConfig;
  readonly #chaos: SeededRandom;
  readonly #producers: Producer[] = [];
  readonly #consumers: Consumer[] = [];
  readonly #actors: Promise<void>[] = [];
  readonly #crashes = { "power-loss": 0, process: 0 };
  #connectionResets = 0;
  #clockJumps = 0;
  #recordsInLog = 0;
  #scanner: BrokerLink | null = null;
  #clusterId: string | null = "";
  #createdTopics: CreatedTopic[] = [];

  constructor(options: WorkloadOptions, runOptions: RunSeedOptions) {
    this.#options = options;
    this.#runOptions = runOptions;
    this.#config = brokerConfig(options);
    this.cluster = new SimCluster({
      seed: options.seed,
      net: options.net,
      disk: {
        tornWriteProbability: options.crashes.tornWriteProbability,
        garbageProbability: options.crashes.garbageProbability,
        directoryDurability: options.crashes.directoryDurability,
      },
      logCapacity: 4000,
      clockSkewMaxMs: options.clockSkewMaxMs,
    });
    this.#chaos = this.cluster.random.fork("chaos");
    this.checker = new LogChecker({
      flushEveryMessage: options.flushEveryMessage,
      logDirectory: LOG_DIRECTORY,
      topics: new Set(options.topics.map((topic) => topic.name)),
      retentionMs: options.retention.retentionMs,
    });
    const node = this.cluster.host(NODE);
    // The clock the node's retention reads: its host's wall clock, skewed and stepped.
    this.checker.retention.watch(node.disk, () => node.wallClock.nowMs());
  }

  get #violated(): boolean {
    return this.checker.violations.first !== null;
  }

  #log(line: string): void {
    this.cluster.log.add(`${String(this.cluster.scheduler.nowMs).padStart(9)} [run] ${line}`);
    this.#runOptions.log?.(`${String(this.cluster.scheduler.nowMs).padStart(9)} ms ${line}`);
  }

  /** Runs `work` under the scheduler until it settles. */
  #settle<T>(work: Promise<T>, maxVirtualMs: number): Promise<T> {
    return this.cluster.scheduler.runUntilSettled(work, { maxVirtualMs });
  }

  async execute(): Promise<void> {
    await this.#startNode();
    const topicIds = await this.#createTopics();
    this.#startClients(topicIds);
    await this.#learnClusterId();
    await this.#faultPhase();
    if (this.#violated) return;
    await this.#quietPhase();
  }

  async #startNode(): Promise<void> {
    const world = this.cluster.start(NODE);
    const nodeWorld: World = this.#runOptions.faults?.segmentSyncIgnored
      ? { ...world, disk: ignoringSegmentSyncs(world.disk) }
      : world;
    try {
      await this.#settle(startNode(nodeWorld, this.#config), NODE_START_MAX_MS);
    } catch (error) {
      throw this.checker.violations.report("the node starts", (error as Error).stack ?? String(error));
    }
  }

  async #createTopics(): Promise<Map<string, Uint8Array>> {
    const admin = new BrokerLink(this.cluster.start("admin"), {
      host: NODE,
      port: PORT,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      clientId: "admin",
    });
    const { body } = await this.#settle(
      admin.request(CREATE_TOPICS, 7, {
        topics: this.#options.topics.map((topic) => ({
          name: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        })),
        timeoutMs: 30_000,
        validateOnly: false,
      }),
      NODE_START_MAX_MS,
    );
    admin.close();
    const topicIds = new Map<string, Uint8Array>();
    for (const topic of body.topics) {
      if (topic.errorCode !== ErrorCode.NONE) {
        throw this.checker.violations.report("topics are created", `${topic.name}: error ${topic.errorCode}`);
      }
      topicIds.set(topic.name, topic.topicId);
    }
    this.#createdTopics = this.#options.topics.map((topic) => ({
      ...topic,
      topicId: topicIds.get(topic.name)!,
    }));
    return topicIds;
  }

  async #learnClusterId(): Promise<void> {
    const { body } = await this.#settle(
      this.#scanner!.request(METADATA, METADATA_VERSION, { topics: null }),
      SCAN_MAX_MS,
    );
    this.#clusterId = body.clusterId;
  }

  /** Metadata after a recovery lists the topics as they were created. */
  async #checkMetadata(): Promise<void> {
    const request = async () => {
      for (let attempt = 1;; attempt++) {
        try {
          return await this.#scanner!.request(METADATA, METADATA_VERSION, { topics: null });
        } catch (error) {
          if (!isNetError(error) || attempt >= 5) throw error;
        }
      }
    };
    const { body, incarnation } = await this.#settle(request(), SCAN_MAX_MS);
    const expected = { clusterId: this.#clusterId, nodeId: this.#config.nodeId, topics: this.#createdTopics };
    checkMetadata(expected, body, this.checker.violations, `metadata from incarnation ${incarnation}`);
  }

  #link(
    world: World,
    clientId: string,
    answerLoss?: { probability: number; random: SeededRandom },
  ): BrokerLink {
    return new BrokerLink(world, {
      host: NODE,
      port: PORT,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      clientId,
      answerLossProbability: answerLoss?.probability,
      random: answerLoss?.random,
    });
  }

  #startClients(topicIds: Map<string, Uint8Array>): void {
    const checker = this.checker;
    for (const options of this.#options.producers) {
      const world = this.cluster.start(options.name);
      const producer = new Producer({
        world,
        random: this.cluster.random.fork(options.name),
        link: this.#link(world, options.name, {
          probability: options.answerLossProbability,
          random: this.cluster.random.fork(`${options.name}:answers`),
        }),
        checker,
        options,
        topics: this.#options.topics,
        segmentBytes: this.#options.segmentBytes,
        powerLosses: () => this.#crashes["power-loss"],
        log: (line) => this.#log(line),
      });
      this.#producers.push(producer);
      this.#actors.push(producer.run().catch((error) => void checker.violations.record(error)));
    }
    const topics = this.#options.topics.map((topic) => ({ ...topic, topicId: topicIds.get(topic.name)! }));
    for (const options of this.#options.consumers) {
      const world = this.cluster.start(options.name);
      const consumer = new Consumer({
        world,
        random: this.cluster.random.fork(options.name),
        link: this.#link(world, options.name),
        checker,
        options,
        topics,
        tamper: this.#runOptions.faults?.tamperFetch,
      });
      this.#consumers.push(consumer);
      this.#actors.push(consumer.run().catch((error) => void checker.violations.record(error)));
    }
    this.#scanner = this.#link(this.cluster.start("scanner"), "scanner");
  }

  async #faultPhase(): Promise<void> {
    const { crashes, connectionResetMeanIntervalMs, faultPhaseMs, clockJumpMeanIntervalMs } = this.#options;
    // Clock jumps draw from a fork of their own, so that seeds without them keep their crash and reset times.
    const clockChaos = this.cluster.random.fork("clock-jumps");
    await new FaultSchedule(this.cluster)
      .add(this.#chaos, crashes.meanIntervalMs, () => this.#crashAndRestart())
      .add(this.#chaos, connectionResetMeanIntervalMs, () => this.#resetConnection())
      .add(clockChaos, clockJumpMeanIntervalMs, () => this.#jumpClock(clockChaos))
      .run(faultPhaseMs, () => this.#violated);
  }

  /** Steps the node's wall clock, forwards or back (retention then deletes by the clock it reads). */
  #jumpClock(random: SeededRandom): void {
    const maxMs = this.#options.clockJumpMaxMs;
    const deltaMs = random.range(-maxMs, maxMs);
    this.cluster.host(NODE).wallClock.jump(deltaMs);
    this.#clockJumps++;
    this.#log(`${NODE}'s wall clock jumps by ${deltaMs} ms`);
  }

  async #crashAndRestart(): Promise<void> {
    const host = this.cluster.host(NODE);
    const mode: CrashMode = this.#chaos.chance(this.#options.crashes.powerLossProbability)
      ? "power-loss"
      : "process";
    const incarnation = host.incarnation!.number;
    this.checker.crashing(incarnation, mode, host.disk);
    this.cluster.crash(NODE, mode);
    this.#crashes[mode]++;
    const downMs = this.#chaos.int(this.#options.crashes.downTimeMaxMs + 1);
    this.#log(`crash of ${NODE}#${incarnation} (${mode}), down for ${downMs} ms`);
    await this.cluster.runUntil(() => this.#violated, { maxVirtualMs: downMs });
    if (this.#violated) return;
    await this.#startNode();
    this.#log(`${NODE}#${host.incarnation!.number} started`);
    await this.#scanAll(false);
  }

  #resetConnection(): void {
    const connections = this.cluster.net.connectionsOf(NODE);
    if (connections.length === 0) return;
    const connection = this.#chaos.pick(connections);
    this.cluster.net.resetConnection(connection);
    this.#connectionResets++;
  }

  /** Scans every partition through the node; `complete` when nothing is in flight any more. */
  async #scanAll(complete: boolean): Promise<void> {
    await this.#checkMetadata();
    for (const topic of this.#options.topics) {
      for (let partition = 0; partition < topic.partitions; partition++) {
        const { scan, incarnation } = await this.#settle(
          this.#scanWithRetries(topic.name, partition),
          SCAN_MAX_MS,
        );
        this.checker.scanned(incarnation, topic.name, partition, scan, complete);
        if (complete) this.#recordsInLog += scan.endOffset - scan.startOffset;
      }
    }
  }

  async #scanWithRetries(topic: string, partition: number): ReturnType<typeof scanPartition> {
    for (let attempt = 1;; attempt++) {
      try {
        return await scanPartition(this.#scanner!, this.checker, topic, partition);
      } catch (error) {
        if (!isNetError(error) || attempt >= 5) throw error;
      }
    }
  }

  async #quietPhase(): Promise<void> {
    if (!this.cluster.host(NODE).running) {
      await this.#startNode();
      await this.#scanAll(false);
    }
    for (const producer of this.#producers) producer.stop();
    for (const consumer of this.#consumers) consumer.stop();
    const finished = await this.#settle(Promise.all(this.#actors).then(() => true), QUIET_PHASE_MAX_MS)
      .catch(() => false);
    if (this.#violated) return;
    if (!finished) {
      const busy = this.#producers.filter((producer) => !producer.idle).length;
      throw this.checker.violations.report(
        "clients finish once faults stop",
        `${busy} producers still have unacknowledged batches after ${QUIET_PHASE_MAX_MS} ms without faults`,
      );
    }
    for (const [index, consumer] of this.#consumers.entries()) {
      const caughtUp = await this.#settle(consumer.catchUp(CATCH_UP_ROUNDS_MAX), CATCH_UP_MAX_MS);
      if (!caughtUp) {
        throw this.checker.violations.report(
          "consumers catch up once faults stop",
          `${this.#options.consumers[index]!.name} did not reach the high watermark`,
        );
      }
    }
    await this.#scanAll(true);
  }

  result(): RunResult {
    const sum = <T>(items: T[], value: (item: T) => number) =>
      items.reduce((total, item) => total + value(item), 0);
    const stats = this.checker.stats;
    return {
      seed: this.#options.seed,
      options: this.#options,
      violation: this.checker.violations.first,
      cluster: this.cluster,
      virtualMs: this.cluster.scheduler.nowMs,
      stats: {
        crashes: { ...this.#crashes },
        connectionResets: this.#connectionResets,
        produceRequests: sum(this.#producers, (producer) => producer.stats.requests),
        batchesSent: sum(this.#producers, (producer) => producer.stats.batches),
        batchRetries: sum(this.#producers, (producer) => producer.stats.retries),
        batchesAcknowledged: stats.batchesAcknowledged,
        retriesAcknowledged: stats.retriesAcknowledged,
        duplicatesAnswered: sum(this.#producers, (producer) => producer.stats.duplicatesAnswered),
        newProducerIds: sum(this.#producers, (producer) => producer.stats.newProducerIds),
        fetches: sum(this.#consumers, (consumer) => consumer.stats.fetches),
        recordsFetched: stats.recordsFetched,
        recordsInLog: this.#recordsInLog,
        requiredRecords: stats.requiredRecords,
        segmentsDeleted: this.checker.retention.stats.segmentsDeleted,
        recordsDeleted: this.checker.retention.stats.recordsDeleted,
        clockJumps: this.#clockJumps,
      },
    };
  }
}
