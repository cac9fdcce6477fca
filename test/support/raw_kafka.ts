/**
 * Raw Kafka protocol against a real node: the simulator's KafkaClient over
 * real TCP (DenoNet), a byte-level connection for malformed input, and small
 * request helpers (produce one batch, fetch a partition's records).
 */
import { DenoNet } from "../../src/io/mod.ts";
import {
  buildBatch,
  Compression,
  decodeBatches,
  type RecordInput,
  type ResponseOf,
} from "../../src/protocol/mod.ts";
import type { produce } from "../../src/protocol/messages/mod.ts";
import { KafkaClient } from "../../sim/clients/kafka_client.ts";

/** The answer for one partition of a Produce request. */
type ProducedPartition = ResponseOf<typeof produce>["responses"][number]["partitionResponses"][number];

/** Opens a KafkaClient to a node on 127.0.0.1. */
export function connectClient(port: number, host = "127.0.0.1"): Promise<KafkaClient> {
  return KafkaClient.connect(new DenoNet(), host, port, { clientId: "dafka-test" });
}

/** What one read of a raw connection saw. */
export type ReadOutcome =
  | { kind: "frame"; frame: Uint8Array }
  | { kind: "closed" }
  | { kind: "timeout" };

/**
 * A TCP connection that writes arbitrary bytes and reads whole response
 * frames (size prefix removed), to see how the node treats malformed input.
 */
export class RawConnection {
  #buffer = new Uint8Array(0);
  #closed = false;
  #pendingRead: Promise<number | null> | null = null;
  readonly #chunk = new Uint8Array(64 * 1024);

  private constructor(private readonly connection: Deno.TcpConn) {}

  /** Connects to a node on 127.0.0.1. */
  static async open(port: number): Promise<RawConnection> {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    connection.setNoDelay(true);
    return new RawConnection(connection);
  }

  /** Writes all of `bytes`; false if the node has closed the connection. */
  async write(bytes: Uint8Array): Promise<boolean> {
    try {
      let written = 0;
      while (written < bytes.length) written += await this.connection.write(bytes.subarray(written));
      return true;
    } catch {
      return false;
    }
  }

