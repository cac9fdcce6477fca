import assert from "node:assert/strict";
import {
  authorizedOperations,
  CLUSTER_OPERATIONS,
  GROUP_OPERATIONS,
  OPERATIONS_NOT_REQUESTED,
  TOPIC_OPERATIONS,
} from "./authorized_operations.ts";

Deno.test("authorized operations are Kafka's bit fields of the supported AclOperation codes", () => {
  // The values Kafka 4 answers without an authorizer (AclEntry.supportedOperations, Utils.to32BitField).
  assert.equal(TOPIC_OPERATIONS, 3576);
  assert.equal(CLUSTER_OPERATIONS, 8096);
  assert.equal(GROUP_OPERATIONS, 3400);
  assert.equal(authorizedOperations(false, TOPIC_OPERATIONS), OPERATIONS_NOT_REQUESTED);
  assert.equal(authorizedOperations(true, CLUSTER_OPERATIONS), CLUSTER_OPERATIONS);
});
