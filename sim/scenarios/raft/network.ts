/**
 * A message-level network for Raft nodes, on the simulation's scheduler:
 * each message arrives after a seeded latency, or is lost, duplicated, or
 * held back long enough to overtake later ones. Links can be cut one way
 * (asymmetric partitions) or both; a cut link loses what is sent over it
 * and what is in flight when it arrives.
 *
 * Raft needs nothing of TCP but delivery of whole messages, so this model
 * skips connections and framing (the Kafka-protocol simulation in sim/
 * covers those) and spends the simulation's time on the protocol.
 */
import type { RaftEnvelope } from "../../../src/raft/mod.ts";
import type { Scheduler, SeededRandom } from "../../../src/io/sim/mod.ts";
import type { RaftSimOptions } from "./options.ts";

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

export class RaftNetwork {
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  /** Cut links, as "from>to". */
  readonly #cut = new Set<string>();
  /** Whether the faults of the safety phase apply (loss, duplication, long delays). */
  faulty = true;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: SeededRandom,
    private readonly options: RaftSimOptions["network"],
    /** Hands a message to its destination (which may be down: then it is lost). */
    private readonly deliver: (message: RaftEnvelope) => void,
  ) {}

  /** Cuts the link from `from` to `to` (one way). */
  cut(from: number, to: number): void {
    this.#cut.add(`${from}>${to}`);
  }

  /** Cuts both ways. */
  cutBoth(left: number, right: number): void {
    this.cut(left, right);
    this.cut(right, left);
  }

  healAll(): void {
    this.#cut.clear();
  }

  isCut(from: number, to: number): boolean {
    return this.#cut.has(`${from}>${to}`);
  }

  /** Cut links as "from>to", for logs. */
  cutLinks(): string[] {
    return [...this.#cut].sort();
  }

  send(message: RaftEnvelope): void {
    this.stats.sent++;
    const random = this.random;
    if (this.faulty && random.chance(this.options.dropProbability)) {
      this.stats.dropped++;
      return;
    }
    const copies = this.faulty && random.chance(this.options.duplicateProbability) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let copy = 0; copy < copies; copy++) {
      this.scheduler.schedule(this.#latencyMs(), () => this.#arrive(message));
    }
  }

  #latencyMs(): number {
    const { minLatencyMs, maxLatencyMs, longDelayProbability, longDelayMaxMs } = this.options;
    const base = this.random.range(minLatencyMs, Math.max(minLatencyMs, maxLatencyMs));
    if (this.faulty && this.random.chance(longDelayProbability)) {
      return base + this.random.int(longDelayMaxMs + 1);
    }
    return base;
  }

  #arrive(message: RaftEnvelope): void {
    if (this.isCut(message.from, message.to)) {
      this.stats.dropped++;
      return;
    }
    this.stats.delivered++;
    this.deliver(message);
  }
}
