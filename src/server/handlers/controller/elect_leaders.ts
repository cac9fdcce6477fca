/**
 * ElectLeaders (key 43), v0-2: preferred (v0, and type 0) or unclean (type 1,
 * KIP-460) leader elections, per partition, or for every partition when the
 * request names none (those needing no election are then left out). Runs on
 * the active controller (forwarded by any broker); answered once committed.
 * v1 adds the top-level error code (INVALID_REQUEST for an unknown type),
 * v2 is flexible.
 */
import { electLeaders } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const electLeadersHandler = controllerApi({
  schema: electLeaders,
  async control(context, body) {
    const outcome = await context.services.control.electLeaders({
      electionType: context.version === 0 ? 0 : body.electionType,
      topicPartitions: body.topicPartitions,
    });
    return { throttleTimeMs: 0, errorCode: outcome.errorCode, replicaElectionResults: outcome.results };
  },
  refuse(body, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      errorCode,
      replicaElectionResults: (body.topicPartitions ?? []).map((entry) => ({
        topic: entry.topic,
        partitionResult: entry.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
      })),
    };
  },
});
