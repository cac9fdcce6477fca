/**
 * Metadata (key 3), v0-12.
 * v0: empty topic list means all topics; v1+: null means all, empty means none.
 * v4+: allowAutoTopicCreation. v10+: topics may be named by id. v12: a topic
 * asked for by id only answers with its name (names nullable in the response).
 * Unknown topics are created when auto.create.topics.enable is set and the
 * client allows it, through the active controller; the answer waits until
 * this node's image has the topic, so it comes back ready to use. Brokers
 * are the unfenced ones at their endpoints for this request's listener; a
 * partition without a leader (its broker fenced) is LEADER_NOT_AVAILABLE.
 */
import { ErrorCode, type ResponseInput, uuidToString, ZERO_UUID } from "../../../protocol/mod.ts";
import { metadata } from "../../../protocol/messages/mod.ts";
import {
  isInternalTopic,
  type MetadataImage,
  type TopicImage,
  topicNameProblem,
} from "../../../metadata/mod.ts";
import type { ApiHandler, NodeServices } from "../../handler.ts";
import { authorizedOperations, CLUSTER_OPERATIONS, TOPIC_OPERATIONS } from "../../../security/mod.ts";

type TopicAnswer = ResponseInput<typeof metadata>["topics"][number];

/** Replicas on brokers that are not alive (fenced or not registered), as Kafka's KRaft metadata cache reports them. */
export function offlineReplicasOf(image: MetadataImage, replicas: number[]): number[] {
  return replicas.filter((replica) => image.brokers.get(replica)?.fenced !== false);
}

function describeTopic(image: MetadataImage, topic: TopicImage): TopicAnswer {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((partition) => ({
      errorCode: partition.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: partition.partition,
      leaderId: partition.leader,
      leaderEpoch: partition.leaderEpoch,
      replicaNodes: partition.replicas,
      isrNodes: partition.isr,
      offlineReplicas: offlineReplicasOf(image, partition.replicas),
    })),
  };
}

function missingTopic(name: string | null, topicId: Uint8Array, errorCode: number): TopicAnswer {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}

async function answerByName(services: NodeServices, name: string, autoCreate: boolean): Promise<TopicAnswer> {
  if (topicNameProblem(name)) return missingTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
  let topic = services.metadata.image.topicsByName.get(name);
  if (!topic && autoCreate && services.settings.config.bool("auto.create.topics.enable")) {
    const refusal = await services.topics.autoCreateTopic(name);
    if (refusal) return missingTopic(name, ZERO_UUID, refusal.errorCode);
    topic = services.metadata.image.topicsByName.get(name);
  }
  if (!topic) return missingTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  return describeTopic(services.metadata.image, topic);
}

export const metadataHandler: ApiHandler<typeof metadata> = {
  schema: metadata,
  async handle(context, body) {
    const services = context.services;
    const requested = body.topics;
    const allTopics = requested === null || (context.version === 0 && requested.length === 0);
    let topics: TopicAnswer[];
    if (allTopics) {
      topics = [...services.metadata.image.topicsByName.values()].map((topic) =>
        describeTopic(services.metadata.image, topic)
      );
    } else {
      const autoCreate = context.version < 4 || body.allowAutoTopicCreation;
      topics = await Promise.all(requested!.map((entry) => {
        const hasId = entry.topicId.some((byte) => byte !== 0);
        if (hasId) {
          if (entry.name !== null && entry.name !== "") {
            return missingTopic(entry.name, entry.topicId, ErrorCode.INVALID_REQUEST);
          }
          const topic = services.metadata.image.topicsById.get(uuidToString(entry.topicId));
          return topic
            ? describeTopic(services.metadata.image, topic)
            : missingTopic(null, entry.topicId, ErrorCode.UNKNOWN_TOPIC_ID);
        }
        return answerByName(services, entry.name ?? "", autoCreate);
      }));
    }
    // Without an authorizer every topic answered by name, found or not, gets every topic operation, as in
    // Kafka; a topic id that names no topic gets none.
    const topicOperations = authorizedOperations(
      body.includeTopicAuthorizedOperations ?? false,
      TOPIC_OPERATIONS,
    );
    for (const topic of topics) {
      if (topic.errorCode !== ErrorCode.UNKNOWN_TOPIC_ID) topic.topicAuthorizedOperations = topicOperations;
    }
    return {
      throttleTimeMs: 0,
      brokers: services.metadata.brokerEndpoints(context.listenerName),
      clusterId: services.metadata.clusterId,
      controllerId: services.metadata.controllerIdForClients(),
      topics,
      clusterAuthorizedOperations: authorizedOperations(
        body.includeClusterAuthorizedOperations ?? false,
        CLUSTER_OPERATIONS,
      ),
    };
  },
};
