/**
 * KIP-951 leader hints: a Produce (v10+) or Fetch (v16+) answer that tells a
 * client it asked the wrong broker also names the partition's current leader
 * and epoch, and the response carries that leader's endpoint, so the client
 * moves to it without a Metadata round trip (Kafka's getCurrentLeader).
 *
 * The leader and epoch come from the image this node applied (the local
 * partition's role is set from the same image). The endpoint is the leader's
 * on the listener the request came in on, as Metadata lists brokers; a leader
 * that is fenced, unknown or -1 gets no endpoint, only its id and epoch.
 */
import type { BrokerEndpoint } from "../../../metadata/mod.ts";
import type { NodeServices } from "../../handler.ts";

export interface CurrentLeader {
  leaderId: number;
  leaderEpoch: number;
}

/** Collects the leaders named in one response and their endpoints. */
export class LeaderHints {
  readonly #endpoints = new Map<number, BrokerEndpoint>();
  #live: BrokerEndpoint[] | null = null;

  constructor(private readonly services: NodeServices, private readonly listenerName: string) {}

  /** The current leader of `topic`-`partition` (-1, -1 when the image has no such partition). */
  currentLeader(topic: string, partition: number): CurrentLeader {
    const state = this.services.metadata.image.topicsByName.get(topic)?.partitions[partition];
    if (state === undefined) return { leaderId: -1, leaderEpoch: -1 };
    if (state.leader >= 0) {
      this.#live ??= this.services.metadata.brokerEndpoints(this.listenerName);
      const endpoint = this.#live.find((candidate) => candidate.nodeId === state.leader);
      if (endpoint !== undefined) this.#endpoints.set(endpoint.nodeId, endpoint);
    }
    return { leaderId: state.leader, leaderEpoch: state.leaderEpoch };
  }

  /** The endpoints of the leaders named so far, by node id (the response's `nodeEndpoints`). */
  nodeEndpoints(): BrokerEndpoint[] {
    return [...this.#endpoints.values()].sort((left, right) => left.nodeId - right.nodeId);
  }
}
