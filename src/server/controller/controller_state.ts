/**
 * What the active controller keeps in memory beside the image, as Kafka's
 * does: when each broker last heartbeated (its session), and the first
 * steps of a new active controller (finalize metadata.version in a new
 * cluster; give every broker a fresh session, so that a failover does not
 * fence brokers that were heartbeating to the old controller).
 *
 * A timer checks the sessions every `broker.heartbeat.interval.ms / 2` and
 * fences brokers silent for `broker.session.timeout.ms`, moving their
 * partition leaderships away (see metadata/broker_decisions.ts).
 *
 * With `auto.leader.rebalance.enable` (Kafka's default, on), another timer
 * every `leader.imbalance.check.interval.seconds` moves leaderships back to
 * preferred replicas (the first of each partition's replicas, when in the ISR
 * and active), at most MAX_ELECTIONS_PER_REBALANCE per round, with further
 * rounds at once until none is left, as Kafka's QuorumController does. Like
 * Kafka's KRaft controller it does not read
 * `leader.imbalance.per.broker.percentage`: any imbalanced partition counts.
 */
import type { Clock, Timer } from "../../io/mod.ts";
import {
  decideFenceBroker,
  type ElectionSettings,
  ELR_FEATURE,
  isRefusal,
  MAX_ELECTIONS_PER_REBALANCE,
  type MetadataImage,
  type MetadataRecord,
  MetadataRecordType,
  preferredLeaderElections,
} from "../../metadata/mod.ts";
import type { ControllerChannel } from "./controller_channel.ts";
import type { MetadataQuorum } from "../raft_driver/mod.ts";

/** The metadata.version Dafka's records correspond to (Kafka 3.9's level). */
export const METADATA_VERSION_LEVEL = 21;

/** The level of `eligible.leader.replicas.version` a new cluster starts with: ELR on, as Kafka 4.1 formats. */
export const ELR_VERSION_LEVEL = 1;

/** The feature ranges this node supports (BrokerRegistration and ApiVersions). */
export const SUPPORTED_FEATURES: readonly {
  name: string;
  minSupportedVersion: number;
  maxSupportedVersion: number;
}[] = [
  { name: "metadata.version", minSupportedVersion: 1, maxSupportedVersion: METADATA_VERSION_LEVEL },
  { name: ELR_FEATURE, minSupportedVersion: 0, maxSupportedVersion: ELR_VERSION_LEVEL },
];

export interface ControllerStateOptions {
  clock: Clock;
  quorum: MetadataQuorum;
  channel: ControllerChannel;
  image: () => MetadataImage;
  /** The static `unclean.leader.election.enable` for fencing's elections (Kafka's default, false, when absent). */
  election?: () => ElectionSettings;
  sessionTimeoutMs: number;
  checkIntervalMs: number;
  /** `auto.leader.rebalance.enable` and `leader.imbalance.check.interval.seconds` (absent: no rebalancing). */
  leaderRebalance?: { enabled: boolean; checkIntervalMs: number };
  log: (line: string) => void;
}

/** Rounds one rebalance check may run back to back (each of up to MAX_ELECTIONS_PER_REBALANCE elections). */
const MAX_REBALANCE_ROUNDS = 100;

export class ControllerState {
  /** Monotonic time of each broker's last heartbeat (or registration, or this term's start). */
  readonly #lastContactMs = new Map<number, number>();
  /** Brokers that registered or heartbeated in this term (not merely given a grace period). */
  readonly #heardFrom = new Set<number>();
  /** The epoch this node last became active controller in. */
  #activeEpoch = -1;
  #timer: Timer | null = null;
  #rebalanceTimer: Timer | null = null;
  #closed = false;

  constructor(private readonly options: ControllerStateOptions) {}

  start(): void {
    this.#schedule();
    this.#scheduleRebalance();
  }

  /** A broker registered or heartbeated. */
  touch(brokerId: number): void {
    this.#lastContactMs.set(brokerId, this.options.clock.monotonicMs());
    this.#heardFrom.add(brokerId);
  }

  /**
   * Whether the broker's session is alive: it heartbeated to this
   * controller within the session timeout. The grace period a new term
   * gives every broker keeps them from being fenced, but does not make a
   * restarted broker (a new incarnation) wait for its old session to lapse.
   */
  sessionActive(brokerId: number): boolean {
    const last = this.#lastContactMs.get(brokerId);
    // A fenced broker (controlled shutdown, or an expired session) has no session to protect.
    if (this.options.image().brokers.get(brokerId)?.fenced !== false) return false;
    return last !== undefined && this.#heardFrom.has(brokerId) &&
      this.options.clock.monotonicMs() - last < this.options.sessionTimeoutMs;
  }

