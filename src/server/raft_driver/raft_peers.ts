/**
 * Raft requests to the other voters, over Kafka's wire protocol: one
 * connection per peer (NodeClients: dropped on any failure and opened
 * again by the next request), the core's correlation ids carried
 * through, and each response handed back to the core as an envelope.
 *
 * Lost messages are the core's business: an unanswered request times out
 * there and is retried, so a failed connection simply drops what it held.
 */
import type { Net } from "../../io/mod.ts";
import { API_SCHEMAS, parseRange } from "../../protocol/mod.ts";
import type { VoterAddress } from "../../config/mod.ts";
import { type RaftEnvelope, responseFromWire, toWire } from "../../raft/mod.ts";
import { NodeClients } from "./node_clients.ts";

export class RaftPeers {
  readonly #clients: NodeClients;
  #receive: (envelope: RaftEnvelope) => void = () => {};
  #closed = false;

  constructor(net: Net, private readonly nodeId: number, addresses: ReadonlyMap<number, VoterAddress>) {
    this.#clients = new NodeClients(net, addresses, `dafka-raft-${nodeId}`);
  }

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
    const client = this.#clients.get(peer);
    client
      .then((client) => client.request(apiKey, version, body))
      .then((response) => responseFromWire(apiKey, version, response), () => {
        this.#clients.drop(peer, client);
        return null;
      })
      // Outside the catch above: a failure of the core itself must not pass for a lost message.
      .then((decoded) => {
        if (decoded === null || this.#closed) return;
        this.#receive({ from: peer, to: this.nodeId, correlationId: envelope.correlationId, body: decoded });
      });
  }

  close(): void {
    this.#closed = true;
    this.#clients.close();
  }
}
