/**
 * The workload's connections to the nodes: one per node, opened on demand
 * and dropped when it breaks. A request unanswered within its timeout
 * closes its connection, as Kafka's clients do (every request in flight on
 * it fails, and the next one reconnects).
 */
import type { World } from "../../../src/io/mod.ts";
import { KafkaClient } from "../../clients/kafka_client.ts";
import type { RequestInputForKey, ResponseForKey } from "../../../src/protocol/mod.ts";

/** A request that got no answer in time. */
export class RequestTimeoutError extends Error {
  constructor(host: string, timeoutMs: number) {
    super(`no answer from ${host} within ${timeoutMs} ms`);
    this.name = "RequestTimeoutError";
  }
}

export class NodeConnections {
  readonly #clients = new Map<string, Promise<KafkaClient>>();

  constructor(private readonly world: World, private readonly port: number) {}

  /** Sends one request to `host`; throws on a broken connection or a timeout. */
  request<Key extends number>(
    host: string,
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
    timeoutMs: number,
  ): Promise<ResponseForKey<Key>> {
    const client = this.#client(host);
    return new Promise<ResponseForKey<Key>>((resolve, reject) => {
      const timer = this.world.clock.setTimer(timeoutMs, () => {
        this.#drop(host, client);
        reject(new RequestTimeoutError(host, timeoutMs));
      });
      client.then((open) => open.request(apiKey, version, body)).then(
        (answer) => {
          timer.cancel();
          resolve(answer);
        },
        (error) => {
          timer.cancel();
          this.#drop(host, client);
          reject(error);
        },
      );
    });
  }

  #client(host: string): Promise<KafkaClient> {
    let client = this.#clients.get(host);
    if (client === undefined) {
      client = KafkaClient.connect(this.world.net, host, this.port, { clientId: "cluster-sim" });
      this.#clients.set(host, client);
    }
    return client;
  }

  #drop(host: string, client: Promise<KafkaClient>): void {
    if (this.#clients.get(host) === client) this.#clients.delete(host);
    client.then((open) => open.close(), () => {});
  }

  close(): void {
    for (const [host, client] of this.#clients) this.#drop(host, client);
  }
}
