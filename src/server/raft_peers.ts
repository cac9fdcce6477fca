/**
 * Raft requests to the other voters, over Kafka's wire protocol: one
 * connection per peer (opened on first use, dropped on any failure and
 * opened again by the next request), the core's correlation ids carried
 * through, and each response handed back to the core as an envelope.
 *
 * Lost messages are the core's business: an unanswered request times out
 * there and is retried, so a failed connection simply drops what it held.
 */
import type { Net } from "../io/types.ts";
import { API_SCHEMAS } from "../protocol/apis.ts";
import { parseRange } from "../protocol/schema.ts";
import type { VoterAddress } from "../config/quorum_config.ts";
import type { RaftEnvelope } from "../raft/messages.ts";
import { responseFromWire, toWire } from "../raft/wire.ts";
import { KafkaClient } from "./kafka_client.ts";

export class RaftPeers {
  readonly #clients = new Map<number, Promise<KafkaClient>>();
  #receive: (envelope: RaftEnvelope) => void = () => {};
  #closed = false;

  constructor(
    private readonly net: Net,
    private readonly nodeId: number,
    private readonly addresses: ReadonlyMap<number, VoterAddress>,
  ) {}

  /** Where responses go (the quorum's core). */
  setReceiver(receive: (envelope: RaftEnvelope) => void): void {
    this.#receive = receive;
  }

  /** Sends a request envelope to its `to` node. */
  send(envelope: RaftEnvelope): void {
    if (this.#closed) return;
    const { apiKey, body } = toWire(envelope.body);
    const version = parseRange(API_SCHEMAS.get(apiKey)!.versions).max;
    const peer = envelope.to;
    const client = this.#client(peer);
    client
      .then((client) => client.request(apiKey, version, body))
      .then((response) => responseFromWire(apiKey, version, response), () => {
        this.#drop(peer, client);
        return null;
      })
      // Outside the catch above: a failure of the core itself must not pass for a lost message.
      .then((decoded) => {
        if (decoded === null || this.#closed) return;
        this.#receive({ from: peer, to: this.nodeId, correlationId: envelope.correlationId, body: decoded });
      });
  }

  #client(peer: number): Promise<KafkaClient> {
    let client = this.#clients.get(peer);
    if (client === undefined) {
      const address = this.addresses.get(peer);
      if (address === undefined) return Promise.reject(new Error(`no address for voter ${peer}`));
      client = KafkaClient.connect(this.net, address.host, address.port, {
        clientId: `dafka-raft-${this.nodeId}`,
      });
      this.#clients.set(peer, client);
      const opening = client;
      opening.catch(() => this.#drop(peer, opening));
    }
    return client;
  }

  /** Forgets a failed connection (unless a newer one replaced it already). */
  #drop(peer: number, client: Promise<KafkaClient>): void {
    if (this.#clients.get(peer) === client) this.#clients.delete(peer);
    client.then((open) => open.close(), () => {});
  }

  close(): void {
    this.#closed = true;
    for (const [peer, client] of [...this.#clients]) this.#drop(peer, client);
  }
}
