/**
 * The cluster workload: clients on their own host send metadata changes
 * (CreateTopics with 1-3 partitions, DeleteTopics, CreatePartitions,
 * IncrementalAlterConfigs of retention.ms) to nodes picked at random,
 * retrying after broken connections, timeouts and retriable errors (each
 * attempt to another random node), and note every attempt and every
 * acknowledgement in the ledger the checkers read at the end.
 */
import type { World } from "../../../src/io/mod.ts";
import { ErrorCode } from "../../../src/protocol/mod.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";
import { ChangeLedger } from "../../checkers/cluster/change_ledger.ts";
import { CLIENT_PORT } from "./cluster_node.ts";
import { describeChange, type MetadataChange, outcomeOf, requestOf, writesOf } from "./metadata_requests.ts";
import { NodeConnections, RequestTimeoutError } from "./node_connections.ts";
import type { ClusterSimOptions } from "./options.ts";

/** Errors after which the same change is tried again (elsewhere). */
const RETRIABLE = new Set<number>([ErrorCode.NOT_CONTROLLER, ErrorCode.REQUEST_TIMED_OUT]);
const RETRY_BACKOFF_MAX_MS = 200;
const PARTITIONS_MAX = 8;

export interface WorkloadStats {
  changes: number;
  attempts: number;
  acknowledged: number;
  refused: number;
  timeouts: number;
  connectionErrors: number;
}

/** What the client believes of a topic it named (only to choose sensible changes). */
interface KnownTopic {
  partitionsAsked: number;
}

export class MetadataWorkload {
  readonly ledger = new ChangeLedger();
  readonly stats: WorkloadStats = {
    changes: 0,
    attempts: 0,
    acknowledged: 0,
    refused: 0,
    timeouts: 0,
    connectionErrors: 0,
  };
  readonly #connections: NodeConnections;
  readonly #known = new Map<string, KnownTopic>();
  #stopped = false;
  #configValues = 0;

  constructor(
    private readonly world: World,
    private readonly random: SeededRandom,
    private readonly options: ClusterSimOptions["workload"],
    private readonly hosts: readonly string[],
  ) {
    this.#connections = new NodeConnections(world, CLIENT_PORT);
  }

  start(): void {
    for (let worker = 0; worker < this.options.workers; worker++) void this.#work();
  }

  /** No new changes from now on (those under way finish or time out). */
  stop(): void {
    this.#stopped = true;
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      await this.world.clock.sleep(1 + this.random.int(2 * this.options.thinkTimeMs));
      if (this.#stopped) return;
      await this.apply(this.#nextChange(), null);
    }
  }

  /**
   * Sends `change` to `host` (or random nodes) until acknowledged, refused
   * for good, or out of attempts; resolves to whether it was acknowledged.
   */
  async apply(
    change: MetadataChange,
    host: string | null,
    attemptsMax = this.options.attemptsMax,
  ): Promise<boolean> {
    this.stats.changes++;
    const request = requestOf(change);
    for (let attempt = 1; attempt <= attemptsMax; attempt++) {
      if (attempt > 1) await this.world.clock.sleep(1 + this.random.int(RETRY_BACKOFF_MAX_MS));
      const target = host ?? this.random.pick(this.hosts);
      const noted = this.ledger.send(
        change.topic,
        `${describeChange(change)} via ${target}`,
        writesOf(change),
      );
      this.stats.attempts++;
      let errorCode: number;
      try {
        const response = await this.#connections.request(
          target,
          request.apiKey,
          request.version,
          request.body,
          this.options.requestTimeoutMs,
        );
        const outcome = outcomeOf(change, response);
        errorCode = outcome.errorCode;
        if (errorCode === ErrorCode.NONE) {
          this.ledger.acknowledge(noted, outcome.learned);
          this.stats.acknowledged++;
          return true;
        }
      } catch (error) {
        if (error instanceof RequestTimeoutError) this.stats.timeouts++;
        else this.stats.connectionErrors++;
        continue;
      }
      this.stats.refused++;
      if (!RETRIABLE.has(errorCode)) return false;
    }
    return false;
  }

  /** A new topic now and then, otherwise a change to a topic named before. */
  #nextChange(): MetadataChange {
    const names = [...this.#known.keys()];
    if (names.length === 0 || (names.length < this.options.topicsMax && this.random.chance(0.3))) {
      return this.#create(`t${names.length}`);
    }
    const topic = this.random.pick(names);
    const roll = this.random.int(100);
    if (roll < 15) return { kind: "delete", topic };
    if (roll < 30) return this.#create(topic);
    if (roll < 50) {
      const known = this.#known.get(topic)!;
      known.partitionsAsked = Math.min(PARTITIONS_MAX, known.partitionsAsked + 1 + this.random.int(2));
      return { kind: "create-partitions", topic, count: known.partitionsAsked };
    }
    if (roll < 55) return { kind: "set-config", topic, value: null };
    return { kind: "set-config", topic, value: String(3_600_000 + ++this.#configValues) };
  }

  #create(topic: string): MetadataChange {
    const partitions = 1 + this.random.int(3);
    const known = this.#known.get(topic);
    if (known === undefined) this.#known.set(topic, { partitionsAsked: partitions });
    else known.partitionsAsked = Math.max(known.partitionsAsked, partitions);
    return { kind: "create", topic, partitions, replicationFactor: this.random.pick([1, 1, 1, -1, 2]) };
  }

  /** Waits on the client's clock. */
  sleep(delayMs: number): Promise<void> {
    return this.world.clock.sleep(delayMs);
  }

  close(): void {
    this.#stopped = true;
    this.#connections.close();
  }
}
