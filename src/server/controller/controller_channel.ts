/**
 * The way to the active controller from any node. On the active controller
 * a request runs here, one at a time (see controller_api.ts); elsewhere it
 * is sent as it came to the active controller's controller listener, and
 * retried (after `controller.quorum.retry.backoff.ms`, against whichever
 * node leads by then) until it is answered or `request.timeout.ms` passes.
 * A forwarded request still unanswered when leadership moves is sent again
 * to the new leader at once.
 *
 * A request that arrived on this node's controller listener is never
 * forwarded again: a node that is not the active controller refuses it
 * with NOT_CONTROLLER, and the forwarding node tries the next leader.
 */
import type { Clock, Net } from "../../io/mod.ts";
import type { VoterAddress } from "../../config/mod.ts";
import { ErrorCode, KafkaError, type Message } from "../../protocol/mod.ts";
import type { RequestContext } from "../handler.ts";
import { type MetadataQuorum, NodeClients } from "../raft_driver/mod.ts";
import type { ControllerApi } from "./controller_api.ts";

export interface ControllerChannelOptions {
  nodeId: number;
  clock: Clock;
  net: Net;
  quorum: MetadataQuorum;
  voterAddresses: ReadonlyMap<number, VoterAddress>;
  retryBackoffMs: number;
  timeoutMs: number;
}

export class ControllerChannel {
  #queue: Promise<unknown> = Promise.resolve();
  readonly #clients: NodeClients;

  constructor(private readonly options: ControllerChannelOptions) {
    this.#clients = new NodeClients(options.net, options.voterAddresses, `dafka-broker-${options.nodeId}`);
  }

  /** Answers `body` for `api` from the active controller, wherever it is. */
  async call(api: ControllerApi, context: RequestContext, body: Message): Promise<Message> {
    const { clock, quorum } = this.options;
    const deadlineMs = clock.monotonicMs() + this.options.timeoutMs;
    while (true) {
      if (quorum.isActiveController) {
        try {
          return await this.exclusive(() => api.control(context, body));
        } catch (error) {
          if (!(error instanceof KafkaError)) throw error;
          const retry = error.code === ErrorCode.NOT_CONTROLLER && !context.viaControllerListener &&
            clock.monotonicMs() < deadlineMs;
          if (!retry) return api.refuse(body, context.version, error.code, error.message);
        }
      } else if (context.viaControllerListener) {
        return api.refuse(
          body,
          context.version,
          ErrorCode.NOT_CONTROLLER,
          "this node is not the active controller",
        );
      }
      const leaderId = quorum.leaderId;
      if (leaderId >= 0 && leaderId !== this.options.nodeId && this.options.voterAddresses.has(leaderId)) {
        const answer = await this.#forward(leaderId, api, context.version, body, deadlineMs);
        if (answer !== null && !refusedAsNotController(answer)) return answer;
      }
      if (clock.monotonicMs() >= deadlineMs) {
        return api.refuse(
          body,
          context.version,
          ErrorCode.REQUEST_TIMED_OUT,
          "no active controller answered in time",
        );
      }
      await clock.sleep(Math.max(this.options.retryBackoffMs, 10));
    }
  }

  /** Runs `work` after every earlier controller request has finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => {});
    return result;
  }

  /**
   * Sends `body` to the leader's controller listener; null when it could not
   * be answered there: no connection, a failed one, no answer before
   * `deadlineMs` (a hung or unreachable leader must not hold the request),
   * or leadership moved meanwhile. A node that stopped leading may never
   * answer (a paused process keeps its connections open), so, as Kafka's
   * broker-to-controller channel does, the request is sent again to the new
   * leader rather than waited on until the deadline.
   */
  async #forward(
    leaderId: number,
    api: ControllerApi,
    version: number,
    body: Message,
    deadlineMs: number,
  ): Promise<Message | null> {
    const { clock, quorum } = this.options;
    const client = this.#clients.get(leaderId);
    let giveUp: (value: null) => void = () => {};
    const givenUp = new Promise<null>((resolve) => (giveUp = resolve));
    const timer = clock.setTimer(Math.max(0, deadlineMs - clock.monotonicMs()), () => giveUp(null));
    const watchMs = Math.max(this.options.retryBackoffMs, 10);
    let watch = clock.setTimer(watchMs, function check() {
      if (quorum.leaderId !== leaderId) giveUp(null);
      else watch = clock.setTimer(watchMs, check);
    });
    try {
      const answer = await Promise.race([
        client.then((open) => open.request(api.schema.apiKey, version, body)),
        givenUp,
      ]);
      // The connection still holds the unanswered request: start afresh next time.
      if (answer === null) this.#clients.drop(leaderId, client);
      return answer;
    } catch {
      this.#clients.drop(leaderId, client);
      return null;
    } finally {
      timer.cancel();
      watch.cancel();
    }
  }

  close(): void {
    this.#clients.close();
  }
}

/** Whether a controller's answer says it no longer leads (so the request may be retried elsewhere). */
function refusedAsNotController(answer: Message): boolean {
  if (answer.errorCode === ErrorCode.NOT_CONTROLLER) return true;
  for (const value of Object.values(answer)) {
    if (!Array.isArray(value) || value.length === 0) continue;
    if (value.every((item) => item?.errorCode === ErrorCode.NOT_CONTROLLER)) return true;
  }
  return false;
}
