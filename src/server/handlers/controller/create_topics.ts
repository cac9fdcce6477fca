/**
 * CreateTopics (key 19), v0-7.
 * v1: validateOnly. v4: -1 partitions/replication factor use the broker's
 * defaults (KIP-464). v5: flexible; the response carries the topic's configs,
 * partitions and replication factor. v7: topic id in the response.
 * A name given twice in one request is refused for both (INVALID_REQUEST),
 * and so is the metadata log's name, as KRaft does: a topic of that name
 * would share its folder with the Raft log.
 */
import { ErrorCode, ZERO_UUID } from "../../../protocol/mod.ts";
import { createTopics } from "../../../protocol/messages/mod.ts";
import { isRefusal, MetadataRecordType, type PartitionRecord } from "../../../metadata/mod.ts";
import { METADATA_TOPIC } from "../../../raft/mod.ts";
import { topicConfigEntries } from "../../config_view.ts";
import { controllerApi, mapInOrder } from "../../controller/mod.ts";

export const createTopicsHandler = controllerApi({
  schema: createTopics,
  async control(context, body) {
    const services = context.services;
    const topics = body.topics;
    const counts = new Map<string, number>();
    for (const topic of topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
    const results = await mapInOrder(topics, async (topic) => {
      const base = {
        name: topic.name,
        topicId: ZERO_UUID,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      };
      if (counts.get(topic.name)! > 1) {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Duplicate topic name ${topic.name}.`,
        };
      }
      if (topic.name === METADATA_TOPIC) {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `${METADATA_TOPIC} is the metadata log and cannot be created as a topic.`,
        };
      }
      const decision = await services.control.createTopic({
        name: topic.name,
        numPartitions: topic.numPartitions,
        replicationFactor: topic.replicationFactor,
        assignments: topic.assignments,
        configs: topic.configs,
      }, body.validateOnly);
      if (isRefusal(decision)) return { ...base, ...decision };
      const created = body.validateOnly ? null : services.metadata.image.topicsByName.get(topic.name)!;
      const partitions = decision.records.filter((record): record is PartitionRecord =>
        record.type === MetadataRecordType.Partition
      );
      const partitionCount = partitions.length;
      const first = partitions[0];
      return {
        name: topic.name,
        topicId: created?.topicId ?? ZERO_UUID,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: partitionCount,
        replicationFactor: first?.replicas.length ?? -1,
        configs: created
          ? topicConfigEntries(services, topic.name).map((entry) => ({
            name: entry.name,
            value: entry.value,
            readOnly: entry.readOnly,
            configSource: entry.source,
            isSensitive: entry.isSensitive,
          }))
          : [],
      };
    });
    return { throttleTimeMs: 0, topics: results };
  },
  appliedHere(context, body, answer) {
    return answer.topics.every((topic) =>
      topic.errorCode !== ErrorCode.NONE || body.validateOnly ||
      context.services.metadata.image.topicsByName.has(topic.name)
    );
  },
  refuse(body, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      topics: body.topics.map((topic) => ({
        name: topic.name,
        topicId: ZERO_UUID,
        errorCode,
        errorMessage,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      })),
    };
  },
});
