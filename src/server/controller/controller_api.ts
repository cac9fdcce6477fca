/**
 * An API that needs the active controller (CreateTopics, DeleteTopics,
 * CreatePartitions, AlterConfigs, IncrementalAlterConfigs, and the brokers'
 * BrokerRegistration, BrokerHeartbeat, AllocateProducerIds).
 *
 * `control` is the controller's side: it decides against the image,
 * commits the records through the quorum, and answers; it runs on the
 * active controller only, one request at a time, so that every decision
 * sees the effects of the one before. `handle` (what a connection calls)
 * runs `control` here when this node is the active controller, and
 * otherwise forwards the request as it came to the active controller, as
 * Kafka's brokers do. `refuse` builds the answer that fails every item with
 * one error (no controller reachable in time, leadership lost).
 */
import type { ApiSchema, Message, RequestOf, ResponseInput } from "../../protocol/mod.ts";
import type { ApiHandler, RequestContext } from "../handler.ts";

export interface ControllerApiSpec {
  schema: ApiSchema;
  control(context: RequestContext, body: Message): Promise<Message>;
  refuse(body: Message, version: number, errorCode: number, errorMessage: string): Message;
  /**
   * After another node's controller answered: whether this node's image
   * already shows what the answer reports done. The broker waits for it
   * (a short while) before answering, so that a client that created a topic
   * through this broker finds it here at once, as it would on one node.
   */
  appliedHere?(context: RequestContext, body: Message, answer: Message): boolean;
}

/**
 * A controller API typed by its schema: `control` and `refuse` take the
 * decoded request (`RequestOf<S>`) and their answers are checked field by
 * field (`ResponseInput<S>`). It fits the untyped `ControllerApiSpec` by
 * structure, which is what the controller channel handles.
 */
export interface TypedControllerApiSpec<S extends ApiSchema> {
  schema: S;
  control(context: RequestContext, body: RequestOf<S>): Promise<ResponseInput<S>>;
  refuse(body: RequestOf<S>, version: number, errorCode: number, errorMessage: string): ResponseInput<S>;
  /** As `ControllerApiSpec.appliedHere`; the answer is this node's own or a decoded forwarded one. */
  appliedHere?(context: RequestContext, body: RequestOf<S>, answer: ResponseInput<S>): boolean;
}

/** How long a broker waits for its image to show a change another node's controller made. */
const APPLIED_HERE_TIMEOUT_MS = 5000;

/** The handler of a controller API; `S` keeps its schema's type for typed internal calls. */
export interface ControllerApi<S extends ApiSchema = ApiSchema> extends ApiHandler, ControllerApiSpec {
  schema: S;
}

/** Makes the handler of a controller API from its controller side (typed by its schema). */
export function controllerApi<S extends ApiSchema>(
  typed: TypedControllerApiSpec<S>,
): ControllerApi<S> {
  const spec: ControllerApiSpec = typed;
  const api: ControllerApi<S> = {
    ...spec,
    schema: typed.schema,
    handle: async (context, body) => {
      const answer = await context.services.controller.call(api, context, body);
      const appliedHere = spec.appliedHere;
      if (appliedHere && !context.viaControllerListener) {
        await context.services.metadata.waitFor(
          () => appliedHere(context, body, answer),
          APPLIED_HERE_TIMEOUT_MS,
        );
      }
      return answer;
    },
  };
  return api;
}

/** Runs `each` over `items` one after another (a controller's commits must not interleave). */
export async function mapInOrder<T, R>(items: readonly T[], each: (item: T) => Promise<R> | R): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await each(item));
  return out;
}
