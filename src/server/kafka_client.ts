/**
 * A minimal Kafka client over any `Net`: it sends requests and matches
 * responses. Nodes use it to talk to each other (Raft messages, requests
 * forwarded to the active controller); the simulator's workloads and raw
 * protocol tests use it as a client.
 *
 * Requests are pipelined: many may be in flight on one connection. Kafka
 * answers them in the order they were sent, so the client checks that every
 * response carries the correlation id of the oldest request in flight, and
 * treats anything else as a broken connection.
 */
import type { Connection, Net } from "../io/mod.ts";
import {
  decodeResponse,
  encodeRequest,
  type Message,
  ProtocolError,
  type RequestInputForKey,
  type ResponseForKey,
} from "../protocol/mod.ts";
import { FrameReader } from "./frame_reader.ts";

/** Why a client stopped: it was closed, or the peer closed the connection. */
export class ClientClosedError extends Error {
  constructor(message: string, readonly code: "ECANCELED" | "ECONNRESET") {
    super(message);
    this.name = "ClientClosedError";
  }
}

/** Options of a `KafkaClient`. */
export interface KafkaClientOptions {
  /** The client id sent in every request header. */
  clientId?: string | null;
  /** Largest response frame accepted. */
  maxFrameBytes?: number;
  /** Size of the buffer each socket read fills. */
  readBufferBytes?: number;
}

const CORRELATION_ID_MAX = 0x7fff_ffff;

interface InFlight {
  correlationId: number;
  apiKey: number;
  version: number;
  resolve: (body: Message) => void;
  reject: (error: unknown) => void;
}

/** One connection to a broker, speaking the Kafka protocol. */
export class KafkaClient {
  readonly #inFlight: InFlight[] = [];
  readonly #clientId: string | null;
  #nextCorrelationId = 1;
  /** Writes are chained so that two requests never interleave their bytes on the socket. */
  #writes: Promise<void> = Promise.resolve();
  #failure: unknown = null;

  /** Wraps an open connection and starts reading responses from it. */
  constructor(private readonly connection: Connection, options: KafkaClientOptions = {}) {
    this.#clientId = options.clientId === undefined ? "dafka-sim" : options.clientId;
    void this.#readLoop(options.maxFrameBytes ?? 100 * 1024 * 1024, options.readBufferBytes ?? 64 * 1024);
  }

  /** Connects to `host:port` through `net`. */
  static async connect(
    net: Net,
    host: string,
    port: number,
    options?: KafkaClientOptions,
  ): Promise<KafkaClient> {
    return new KafkaClient(await net.connect({ host, port }), options);
  }

  /** Requests sent and not yet answered. */
  get inFlightCount(): number {
    return this.#inFlight.length;
  }

  /** Why the client stopped working, or null while it works. */
  get failure(): unknown {
    return this.#failure;
  }

  /**
   * Sends a request and resolves to the decoded response body; both are typed
   * by the API's schema when `apiKey` is a literal key, untyped otherwise.
   */
  request<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
  ): Promise<ResponseForKey<Key>> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const correlationId = this.#takeCorrelationId();
    const bytes = encodeRequest(
      { apiKey, apiVersion: version, correlationId, clientId: this.#clientId },
      body,
    );
    return new Promise<ResponseForKey<Key>>((resolve, reject) => {
      // The response is decoded with this request's API key, so it is the type `Key` names.
      const resolveAny = resolve as (body: Message) => void;
      this.#inFlight.push({ correlationId, apiKey, version, resolve: resolveAny, reject });
      this.#write(bytes).catch(() => {});
    });
  }

  /** Sends a request that gets no response (Produce with acks=0); resolves once written. */
  send<Key extends number>(apiKey: Key, version: number, body: RequestInputForKey<Key>): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const correlationId = this.#takeCorrelationId();
    return this.#write(
      encodeRequest({ apiKey, apiVersion: version, correlationId, clientId: this.#clientId }, body),
    );
  }

  /** Closes the connection; requests in flight fail. */
  close(): void {
    this.#fail(new ClientClosedError("client closed", "ECANCELED"));
  }

  #takeCorrelationId(): number {
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = correlationId === CORRELATION_ID_MAX ? 0 : correlationId + 1;
    return correlationId;
  }

  #write(bytes: Uint8Array): Promise<void> {
    const written = this.#writes.then(() => this.connection.write(bytes));
    this.#writes = written.catch((error) => this.#fail(error));
    return written;
  }

  async #readLoop(maxFrameBytes: number, readBufferBytes: number): Promise<void> {
    const frames = new FrameReader(maxFrameBytes);
    const buffer = new Uint8Array(readBufferBytes);
    try {
      while (this.#failure === null) {
        const count = await this.connection.read(buffer);
        if (count === null) {
          return this.#fail(new ClientClosedError("connection closed by the broker", "ECONNRESET"));
        }
        frames.push(buffer.subarray(0, count));
        for (let frame = frames.next(); frame !== null; frame = frames.next()) this.#onFrame(frame);
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #onFrame(frame: Uint8Array): void {
    const expected = this.#inFlight.shift();
    if (expected === undefined) throw new ProtocolError("a response arrived with no request in flight");
    if (frame.length < 4) throw new ProtocolError(`response frame of ${frame.length} bytes`);
    const correlationId = new DataView(frame.buffer, frame.byteOffset).getInt32(0);
    if (correlationId !== expected.correlationId) {
      // Put it back so that #fail rejects it with the others.
      this.#inFlight.unshift(expected);
      throw new ProtocolError(
        `response out of order: expected correlation id ${expected.correlationId}, got ${correlationId}`,
      );
    }
    let body: Message;
    try {
      body = decodeResponse(expected.apiKey, expected.version, frame).body;
    } catch (error) {
      // The frame boundary is known, so the stream stays usable; only this request fails.
      expected.reject(error);
      return;
    }
    expected.resolve(body);
  }

  #fail(error: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    for (const pending of this.#inFlight.splice(0)) pending.reject(error);
    this.connection.close();
  }
}