  /** Called whenever leadership may have changed: a node that just became active starts its term. */
  onQuorumChange(): void {
    const { quorum } = this.options;
    if (!quorum.isActiveController || this.#activeEpoch === quorum.node.epoch) return;
    this.#activeEpoch = quorum.node.epoch;
    const now = this.options.clock.monotonicMs();
    this.#lastContactMs.clear();
    this.#heardFrom.clear();
    for (const brokerId of this.options.image().brokers.keys()) this.#lastContactMs.set(brokerId, now);
    if (!this.options.image().features.has("metadata.version")) {
      // A new cluster: finalize its features (an existing one keeps the levels it has, as on a Kafka upgrade).
      const bootstrap: MetadataRecord[] = [{
        type: MetadataRecordType.FeatureLevel,
        name: "metadata.version",
        featureLevel: METADATA_VERSION_LEVEL,
      }, {
        type: MetadataRecordType.FeatureLevel,
        name: ELR_FEATURE,
        featureLevel: ELR_VERSION_LEVEL,
      }];
      this.options.channel.exclusive(() => quorum.propose(bootstrap)).catch((error) =>
        this.options.log(`could not finalize metadata.version: ${(error as Error).message}`)
      );
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.options.clock.setTimer(this.options.checkIntervalMs, () => {
      this.#checkSessions();
      this.#schedule();
    });
  }

  #checkSessions(): void {
    const { quorum, channel } = this.options;
    if (!quorum.isActiveController) return;
    const term = this.#activeEpoch;
    for (const broker of this.options.image().brokers.values()) {
      if (broker.fenced) continue;
      const brokerId = broker.brokerId;
      if (!this.#lastContactMs.has(brokerId)) {
        this.#lastContactMs.set(brokerId, this.options.clock.monotonicMs());
      }
      if (this.#silentForMs(brokerId, term) === null) continue;
      channel.exclusive(async () => {
        // Decided again under the lock, as things are then: the broker may have heartbeated meanwhile, and
        // a decision that waited out a failover (behind a proposal that could not commit) must not run in
        // the new term, where every broker has a fresh session it has not had the time to renew yet.
        const silentMs = this.#silentForMs(brokerId, term);
        if (silentMs === null) return;
        const decision = decideFenceBroker(this.options.image(), brokerId, this.options.election?.());
        if (isRefusal(decision) || decision.records.length === 0) return;
        this.options.log(`fencing broker ${brokerId}: no heartbeat for ${silentMs} ms`);
        await quorum.propose(decision.records);
      }).catch((error) =>
        this.options.log(`could not fence broker ${brokerId}: ${(error as Error).message}`)
      );
    }
  }

  /**
   * How long the broker has been silent if its session has lapsed while
   * this node is the active controller of `term`; null otherwise (its
   * session, or the fresh one this term began with, is alive, or the term
   * is over).
   */
  #silentForMs(brokerId: number, term: number): number | null {
    const { quorum, clock, sessionTimeoutMs } = this.options;
    if (!quorum.isActiveController || this.#activeEpoch !== term || quorum.node.epoch !== term) return null;
    const last = this.#lastContactMs.get(brokerId);
    if (last === undefined) return null;
    const silentMs = clock.monotonicMs() - last;
    return silentMs >= sessionTimeoutMs ? silentMs : null;
  }

  #scheduleRebalance(): void {
    const rebalance = this.options.leaderRebalance;
    if (this.#closed || !rebalance?.enabled) return;
    this.#rebalanceTimer = this.options.clock.setTimer(rebalance.checkIntervalMs, () => {
      this.#rebalanceLeaders().catch((error) =>
        this.options.log(`could not rebalance partition leaders: ${(error as Error).message}`)
      ).finally(() => this.#scheduleRebalance());
    });
  }

  /** Preferred elections for the imbalanced partitions, decided under the controller's lock each round. */
  async #rebalanceLeaders(): Promise<void> {
    const { quorum, channel } = this.options;
    for (let round = 0; round < MAX_REBALANCE_ROUNDS; round++) {
      if (this.#closed || !quorum.isActiveController) return;
      const elected = await channel.exclusive(async () => {
        const records = preferredLeaderElections(this.options.image(), this.options.election?.());
        if (records.length > 0) await quorum.propose(records);
        return records.length;
      });
      if (elected > 0) {
        this.options.log(`moved ${elected} partition leadership(s) back to preferred replicas`);
      }
      if (elected < MAX_ELECTIONS_PER_REBALANCE) return;
    }
  }

  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#rebalanceTimer?.cancel();
  }
}
