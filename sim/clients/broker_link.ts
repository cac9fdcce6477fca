/**
 * A workload client's connection to the node: connects on demand, times out
 * requests (dropping the connection, as Kafka's clients do, so that every
 * request in flight fails), and tells which incarnation of the node answered,
 * which the checkers need to know what may legitimately have changed.
 */
import type { World } from "../../src/io/mod.ts";
import type { Message, RequestInputForKey, ResponseForKey } from "../../src/protocol/mod.ts";
import { KafkaClient } from "./kafka_client.ts";
import { NetError, type SeededRandom, type SimConnection } from "../../src/io/sim/mod.ts";

/** Where and how a link connects. */
export interface LinkOptions {
  host: string;
  port: number;
  requestTimeoutMs: number;
  clientId: string;
  /**
   * Chance that an answer is lost on its way: the client sees the connection
   * break instead (every request in flight on it fails). The node did the
   * work, so a retry is a duplicate it must recognise.
   */
  answerLossProbability?: number;
  /** Draws the lost answers; required with answerLossProbability. */
  random?: SeededRandom;
}

/** How to send one request. */
export interface RequestOptions {
  /** Overrides the link's request timeout. */
  timeoutMs?: number;
  /** Learns which incarnation the request goes to, just before it is sent. */
  onSend?: (incarnation: number) => void;
}

/** An answer (typed by its API key when that is a literal) and the incarnation of the node that gave it. */
export interface LinkAnswer<Body = Message> {
  body: Body;
  incarnation: number;
}

/** A connection that reconnects on demand. */
export class BrokerLink {
  #client: KafkaClient | null = null;
  #incarnation = 0;
  #connecting: Promise<{ client: KafkaClient; incarnation: number }> | null = null;
  #connections = 0;

  constructor(private readonly world: World, private readonly options: LinkOptions) {}

  /** Connections made so far; a request sent on a new connection may be a retry the node must deduplicate. */
  get connections(): number {
    return this.#connections;
  }

  /** Sends a request on the current connection (connecting first if needed) and waits for its answer. */
  async request<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
    options: RequestOptions = {},
  ): Promise<LinkAnswer<ResponseForKey<Key>>> {
    const { client, incarnation } = await this.#connected();
    options.onSend?.(incarnation);
    const answer = client.request(apiKey, version, body);
    let timer: { cancel(): void } | null = null;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.world.clock.setTimer(options.timeoutMs ?? this.options.requestTimeoutMs, () => {
        // Dropping the connection fails every request in flight on it, as a real client's timeout does.
        client.close();
        reject(new NetError(`request ${apiKey} v${version} timed out`, "ETIMEDOUT"));
      });
    });
    try {
      const answered = await Promise.race([answer, timeout]);
      if (this.options.random?.chance(this.options.answerLossProbability ?? 0)) {
        client.close();
        throw new NetError(`answer to request ${apiKey} v${version} lost`, "ECONNRESET");
      }
      return { body: answered, incarnation };
    } finally {
      (timer as { cancel(): void } | null)?.cancel();
    }
  }

  /** Sends a request that gets no answer (Produce with acks=0); resolves to the incarnation it went to. */
  async send<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
  ): Promise<number> {
    const { client, incarnation } = await this.#connected();
    await client.send(apiKey, version, body);
    return incarnation;
  }

  /** Drops the connection; requests in flight fail. */
  close(): void {
    this.#client?.close();
    this.#client = null;
  }

  #connected(): Promise<{ client: KafkaClient; incarnation: number }> {
    const client = this.#client;
    if (client !== null && client.failure === null) {
      return Promise.resolve({ client, incarnation: this.#incarnation });
    }
    this.#client = null;
    this.#connecting ??= this.#connect().finally(() => this.#connecting = null);
    return this.#connecting;
  }

  async #connect(): Promise<{ client: KafkaClient; incarnation: number }> {
    const connection = await this.world.net.connect({ host: this.options.host, port: this.options.port });
    // The simulator's connections know the incarnation that accepted them.
    const incarnation = (connection as SimConnection).peer.owner?.number ?? 0;
    const client = new KafkaClient(connection, { clientId: this.options.clientId });
    this.#client = client;
    this.#incarnation = incarnation;
    this.#connections++;
    return { client, incarnation };
  }
}
