/**
 * Raft requests to the other voters, over Kafka's wire protocol: one
 * connection per peer (NodeClients: dropped on any failure and opened
 * again by the next request), the core's correlation ids carried
 * through, and each response handed back to the core as an envelope.
 *
 * Lost messages are the core's business: an unanswered request times out
 * there and is retried, so a failed connection simply drops what it held.
 *
 * The address book is shared and live: a dynamic quorum's voters come and
 * go, and the NodeEndpoints of a Fetch response (where the leader it names
 * is) go into it, so that an observer that asked a bootstrap server
 * reaches the leader next.
 */
import type { Net } from "../../io/mod.ts";
import { API_SCHEMAS, type Message, parseRange } from "../../protocol/mod.ts";
import type { VoterAddress } from "../../config/mod.ts";
import { type RaftEnvelope, responseFromWire, toWire } from "../../raft/mod.ts";
import { NodeClients } from "./node_clients.ts";

export class RaftPeers {
  readonly #clients: NodeClients;
  #receive: (envelope: RaftEnvelope) => void = () => {};
  #closed = false;

  constructor(
    net: Net,
    private readonly nodeId: number,
    private readonly addresses: Map<number, VoterAddress>,
  ) {
    this.#clients = new NodeClients(net, addresses, `dafka-raft-${nodeId}`);
  }

  /** Notes the endpoints a response carries for nodes whose address is not known yet. */
  #learnEndpoints(response: Message): void {
    const endpoints = response.nodeEndpoints;
    if (!Array.isArray(endpoints)) return;
    for (const endpoint of endpoints as { nodeId: number; host: string; port: number }[]) {
      if (endpoint.nodeId < 0 || endpoint.nodeId === this.nodeId || this.addresses.has(endpoint.nodeId)) {
        continue;
      }
      this.addresses.set(endpoint.nodeId, {
        nodeId: endpoint.nodeId,
        host: endpoint.host,
        port: endpoint.port,
      });
    }
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
      .then((response) => {
        this.#learnEndpoints(response);
        return responseFromWire(apiKey, version, response);
      }, () => {
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
