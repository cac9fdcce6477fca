/**
 * Connections from this node to the other controllers, one per node id,
 * opened on first use. A connection that failed (or holds a request that
 * was given up on) is dropped, and the next use opens a new one. Raft
 * messages (RaftPeers) and forwarded controller requests (ControllerChannel)
 * each keep their own pool, so a slow forward never delays a vote.
 */
import type { VoterAddress } from "../../config/mod.ts";
import type { Net } from "../../io/mod.ts";
import { KafkaClient } from "../kafka_client.ts";

export class NodeClients {
  readonly #clients = new Map<number, Promise<KafkaClient>>();

  constructor(
    private readonly net: Net,
    private readonly addresses: ReadonlyMap<number, VoterAddress>,
    private readonly clientId: string,
  ) {}

  /** The connection to `nodeId` (rejects when its address is unknown or the connect fails). */
  get(nodeId: number): Promise<KafkaClient> {
    let client = this.#clients.get(nodeId);
    if (client === undefined) {
      const address = this.addresses.get(nodeId);
      if (address === undefined) return Promise.reject(new Error(`no address for node ${nodeId}`));
      const opening = KafkaClient.connect(this.net, address.host, address.port, { clientId: this.clientId });
      opening.catch(() => this.drop(nodeId, opening));
      this.#clients.set(nodeId, client = opening);
    }
    return client;
  }

  /** Forgets `client` (unless a newer connection replaced it already) and closes it. */
  drop(nodeId: number, client: Promise<KafkaClient>): void {
    if (this.#clients.get(nodeId) === client) this.#clients.delete(nodeId);
    client.then((open) => open.close(), () => {});
  }

  close(): void {
    for (const [nodeId, client] of [...this.#clients]) this.drop(nodeId, client);
  }
}
