/**
 * DeleteTopics (key 20), v0-6.
 * v4: flexible. v5: error messages. v6: topics by name or by id.
 */
import type { Message } from "../../protocol/codec.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { deleteTopics } from "../../protocol/messages/delete_topics.ts";
import { decideDeleteTopic, isRefusal } from "../../metadata/controller.ts";
import type { TopicImage } from "../../metadata/image.ts";
import { uuidToString, ZERO_UUID } from "../../metadata/uuid.ts";
import type { ApiHandler } from "../handler.ts";

export const deleteTopicsHandler: ApiHandler = {
  schema: deleteTopics,
  handle(context, body) {
    const broker = context.broker;
    const wanted: { name: string | null; topicId: Uint8Array }[] = context.version >= 6
      ? (body.topics as Message[]).map((topic) => ({ name: topic.name, topicId: topic.topicId }))
      : (body.topicNames as string[]).map((name) => ({ name, topicId: ZERO_UUID }));
    const responses = wanted.map((item) => {
      const byId = item.topicId.some((byte) => byte !== 0);
      let topic: TopicImage | undefined;
      if (byId && item.name) {
        return {
          ...item,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: "Both topic name and id were given",
        };
      }
      if (byId) topic = broker.image.topicsById.get(uuidToString(item.topicId));
      else topic = broker.image.topicsByName.get(item.name ?? "");
      if (!topic) {
        return {
          name: item.name,
          topicId: item.topicId,
          errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: byId
            ? "This server does not host this topic ID."
            : "This server does not host this topic-partition.",
        };
      }
      if (!broker.config.bool("delete.topic.enable")) {
        return {
          name: topic.name,
          topicId: topic.topicId,
          errorCode: ErrorCode.TOPIC_DELETION_DISABLED,
          errorMessage: null,
        };
      }
      const decision = decideDeleteTopic(topic);
      if (!isRefusal(decision)) broker.commit(decision.records);
      return { name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    return { throttleTimeMs: 0, responses };
  },
};
