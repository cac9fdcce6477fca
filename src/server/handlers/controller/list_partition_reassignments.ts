/**
 * ListPartitionReassignments (key 46), v0 (flexible), KIP-455: the
 * reassignments under way, as the active controller's image shows them
 * (forwarded by any broker). Null topics list every reassigning partition;
 * unknown or idle partitions are left out.
 */
import { listPartitionReassignments } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const listPartitionReassignmentsHandler = controllerApi({
  schema: listPartitionReassignments,
  control(context, body) {
    const topics = context.services.control.listPartitionReassignments(body.topics);
    return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics });
  },
  refuse(_body, _version, errorCode, errorMessage) {
    return { throttleTimeMs: 0, errorCode, errorMessage, topics: [] };
  },
});
