/**
 * CreatePartitions (key 37), v0-3. v2: flexible. v3: same as v2.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { createPartitions } from "../../../protocol/messages/mod.ts";
import { isRefusal } from "../../../metadata/mod.ts";
import { controllerApi, mapInOrder } from "../../controller/mod.ts";

export const createPartitionsHandler = controllerApi({
  schema: createPartitions,
  async control(context, body) {
    const services = context.services;
    const topics = body.topics;
    const counts = new Map<string, number>();
    for (const topic of topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
    const results = await mapInOrder(topics, async (request) => {
      if (counts.get(request.name)! > 1) {
        return {
          name: request.name,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: "Duplicate topic in request.",
        };
      }
      const topic = services.metadata.image.topicsByName.get(request.name);
      if (!topic) {
        return {
          name: request.name,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: "This server does not host this topic-partition.",
        };
      }
      const assignments = request.assignments
        ? request.assignments.map((assignment) => assignment.brokerIds)
        : null;
      const decision = await services.control.createPartitions(
        topic,
        request.count,
        assignments,
        body.validateOnly,
      );
      if (isRefusal(decision)) return { name: request.name, ...decision };
      return { name: request.name, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    return { throttleTimeMs: 0, results };
  },
  appliedHere(context, body, answer) {
    const wanted = new Map(
      body.topics.map((topic) => [topic.name, topic.count]),
    );
    return answer.results.every((result) =>
      result.errorCode !== ErrorCode.NONE || body.validateOnly ||
      (context.services.metadata.image.topicsByName.get(result.name)?.partitions.length ?? 0) >=
        (wanted.get(result.name) ?? 0)
    );
  },
  refuse(body, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      results: body.topics.map((topic) => ({ name: topic.name, errorCode, errorMessage })),
    };
  },
});
