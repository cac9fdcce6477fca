/**
 * What a broker asks of the active controller for itself: creating a topic
 * on first use (auto-creation, `__consumer_offsets`) and reserving a block
 * of producer ids. Both go through the controller channel as the Kafka
 * requests a broker would forward (CreateTopics, AllocateProducerIds), so
 * that they work the same on the controller and on any other node.
 */
import type { Refusal, TopicToCreate } from "../metadata/mod.ts";
import {
  type ApiSchema,
  ErrorCode,
  KafkaError,
  parseRange,
  type RequestOf,
  type ResponseInput,
} from "../protocol/mod.ts";
import type { ControllerApi } from "./controller/mod.ts";
import type { NodeServices, RequestContext } from "./handler.ts";
import { allocateProducerIdsHandler, createTopicsHandler } from "./handlers/controller/mod.ts";

/** How long a broker waits for its own image to show a topic the controller created. */
const SHOW_TOPIC_TIMEOUT_MS = 5000;

/**
 * A request the broker makes itself, at the newest version of the API; the
 * body and answer are typed by the API's schema. The body must be whole
 * (`RequestOf`): on the active controller it reaches `control` as it is, not
 * decoded, so no default would fill a missing field. The answer is the local
 * controller's own or a forwarded one decoded: either fits `ResponseInput`.
 */
export async function internalCall<S extends ApiSchema>(
  services: NodeServices,
  api: ControllerApi<S>,
  body: RequestOf<S>,
): Promise<ResponseInput<S>> {
  const version = parseRange(api.schema.versions).max;
  const context: RequestContext = {
    header: { apiKey: api.schema.apiKey, apiVersion: version, correlationId: 0, clientId: "dafka-broker" },
    version,
    services,
    connectionId: -1,
    requestBytes: 0,
    clientAddress: "internal",
    listenerName: "",
    viaControllerListener: false,
    handlers: new Map(),
  };
  // The channel is untyped (it serves every controller API); this call's API is `S`.
  return await services.controller.call(api, context, body) as ResponseInput<S>;
}

/**
 * Creates a topic through the active controller and waits until this
 * node's image has it. A topic that already exists is not a refusal.
 */
export async function createTopicThroughController(
  services: NodeServices,
  topic: TopicToCreate,
): Promise<Refusal | null> {
  const answer = await internalCall(services, createTopicsHandler, {
    topics: [{ ...topic, assignments: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const result = answer.topics[0]!;
  if (result.errorCode !== ErrorCode.NONE && result.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
    // A refusal always says why; the answer may carry no message (null), as GroupDriver words it then.
    return { errorCode: result.errorCode, errorMessage: result.errorMessage ?? `error ${result.errorCode}` };
  }
  const metadata = services.metadata;
  const shown = await metadata.waitFor(
    () => metadata.image.topicsByName.has(topic.name),
    SHOW_TOPIC_TIMEOUT_MS,
  );
  return shown ? null : {
    errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
    errorMessage: `topic ${topic.name} was created but this node has not seen it yet`,
  };
}

/** Auto-creation with the broker's defaults. */
export function autoCreateTopic(services: NodeServices, name: string): Promise<Refusal | null> {
  return createTopicThroughController(services, {
    name,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  });
}

/** Reserves the next block of producer ids for this broker (AllocateProducerIds). */
export async function reserveProducerIds(
  services: NodeServices,
  brokerId: number,
  brokerEpoch: number,
): Promise<{ firstId: number; size: number }> {
  const answer = await internalCall(services, allocateProducerIdsHandler, { brokerId, brokerEpoch });
  if (answer.errorCode !== ErrorCode.NONE) {
    throw new KafkaError(answer.errorCode, "the controller did not hand out producer ids");
  }
  return { firstId: answer.producerIdStart, size: answer.producerIdLen };
}
