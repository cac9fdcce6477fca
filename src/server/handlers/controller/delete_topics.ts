/**
 * DeleteTopics (key 20), v0-6.
 * v4: flexible. v5: error messages. v6: topics by name or by id.
 */
import { ErrorCode, type RequestOf, uuidToString, ZERO_UUID } from "../../../protocol/mod.ts";
import { deleteTopics } from "../../../protocol/messages/mod.ts";
import type { TopicImage } from "../../../metadata/mod.ts";
import { controllerApi, mapInOrder } from "../../controller/mod.ts";

function wantedTopics(
  body: RequestOf<typeof deleteTopics>,
  version: number,
): { name: string | null; topicId: Uint8Array }[] {
  return version >= 6
    ? body.topics.map((topic) => ({ name: topic.name, topicId: topic.topicId }))
    : body.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

export const deleteTopicsHandler = controllerApi({
  schema: deleteTopics,
  async control(context, body) {
    const services = context.services;
    const responses = await mapInOrder(wantedTopics(body, context.version), async (item) => {
      const byId = item.topicId.some((byte) => byte !== 0);
      let topic: TopicImage | undefined;
      if (byId && item.name) {
        return {
          ...item,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: "Both topic name and id were given",
        };
      }
      if (byId) topic = services.metadata.image.topicsById.get(uuidToString(item.topicId));
      else topic = services.metadata.image.topicsByName.get(item.name ?? "");
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
      if (!services.settings.config.bool("delete.topic.enable")) {
        return {
          name: topic.name,
          topicId: topic.topicId,
          errorCode: ErrorCode.TOPIC_DELETION_DISABLED,
          errorMessage: null,
        };
      }
      await services.control.deleteTopic(topic);
      return { name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    return { throttleTimeMs: 0, responses };
  },
  appliedHere(context, _body, answer) {
    return answer.responses.every((topic) =>
      topic.errorCode !== ErrorCode.NONE || topic.name === null ||
      !context.services.metadata.image.topicsByName.has(topic.name)
    );
  },
  refuse(body, version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      responses: wantedTopics(body, version).map((item) => ({ ...item, errorCode, errorMessage })),
    };
  },
});
