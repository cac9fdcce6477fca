/**
 * AlterPartitionReassignments (key 45), v0 (flexible), KIP-455: starts,
 * replaces or (null replicas) cancels the reassignment of partitions. Runs on
 * the active controller (forwarded by any broker); the answer comes once the
 * records are committed. The reassignment itself completes later, when the
 * ISR holds every target replica (metadata/reassignment.ts).
 */
import { alterPartitionReassignments } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const alterPartitionReassignmentsHandler = controllerApi({
  schema: alterPartitionReassignments,
  async control(context, body) {
    const responses = await context.services.control.alterPartitionReassignments({ topics: body.topics });
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses };
  },
  refuse(body, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      responses: body.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => ({
          partitionIndex: partition.partitionIndex,
          errorCode,
          errorMessage,
        })),
      })),
    };
  },
});