  /** The next response frame, or whether the node closed the connection or stayed silent for `timeoutMs`. */
  async read(timeoutMs: number): Promise<ReadOutcome> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const frame = this.#takeFrame();
      if (frame) return { kind: "frame", frame };
      if (this.#closed) return { kind: "closed" };
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) return { kind: "timeout" };
      // A read that times out stays pending and is reused by the next call, so no bytes are lost.
      this.#pendingRead ??= this.connection.read(this.#chunk).catch(() => null);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((
        resolve,
      ) => (timer = setTimeout(() => resolve("timeout"), remainingMs)));
      const count = await Promise.race([this.#pendingRead, timeout]);
      clearTimeout(timer);
      if (count === "timeout") return { kind: "timeout" };
      this.#pendingRead = null;
      if (count === null) {
        this.#closed = true;
        continue;
      }
      const grown = new Uint8Array(this.#buffer.length + count);
      grown.set(this.#buffer);
      grown.set(this.#chunk.subarray(0, count), this.#buffer.length);
      this.#buffer = grown;
    }
  }

  #takeFrame(): Uint8Array | null {
    if (this.#buffer.length < 4) return null;
    const size = new DataView(this.#buffer.buffer, this.#buffer.byteOffset).getInt32(0);
    if (this.#buffer.length < 4 + size) return null;
    const frame = this.#buffer.slice(4, 4 + size);
    this.#buffer = this.#buffer.slice(4 + size);
    return frame;
  }

  /** Closes the connection; waits for a read left pending so no promise outlives the test. */
  async close(): Promise<void> {
    try {
      this.connection.close();
    } catch {
      // Already closed.
    }
    if (this.#pendingRead) await this.#pendingRead;
    this.#pendingRead = null;
  }
}

/** Throws unless a response's error code is as expected. */
export function expectErrorCode(actual: unknown, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what}: error code ${actual}, expected ${expected}`);
}

/** Creates topics with CreateTopics v7; returns each topic's error code by name. */
export async function createTopics(
  client: KafkaClient,
  topics: {
    name: string;
    partitions?: number;
    replicationFactor?: number;
    configs?: Record<string, string>;
  }[],
): Promise<Map<string, number>> {
  const response = await client.request(19, 7, {
    topics: topics.map((topic) => ({
      name: topic.name,
      numPartitions: topic.partitions ?? 1,
      replicationFactor: topic.replicationFactor ?? 1,
      assignments: [],
      configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: 10000,
    validateOnly: false,
  });
  return new Map(
    response.topics.map((topic) => [topic.name, topic.errorCode]),
  );
}

/** What produceBatch sends besides the records. */
export interface ProduceOptions {
  topic: string;
  partition?: number;
  records: RecordInput[];
  compression?: Compression;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  acks?: number;
  /** Changes the built batch before it is sent (to corrupt it). */
  mutate?: (batch: Uint8Array) => void;
}

/** Produces one v2 batch with Produce v9; returns the partition's response. */
export async function produceBatch(client: KafkaClient, options: ProduceOptions): Promise<ProducedPartition> {
  const batch = buildBatch({
    records: options.records,
    compression: options.compression,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: options.baseSequence,
  });
  options.mutate?.(batch);
  const response = await client.request(0, 9, {
    transactionalId: null,
    acks: options.acks ?? -1,
    timeoutMs: 10000,
    topicData: [{ name: options.topic, partitionData: [{ index: options.partition ?? 0, records: batch }] }],
  });
  const partition = response.responses[0]!.partitionResponses[0]!;
  return partition;
}

/** A record as fetched: offset, timestamp, and key / value / headers as text. */
export interface FetchedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

const decoder = new TextDecoder();
const text = (bytes: Uint8Array | null) => (bytes === null ? null : decoder.decode(bytes));

/**
 * Fetches a partition from `fetchOffset` until its high watermark with Fetch
 * v12 (topic names, no session), decoding every batch.
 */
export async function fetchAll(
  client: KafkaClient,
  topic: string,
  partition = 0,
  fetchOffset = 0,
): Promise<{ records: FetchedRecord[]; highWatermark: number; errorCode: number }> {
  const records: FetchedRecord[] = [];
  let next = fetchOffset;
  for (let round = 0; round < 1000; round++) {
    const response = await client.request(1, 12, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 8 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, fetchOffset: next, partitionMaxBytes: 4 * 1024 * 1024 }] }],
      forgottenTopicsData: [],
      rackId: "",
    });
    const data = response.responses[0]!.partitions[0]!;
    const highWatermark = data.highWatermark;
    if (data.errorCode !== 0 || next >= highWatermark) {
      return { records, highWatermark, errorCode: data.errorCode };
    }
    const bytes = (data.records as Uint8Array | null) ?? new Uint8Array(0);
    const before = next;
    for (const batch of decodeBatches(bytes)) {
      for (const record of batch.records) {
        if (record.offset < next) continue;
        records.push({
          offset: record.offset,
          timestamp: record.timestamp,
          key: text(record.key),
          value: text(record.value),
          headers: record.headers.map((header) => [decoder.decode(header.key), text(header.value)]),
        });
        next = record.offset + 1;
      }
      next = Math.max(next, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
    }
    if (next === before) throw new Error(`fetch of ${topic}-${partition} at ${next} made no progress`);
  }
  throw new Error(`fetch of ${topic}-${partition} did not reach the high watermark`);
}

/** Text records for buildBatch, with CreateTime timestamps starting at `firstTimestampMs`. */
export function textRecords(prefix: string, count: number, firstTimestampMs: number): RecordInput[] {
  const encoder = new TextEncoder();
  return Array.from({ length: count }, (_, index) => ({
    timestamp: firstTimestampMs + index,
    key: index % 3 === 0 ? null : encoder.encode(`${prefix}-key-${index}`),
    value: index % 7 === 6 ? null : encoder.encode(`${prefix}-value-${index}`),
    headers: index % 4 === 0 ? [{ key: encoder.encode("h"), value: encoder.encode(`${index}`) }] : [],
  }));
}
