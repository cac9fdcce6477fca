/**
 * The requests the disk-fault workload makes, over one `KafkaClient`:
 * create its topic, produce one batch, read a partition whole, ask for its
 * earliest and latest offsets, delete records. Each is bounded in virtual
 * time; a broken connection or an unanswered request is reported as null so
 * that the workload reconnects.
 */
import type { World } from "../../../src/io/mod.ts";
import {
  buildBatch,
  type Compression,
  decodeBatches,
  ErrorCode,
  lastOffset,
  type RequestInputForKey,
  type ResponseForKey,
} from "../../../src/protocol/mod.ts";
import { KafkaClient } from "../../clients/kafka_client.ts";
import type { SimCluster } from "../../../src/io/sim/mod.ts";

const PRODUCE = 0;
const FETCH = 1;
const LIST_OFFSETS = 2;
const CREATE_TOPICS = 19;
const DELETE_RECORDS = 21;
/** Virtual time one request may take before the workload gives up on the connection. */
const REQUEST_MAX_MS = 30_000;
const SCAN_FETCHES_MAX = 10_000;

/** A record as the workload knows it: its offset and value. */
export interface SimpleRecord {
  offset: number;
  value: string;
}

/** A connection to the node that the workload drives step by step under the scheduler. */
export class DiskFaultClient {
  #client: KafkaClient | null = null;

  constructor(
    private readonly cluster: SimCluster,
    private readonly world: World,
    private readonly address: { host: string; port: number },
  ) {}

  /** Drops the connection (the node went down); the next request connects again. */
  reset(): void {
    this.#client?.close();
    this.#client = null;
  }

  async #request<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
  ): Promise<ResponseForKey<Key> | null> {
    try {
      this.#client ??= await this.cluster.scheduler.runUntilSettled(
        KafkaClient.connect(this.world.net, this.address.host, this.address.port),
        { maxVirtualMs: REQUEST_MAX_MS },
      );
      return await this.cluster.scheduler.runUntilSettled(this.#client.request(apiKey, version, body), {
        maxVirtualMs: REQUEST_MAX_MS,
      });
    } catch {
      this.reset();
      return null;
    }
  }

  /** Creates `topic`; returns the error code, or null without an answer. */
  async createTopic(topic: string, partitions: number, configs: [string, string][]): Promise<number | null> {
    const body = await this.#request(CREATE_TOPICS, 7, {
      topics: [{
        name: topic,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: configs.map(([name, value]) => ({ name, value })),
      }],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    return body === null ? null : body.topics[0]!.errorCode;
  }

  /** Produces one batch of `values` (acks=all); returns the error code and base offset, or null. */
  async produce(
    topic: string,
    partition: number,
    values: string[],
    compression: Compression,
  ): Promise<{ errorCode: number; baseOffset: number } | null> {
    const encoder = new TextEncoder();
    const records = buildBatch({
      compression,
      records: values.map((value) => ({
        timestamp: this.world.clock.nowMs(),
        key: null,
        value: encoder.encode(value),
      })),
    });
    const body = await this.#request(PRODUCE, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    });
    const answer = body?.responses[0]?.partitionResponses[0];
    return answer === undefined ? null : { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
  }

  /** ListOffsets for -2 (earliest) or -1 (latest); returns the error code and offset, or null. */
  async listOffset(topic: string, partition: number, timestamp: -1 | -2) {
    const body = await this.#request(LIST_OFFSETS, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{
        name: topic,
        partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }],
      }],
    });
    const answer = body?.topics[0]?.partitions[0];
    return answer === undefined ? null : { errorCode: answer.errorCode, offset: answer.offset };
  }

  /** One fetch at `offset`; returns the error code, log start and records, or null. */
  async fetch(topic: string, partition: number, offset: number) {
    const body = await this.#request(FETCH, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        topic,
        partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }],
      }],
      forgottenTopicsData: [],
      rackId: "",
    });
    const answer = body?.responses[0]?.partitions[0];
    if (answer === undefined) return null;
    const decoder = new TextDecoder();
    const batches = decodeBatches(answer.records ?? new Uint8Array(0));
    return {
      errorCode: answer.errorCode,
      logStartOffset: answer.logStartOffset,
      highWatermark: answer.highWatermark,
      nextOffset: batches.length === 0 ? offset : lastOffset(batches[batches.length - 1]!.header) + 1,
      records: batches.flatMap((batch) =>
        batch.records.map((record) => ({
          offset: record.offset,
          value: decoder.decode(record.value ?? new Uint8Array()),
        }))
      ),
    };
  }

  /**
   * Reads [from, to) whole; returns the records and where the log started
   * when the read ended (retention may move it meanwhile: the read then
   * skips to the new start), or a description of what went wrong.
   */
  async readRange(
    topic: string,
    partition: number,
    from: number,
    to: number,
  ): Promise<{ records: SimpleRecord[]; logStartOffset: number } | string> {
    const records: SimpleRecord[] = [];
    let offset = from;
    let logStartOffset = from;
    for (let fetches = 0; offset < to; fetches++) {
      if (fetches >= SCAN_FETCHES_MAX) return `reading ${from}-${to} took over ${SCAN_FETCHES_MAX} fetches`;
      const answer = await this.fetch(topic, partition, offset);
      if (answer === null) return `no answer to a fetch at ${offset}`;
      if (answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && answer.logStartOffset > offset) {
        offset = logStartOffset = answer.logStartOffset;
        continue;
      }
      if (answer.errorCode !== ErrorCode.NONE) return `fetch at ${offset}: error ${answer.errorCode}`;
      if (answer.nextOffset <= offset) return `fetch at ${offset} below ${to} returned nothing`;
      records.push(...answer.records.filter((record) => record.offset >= offset && record.offset < to));
      offset = answer.nextOffset;
    }
    return { records, logStartOffset };
  }

  /** DeleteRecords (v0-2) up to `offset`; returns the error code and low watermark, or null. */
  async deleteRecords(topic: string, partition: number, offset: number, version = 2) {
    const body = await this.#request(DELETE_RECORDS, version, {
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, offset }] }],
      timeoutMs: 30_000,
    });
    const answer = body?.topics[0]?.partitions[0];
    return answer === undefined ? null : { errorCode: answer.errorCode, lowWatermark: answer.lowWatermark };
  }
}
