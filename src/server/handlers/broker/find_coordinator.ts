/**
 * FindCoordinator (key 10), v0-6: a group's coordinator is the leader of its
 * `__consumer_offsets` partition.
 * v0 asks for a group's coordinator; v1 adds the key type (0 group, 1
 * transaction); v3 is flexible; v4 batches keys (KIP-699) and answers per
 * key; v6 accepts share-group keys (type 2), which Dafka does not serve
 * (INVALID_REQUEST, as Kafka without share groups). A group key creates
 * `__consumer_offsets` on first use.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { findCoordinator } from "../../../protocol/messages/mod.ts";
import type { ApiHandler, RequestContext } from "../../handler.ts";
import { OFFSETS_TOPIC } from "../../group_driver.ts";
import { partitionForGroup } from "../../../group/mod.ts";

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
const FIRST_BATCHED_VERSION = 4;

interface Coordinator {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

const NO_NODE = { nodeId: -1, host: "", port: -1 };

/**
 * The coordinator of `key`: the leader of the `__consumer_offsets`
 * partition the group hashes to (a transactional id is answered with this
 * node, which then refuses transactions).
 */
async function coordinatorFor(context: RequestContext, keyType: number, key: string): Promise<Coordinator> {
  const services = context.services;
  let errorCode: number = ErrorCode.NONE;
  if (keyType === KEY_TYPE_GROUP) errorCode = await services.groups.ensureOffsetsTopic();
  else if (keyType !== KEY_TYPE_TRANSACTION) errorCode = ErrorCode.INVALID_REQUEST;
  if (errorCode !== ErrorCode.NONE) return { errorCode, ...NO_NODE };
  const endpoints = services.metadata.brokerEndpoints(context.listenerName);
  let nodeId = services.metadata.nodeId;
  if (keyType === KEY_TYPE_GROUP) {
    const partitions = services.metadata.image.topicsByName.get(OFFSETS_TOPIC)?.partitions ?? [];
    nodeId = partitions[partitionForGroup(key, partitions.length)]?.leader ?? -1;
  }
  const endpoint = endpoints.find((candidate) => candidate.nodeId === nodeId);
  if (!endpoint) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ...NO_NODE };
  return { errorCode, nodeId, host: endpoint.host, port: endpoint.port };
}

function errorMessageOf(errorCode: number): string | null {
  switch (errorCode) {
    case ErrorCode.NONE:
      return null;
    case ErrorCode.INVALID_REQUEST:
      return "Unsupported coordinator key type";
    default:
      return "The coordinator is not available.";
  }
}

export const findCoordinatorHandler: ApiHandler<typeof findCoordinator> = {
  schema: findCoordinator,
  async handle(context, body) {
    const keyType = context.version >= 1 ? body.keyType : KEY_TYPE_GROUP;
    if (context.version >= FIRST_BATCHED_VERSION) {
      const coordinators = [];
      for (const key of body.coordinatorKeys) {
        const found = await coordinatorFor(context, keyType, key);
        coordinators.push({ key, ...found, errorMessage: errorMessageOf(found.errorCode) });
      }
      return { throttleTimeMs: 0, coordinators };
    }
    const found = await coordinatorFor(context, keyType, body.key);
    return { throttleTimeMs: 0, ...found, errorMessage: errorMessageOf(found.errorCode) };
  },
};
