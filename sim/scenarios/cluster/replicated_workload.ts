/**
 * The replicated-topic workload: one topic with replication factor 3 and
 * min.insync.replicas=2 (a topic config), 1-3 partitions; producers with
 * acks=all or acks=1, idempotent (a producer id from InitProducerId,
 * sequences per partition) or not; consumers reading every partition from
 * its leader. Clients find leaders with Metadata, and after
 * NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, fencing errors, timeouts or
 * broken connections they refresh it and send the same batch again. Every
 * acks=all acknowledgement and every consumed batch goes to the checker.
 *
 * One batch in flight per producer: an idempotent producer's retry is then
 * always its newest batch, and a sequence refused after a failover (the new
 * leader never had an acks=1 batch) makes it give the batch up and take a
 * new producer id, as Kafka's producers do.
 */
import type { World } from "../../../src/io/mod.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";
import {
  ErrorCode,
  type RequestInputForKey,
  type ResponseForKey,
  scanBatches,
} from "../../../src/protocol/mod.ts";
import { nodeHostName } from "./cluster_node.ts";
import { NodeConnections, RequestTimeoutError } from "./node_connections.ts";
import { CLIENT_PORT } from "./cluster_node.ts";
import { makeReplicatedBatch } from "./replicated_records.ts";
import type { ReplicatedWorkloadOptions } from "./options.ts";

const CREATE_TOPICS = 19;
const METADATA = 3;
const PRODUCE = 0;
const FETCH = 1;
const INIT_PRODUCER_ID = 22;
/** The replicated topic's name (the metadata workload's topics are t0, t1, ...). */
export const REPLICATED_TOPIC = "replicated";
export const REPLICATION_FACTOR = 3;
export const MIN_INSYNC_REPLICAS = 2;
const BACKOFF_MAX_MS = 150;

/** Errors after which a producer refreshes metadata and sends the same batch again. */
const PRODUCE_RETRIABLE = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
]);
/** Errors that make an idempotent producer give its batch up and start over with a new producer id. */
const SEQUENCE_REFUSALS = new Set<number>([
  ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ErrorCode.UNKNOWN_PRODUCER_ID,
  ErrorCode.INVALID_PRODUCER_EPOCH,
]);

/** An acknowledged batch. */
export interface ReplicatedAck {
  producer: string;
  acks: -1 | 1;
  idempotent: boolean;
  partition: number;
  baseOffset: number;
  ids: string[];
  /** When the acknowledged attempt was sent (simulation time): the records were written after it. */
  sentAtMs: number;
}

/** What the checkers hear from the workload. */
export interface ReplicatedObserver {
  /** The simulation's time, to date acknowledgements by their request's departure. */
  nowMs(): number;
  acknowledged(ack: ReplicatedAck): void;
  /** A consumer fetched this whole batch of `partition` from `host`, below the high watermark it answered. */
  consumed(partition: number, batch: Uint8Array, host: string): void;
}

export interface ReplicatedWorkloadStats {
  topicCreated: boolean;
  batches: number;
  acknowledgedAll: number;
  acknowledgedOne: number;
  retries: number;
  refusals: Record<string, number>;
  timeouts: number;
  connectionErrors: number;
  newProducerIds: number;
  abandoned: number;
  consumedBatches: number;
  metadataRefreshes: number;
}

type SendOutcome =
  | { kind: "acknowledged"; baseOffset: number; sentAtMs: number }
  | { kind: "sequence-refused" }
  | { kind: "gave-up" };

interface LeaderInfo {
  leaderId: number;
  leaderEpoch: number;
}

export class ReplicatedWorkload {
  readonly stats: ReplicatedWorkloadStats = {
    topicCreated: false,
    batches: 0,
    acknowledgedAll: 0,
    acknowledgedOne: 0,
    retries: 0,
    refusals: {},
    timeouts: 0,
    connectionErrors: 0,
    newProducerIds: 0,
    abandoned: 0,
    consumedBatches: 0,
    metadataRefreshes: 0,
  };
  readonly #connections: NodeConnections;
  readonly #leaders = new Map<number, LeaderInfo>();
  #stopped = false;
  #closed = false;
  #created = false;

  constructor(
    private readonly world: World,
    private readonly random: SeededRandom,
    readonly options: ReplicatedWorkloadOptions,
    private readonly hosts: readonly string[],
    private readonly observer: ReplicatedObserver,
  ) {
    this.#connections = new NodeConnections(world, CLIENT_PORT);
  }

  /** Whether the topic was created (acknowledged, or found to exist). */
  get created(): boolean {
    return this.#created;
  }

  start(): void {
    void this.#run();
  }

