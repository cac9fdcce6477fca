/**
 * The follower's side of replication (Kafka's ReplicaFetcherThread): one
 * fetch loop per leader broker, sending Fetch v15 with this broker's id and
 * epoch (KIP-903) for every partition it follows there, and handing each
 * partition's answer to the partition (truncate, append, high watermark).
 *
 * The loop long-polls (`replica.fetch.wait.max.ms`), so a leader's append
 * answers the parked fetch at once: that round trip is what acks=all waits
 * for. A failed connection or an error backs off `replica.fetch.backoff.ms`;
 * an answer that does not come within `replica.socket.timeout.ms` (a stopped
 * leader) drops the connection.
 */
import type { Clock, Net } from "../io/mod.ts";
import { ErrorCode, type RequestInputForKey, uuidToString } from "../protocol/mod.ts";
import { KafkaClient } from "./kafka_client.ts";
import type { Partition } from "./partition.ts";

const FETCH_VERSION = 15;

export interface ReplicaFetchSettings {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
  backoffMs: number;
  socketTimeoutMs: number;
}

export interface ReplicaFetcherOptions {
  net: Net;
  clock: Clock;
  nodeId: number;
  /** This broker's epoch from its registration (-1 before). */
  brokerEpoch: () => number;
  /** Where broker `id` listens for other brokers, or null when it is not registered. */
  endpointOf: (brokerId: number) => { host: string; port: number } | null;
  settings: () => ReplicaFetchSettings;
  log: (line: string) => void;
}

/** Every partition this node follows, grouped by leader. */
export class ReplicaFetchers {
  readonly #byLeader = new Map<number, LeaderFetcher>();
  readonly #leaderOf = new Map<string, number>();
  #closed = false;

  constructor(private readonly options: ReplicaFetcherOptions) {}

