/**
 * Security: today, the operations a client may perform when there is no authorizer.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export {
  authorizedOperations,
  CLUSTER_OPERATIONS,
  GROUP_OPERATIONS,
  OPERATIONS_NOT_REQUESTED,
  TOPIC_OPERATIONS,
} from "./authorized_operations.ts";