  /** No new batches or fetches from now on. */
  stop(): void {
    this.#stopped = true;
  }

  close(): void {
    this.#stopped = true;
    this.#closed = true;
    this.#connections.close();
  }

  async #run(): Promise<void> {
    await this.#createTopic();
    if (this.#stopped) return;
    this.options.producers.forEach((producer, index) => void this.#produce(`p${index}`, producer));
    for (let consumer = 0; consumer < this.options.consumers; consumer++) {
      for (let partition = 0; partition < this.options.partitions; partition++) {
        void this.#consume(partition);
      }
    }
  }

  async #request<Key extends number>(
    host: string,
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
  ): Promise<ResponseForKey<Key> | null> {
    try {
      return await this.#connections.request(host, apiKey, version, body, this.options.requestTimeoutMs);
    } catch (error) {
      if (error instanceof RequestTimeoutError) this.stats.timeouts++;
      else this.stats.connectionErrors++;
      return null;
    }
  }

  #backoff(): Promise<void> {
    return this.world.clock.sleep(1 + this.random.int(BACKOFF_MAX_MS));
  }

  /** Until the topic exists: the liveness phase waits for it too (only `close` ends the attempts). */
  async #createTopic(): Promise<void> {
    while (!this.#closed) {
      const response = await this.#request(this.random.pick(this.hosts), CREATE_TOPICS, 7, {
        topics: [{
          name: REPLICATED_TOPIC,
          numPartitions: this.options.partitions,
          replicationFactor: REPLICATION_FACTOR,
          assignments: [],
          configs: [{ name: "min.insync.replicas", value: String(MIN_INSYNC_REPLICAS) }],
        }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      const errorCode = response?.topics?.[0]?.errorCode;
      if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
        this.#created = true;
        this.stats.topicCreated = true;
        return;
      }
      await this.#backoff();
    }
  }

  /** Asks a random node for the topic's leaders. */
  async #refreshMetadata(): Promise<void> {
    this.stats.metadataRefreshes++;
    const response = await this.#request(this.random.pick(this.hosts), METADATA, 12, {
      topics: [{ topicId: new Uint8Array(16), name: REPLICATED_TOPIC }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const topic = response?.topics?.find((item: { name: string | null }) => item.name === REPLICATED_TOPIC);
    if (topic === undefined || topic.errorCode !== ErrorCode.NONE) return;
    for (const partition of topic.partitions) {
      const known = this.#leaders.get(partition.partitionIndex);
      // An answer from a node behind on metadata must not take a client back to an older leader.
      if (known !== undefined && known.leaderEpoch > partition.leaderEpoch) continue;
      this.#leaders.set(partition.partitionIndex, {
        leaderId: partition.leaderId,
        leaderEpoch: partition.leaderEpoch,
      });
    }
  }

  /** The leader to send to, refreshing metadata when none is known. */
  async #leaderOf(partition: number): Promise<LeaderInfo | null> {
    let leader = this.#leaders.get(partition);
    if (leader === undefined || leader.leaderId < 0) {
      await this.#refreshMetadata();
      leader = this.#leaders.get(partition);
    }
    return leader === undefined || leader.leaderId < 0 ? null : leader;
  }

  #refused(errorCode: number): void {
    const name = Object.entries(ErrorCode).find(([, code]) => code === errorCode)?.[0] ?? String(errorCode);
    this.stats.refusals[name] = (this.stats.refusals[name] ?? 0) + 1;
  }

  async #produce(name: string, settings: { acks: -1 | 1; idempotent: boolean }): Promise<void> {
    let producer: { id: number; epoch: number } | null = null;
    const sequences = new Map<number, number>();
    let batchNumber = 0;
    while (!this.#stopped) {
      await this.world.clock.sleep(1 + this.random.int(2 * this.options.thinkTimeMs));
      if (this.#stopped) return;
      if (settings.idempotent && producer === null) {
        producer = await this.#initProducerId();
        sequences.clear();
        continue;
      }
      const partition = this.random.int(this.options.partitions);
      const count = 1 + this.random.int(4);
      const baseSequence = sequences.get(partition) ?? 0;
      const batchId = `${name}.${++batchNumber}`;
      const batch = makeReplicatedBatch({
        random: this.random,
        batchId,
        count,
        timestampMs: this.world.clock.nowMs(),
        producer: producer === null ? null : { ...producer, baseSequence },
      });
      this.stats.batches++;
      const outcome = await this.#send(partition, settings, batch.bytes);
      if (outcome.kind === "acknowledged") {
        if (producer !== null) sequences.set(partition, baseSequence + count);
        if (settings.acks === -1) this.stats.acknowledgedAll++;
        else this.stats.acknowledgedOne++;
        this.observer.acknowledged({
          producer: name,
          acks: settings.acks,
          idempotent: settings.idempotent,
          partition,
          baseOffset: outcome.baseOffset,
          ids: batch.ids,
          sentAtMs: outcome.sentAtMs,
        });
      } else if (outcome.kind === "sequence-refused") {
        producer = null;
      } else {
        this.stats.abandoned++;
        // The batch may or may not be in the log: an idempotent producer cannot go on with its sequences.
        if (settings.idempotent) producer = null;
      }
    }
  }

  async #initProducerId(): Promise<{ id: number; epoch: number } | null> {
    const response = await this.#request(this.random.pick(this.hosts), INIT_PRODUCER_ID, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    });
    if (response === null || response.errorCode !== ErrorCode.NONE) {
      if (response !== null) this.#refused(response.errorCode);
      await this.#backoff();
      return null;
    }
    this.stats.newProducerIds++;
    return { id: response.producerId, epoch: response.producerEpoch };
  }

  /** Sends one batch until acknowledged, refused for good, or (a plain producer) out of attempts. */
  async #send(
    partition: number,
    settings: { acks: -1 | 1; idempotent: boolean },
    bytes: Uint8Array,
  ): Promise<SendOutcome> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      if (!settings.idempotent && attempt > this.options.attemptsMax) break;
      if (attempt > 1) {
        this.stats.retries++;
        await this.#backoff();
      }
      const leader = await this.#leaderOf(partition);
      if (leader === null) continue;
      const sentAtMs = this.observer.nowMs();
      const response = await this.#request(nodeHostName(leader.leaderId), PRODUCE, 9, {
        transactionalId: null,
        acks: settings.acks,
        timeoutMs: 5_000,
        topicData: [{ name: REPLICATED_TOPIC, partitionData: [{ index: partition, records: bytes }] }],
      });
      if (response === null) {
        this.#leaders.delete(partition);
        continue;
      }
      const answer = response.responses?.[0]?.partitionResponses?.[0];
      if (answer === undefined) continue;
      if (answer.errorCode === ErrorCode.NONE) {
        return { kind: "acknowledged", baseOffset: answer.baseOffset, sentAtMs };
      }
      this.#refused(answer.errorCode);
      if (settings.idempotent && SEQUENCE_REFUSALS.has(answer.errorCode)) return { kind: "sequence-refused" };
      if (!PRODUCE_RETRIABLE.has(answer.errorCode)) break;
      this.#leaders.delete(partition);
    }
    return { kind: "gave-up" };
  }

  async #consume(partition: number): Promise<void> {
    let position = 0;
    while (!this.#stopped) {
      const leader = await this.#leaderOf(partition);
      if (leader === null) {
        await this.#backoff();
        continue;
      }
      const host = nodeHostName(leader.leaderId);
      const response = await this.#request(host, FETCH, 12, {
        replicaId: -1,
        maxWaitMs: 200,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{
          topic: REPLICATED_TOPIC,
          partitions: [{
            partition,
            currentLeaderEpoch: leader.leaderEpoch,
            fetchOffset: position,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          }],
        }],
        forgottenTopicsData: [],
        rackId: "",
      });
      const answer = response?.responses?.[0]?.partitions?.[0];
      if (answer === undefined) {
        this.#leaders.delete(partition);
        await this.#backoff();
        continue;
      }
      if (answer.errorCode !== ErrorCode.NONE) {
        // Out of range: the log now ends below what was read (committed data lost, or a stale
        // leader); read again from the start, and the checker compares what comes back.
        if (answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) position = 0;
        this.#leaders.delete(partition);
        await this.#backoff();
        continue;
      }
      const next = this.#consumed(partition, answer.records, answer.highWatermark, position, host);
      // Nothing new (the fetch waited on the leader, or found nothing below the high watermark): pause a little.
      if (next === position) await this.#backoff();
      position = next;
    }
  }

  /** Hands the whole batches below the high watermark to the checker; returns the next position. */
  #consumed(
    partition: number,
    records: Uint8Array | null,
    highWatermark: number,
    position: number,
    host: string,
  ): number {
    if (records === null || records.length === 0) return position;
    for (const header of scanBatches(records).headers) {
      const last = header.baseOffset + header.lastOffsetDelta;
      if (last < position || last >= highWatermark) continue;
      this.stats.consumedBatches++;
      this.observer.consumed(
        partition,
        records.subarray(header.position, header.position + 12 + header.batchLength),
        host,
      );
      position = last + 1;
    }
    return position;
  }
}