  /** Fetches `partition` from `leaderId` from now on (-1: from nobody, until a leader is elected). */
  follow(partition: Partition, leaderId: number): void {
    const current = this.#leaderOf.get(partition.key);
    if (current === leaderId) return;
    this.unfollow(partition);
    if (leaderId < 0 || this.#closed) return;
    this.#leaderOf.set(partition.key, leaderId);
    let fetcher = this.#byLeader.get(leaderId);
    if (fetcher === undefined) {
      fetcher = new LeaderFetcher(leaderId, this.options, () => this.#byLeader.delete(leaderId));
      this.#byLeader.set(leaderId, fetcher);
    }
    fetcher.add(partition);
  }

  /** Stops fetching `partition` (it leads now, or went away). */
  unfollow(partition: Partition): void {
    const leaderId = this.#leaderOf.get(partition.key);
    if (leaderId === undefined) return;
    this.#leaderOf.delete(partition.key);
    this.#byLeader.get(leaderId)?.remove(partition);
  }

  /** The partitions followed, by leader (for DescribeLogDirs-style reports and tests). */
  leaders(): ReadonlyMap<string, number> {
    return this.#leaderOf;
  }

  close(): void {
    this.#closed = true;
    for (const fetcher of this.#byLeader.values()) fetcher.close();
    this.#byLeader.clear();
    this.#leaderOf.clear();
  }
}

/** The fetch loop to one leader. */
class LeaderFetcher {
  readonly #partitions = new Map<string, Partition>();
  #client: KafkaClient | null = null;
  #running = false;
  #closed = false;

  constructor(
    readonly leaderId: number,
    private readonly options: ReplicaFetcherOptions,
    private readonly onStop: () => void,
  ) {}

  add(partition: Partition): void {
    this.#partitions.set(partition.key, partition);
    if (!this.#running) {
      this.#running = true;
      void this.#run();
    }
  }

  remove(partition: Partition): void {
    this.#partitions.delete(partition.key);
    if (this.#partitions.size === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client?.close();
    this.#client = null;
    this.onStop();
  }

  async #run(): Promise<void> {
    while (!this.#closed && this.#partitions.size > 0) {
      let backOff: boolean;
      try {
        backOff = await this.#fetchOnce();
      } catch (error) {
        if (this.#closed) return;
        this.options.log(`fetching from broker ${this.leaderId} failed: ${(error as Error).message}`);
        this.#client?.close();
        this.#client = null;
        backOff = true;
      }
      if (backOff && !this.#closed) await this.#sleep(this.options.settings().backoffMs);
    }
  }

  /** One fetch for every partition followed; true when the loop should back off. */
  async #fetchOnce(): Promise<boolean> {
    const settings = this.options.settings();
    const sent = [...this.#partitions.values()]
      .filter((partition) => partition.followerState?.leaderId === this.leaderId && !partition.offline)
      .map((partition) => ({
        partition,
        fetchOffset: partition.log.logEndOffset,
        leaderEpoch: partition.leaderEpoch,
      }));
    if (sent.length === 0) return true;
    const client = await this.#connect();
    const byTopic = new Map<string, { topicId: Uint8Array; partitions: typeof sent }>();
    for (const entry of sent) {
      const key = entry.partition.topic;
      let topic = byTopic.get(key);
      if (!topic) byTopic.set(key, topic = { topicId: entry.partition.topicId, partitions: [] });
      topic.partitions.push(entry);
    }
    const body: RequestInputForKey<1> = {
      replicaState: { replicaId: this.options.nodeId, replicaEpoch: this.options.brokerEpoch() },
      maxWaitMs: settings.maxWaitMs,
      minBytes: settings.minBytes,
      maxBytes: settings.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic.values()].map((topic) => ({
        topicId: topic.topicId,
        partitions: topic.partitions.map((entry) => ({
          partition: entry.partition.partition,
          currentLeaderEpoch: entry.leaderEpoch,
          fetchOffset: entry.fetchOffset,
          lastFetchedEpoch: entry.partition.log.latestEpoch,
          logStartOffset: entry.partition.log.logStartOffset,
          partitionMaxBytes: settings.partitionMaxBytes,
        })),
      })),
      forgottenTopicsData: [],
      rackId: "",
    };
    const response = await this.#withTimeout(
      client.request(1, FETCH_VERSION, body),
      settings.maxWaitMs + settings.socketTimeoutMs,
    );
    if (response.errorCode !== ErrorCode.NONE) return true;
    let backOff = false;
    // What was sent, by topic id and partition: the answer names partitions so.
    const byId = new Map(
      sent.map((entry) => [`${uuidToString(entry.partition.topicId)}:${entry.partition.partition}`, entry]),
    );
    for (const topic of response.responses) {
      const topicId = uuidToString(topic.topicId);
      for (const answer of topic.partitions) {
        const entry = byId.get(`${topicId}:${answer.partitionIndex}`);
        if (entry === undefined || this.#partitions.get(entry.partition.key) !== entry.partition) continue;
        const diverging = answer.divergingEpoch;
        let step;
        try {
          step = entry.partition.applyLeaderAnswer(entry.fetchOffset, entry.leaderEpoch, {
            errorCode: answer.errorCode,
            highWatermark: answer.highWatermark,
            logStartOffset: answer.logStartOffset,
            divergingEpoch: diverging && diverging.epoch >= 0
              ? { epoch: diverging.epoch, endOffset: diverging.endOffset }
              : null,
            records: answer.records,
          });
        } catch (error) {
          this.options.log(`replicating ${entry.partition.key} failed: ${(error as Error).message}`);
          backOff = true;
          continue;
        }
        if (step?.kind === "back-off") backOff = true;
      }
    }
    return backOff;
  }

  async #connect(): Promise<KafkaClient> {
    if (this.#client !== null && this.#client.failure === null) return this.#client;
    const endpoint = this.options.endpointOf(this.leaderId);
    if (endpoint === null) throw new Error(`broker ${this.leaderId} is not registered`);
    const client = await KafkaClient.connect(this.options.net, endpoint.host, endpoint.port, {
      clientId: `dafka-replica-fetcher-${this.options.nodeId}`,
    });
    if (this.#closed) {
      client.close();
      throw new Error("fetcher closed");
    }
    this.#client = client;
    return client;
  }

  #withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = this.options.clock.setTimer(timeoutMs, () => {
        this.#client?.close();
        reject(new Error(`no answer from broker ${this.leaderId} within ${timeoutMs} ms`));
      });
      promise.then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (error) => {
          timer.cancel();
          reject(error);
        },
      );
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimer(ms, resolve));
  }
}
