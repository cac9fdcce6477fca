/**
 * The broker's side of KIP-631: register with the active controller, then
 * heartbeat. A new broker is fenced until it has applied the metadata log
 * up to its own registration; `unfenced` resolves the first time the
 * controller says it is not fenced (the node opens its client listeners
 * only then, as Kafka does). A heartbeat refused for a stale epoch (the
 * controller forgot this incarnation) leads to a new registration.
 *
 * Heartbeats go out every `broker.heartbeat.interval.ms`, faster while
 * fenced so that start-up does not wait a whole interval.
 */
import type { Clock, Random, Timer } from "../io/mod.ts";
import {
  type ApiSchema,
  ErrorCode,
  randomUuid,
  type RequestOf,
  type ResponseInput,
} from "../protocol/mod.ts";
import type { Broker } from "./broker.ts";
import { type ControllerApi, SUPPORTED_FEATURES } from "./controller/mod.ts";
import { internalCall } from "./broker_requests.ts";
import { brokerHeartbeatHandler, brokerRegistrationHandler } from "./handlers/controller/mod.ts";

/** Heartbeat interval while fenced (catching up after registration). */
const FENCED_HEARTBEAT_MS = 50;
/** Pause after a failed registration before the next attempt. */
const RETRY_MS = 200;

export class BrokerLifecycle {
  readonly #incarnationId: Uint8Array;
  #timer: Timer | null = null;
  #closed = false;
  #fenced = true;
  #markUnfenced: () => void = () => {};
  /** Resolves once the controller first reports this broker unfenced. */
  readonly unfenced: Promise<void>;

  constructor(
    private readonly broker: Broker,
    private readonly clock: Clock,
    random: Random,
    private readonly directoryId: Uint8Array,
  ) {
    this.#incarnationId = randomUuid(random);
    this.unfenced = new Promise((resolve) => (this.#markUnfenced = resolve));
  }

  get fenced(): boolean {
    return this.#fenced;
  }

  start(): void {
    this.#next(0);
  }

  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
  }

  /**
   * Controlled shutdown (a clean stop): heartbeats asking to shut down until
   * the controller has moved this broker's partition leaderships away and
   * fenced it, or `timeoutMs` passes. A fenced broker's session is over, so
   * the next start of this node registers at once instead of waiting for
   * `broker.session.timeout.ms`.
   */
  async shutDown(timeoutMs: number): Promise<void> {
    this.close();
    if (this.broker.brokerEpoch < 0) return;
    const deadlineMs = this.clock.monotonicMs() + timeoutMs;
    while (this.clock.monotonicMs() < deadlineMs) {
      const heartbeat = this.#call(brokerHeartbeatHandler, {
        brokerId: this.broker.nodeId,
        brokerEpoch: this.broker.brokerEpoch,
        currentMetadataOffset: this.broker.quorum.appliedOffset,
        wantFence: false,
        wantShutDown: true,
        offlineLogDirs: [],
      }).catch(() => null);
      // An unreachable controller must not hold the stop past its deadline.
      const giveUp = this.clock.sleep(Math.max(0, deadlineMs - this.clock.monotonicMs())).then(() => null);
      const answer = await Promise.race([heartbeat, giveUp]);
      if (answer !== null && (answer.shouldShutDown || answer.errorCode !== ErrorCode.NONE)) return;
      await this.clock.sleep(FENCED_HEARTBEAT_MS);
    }
    this.broker.world.log("controlled shutdown did not finish in time");
  }

  #next(delayMs: number): void {
    if (this.#closed) return;
    this.#timer = this.clock.setTimer(delayMs, () => {
      this.#timer = null;
      const step = this.broker.brokerEpoch < 0 ? this.#register() : this.#heartbeat();
      step.then((nextDelayMs) => this.#next(nextDelayMs), (error) => {
        this.broker.world.log(`broker lifecycle: ${(error as Error).message}`);
        this.#next(RETRY_MS);
      });
    });
  }

  async #register(): Promise<number> {
    const broker = this.broker;
    const answer = await this.#call(brokerRegistrationHandler, {
      brokerId: broker.nodeId,
      clusterId: broker.clusterId,
      incarnationId: this.#incarnationId,
      listeners: broker.config.advertisedListeners
        .filter((listener) => broker.quorumConfig.brokerListeners.some((own) => own.name === listener.name))
        .map((listener) => ({
          name: listener.name,
          host: listener.host,
          port: listener.port,
          securityProtocol: 0,
        })),
      features: SUPPORTED_FEATURES.map((feature) => ({ ...feature })),
      rack: broker.config.string("broker.rack"),
      isMigratingZkBroker: false,
      logDirs: [this.directoryId],
      previousBrokerEpoch: -1,
    });
    if (answer.errorCode !== ErrorCode.NONE) {
      broker.world.log(`registration refused by the controller: error ${answer.errorCode}`);
      return RETRY_MS;
    }
    // A local controller's answer may leave out a field with a default; a decoded one has it.
    broker.brokerEpoch = answer.brokerEpoch ?? -1;
    broker.world.log(`registered as broker ${broker.nodeId} with epoch ${broker.brokerEpoch}`);
    return 0;
  }

  async #heartbeat(): Promise<number> {
    const broker = this.broker;
    const answer = await this.#call(brokerHeartbeatHandler, {
      brokerId: broker.nodeId,
      brokerEpoch: broker.brokerEpoch,
      currentMetadataOffset: broker.quorum.appliedOffset,
      wantFence: false,
      wantShutDown: false,
      offlineLogDirs: [],
    });
    if (answer.errorCode === ErrorCode.STALE_BROKER_EPOCH) {
      broker.world.log(`broker epoch ${broker.brokerEpoch} is stale: registering again`);
      broker.brokerEpoch = -1;
      return 0;
    }
    if (answer.errorCode !== ErrorCode.NONE) return RETRY_MS;
    const wasFenced = this.#fenced;
    this.#fenced = answer.isFenced ?? true;
    if (wasFenced && !this.#fenced) {
      broker.world.log(`broker ${broker.nodeId} is unfenced`);
      this.#markUnfenced();
    }
    return this.#fenced ? FENCED_HEARTBEAT_MS : broker.config.int("broker.heartbeat.interval.ms");
  }

  #call<S extends ApiSchema>(api: ControllerApi<S>, body: RequestOf<S>): Promise<ResponseInput<S>> {
    return internalCall(this.broker.services, api, body);
  }
}
