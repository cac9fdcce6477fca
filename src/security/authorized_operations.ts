/**
 * The operations a client may perform on a resource, as the 32-bit fields that Metadata
 * (topicAuthorizedOperations, clusterAuthorizedOperations), DescribeCluster and DescribeGroups report.
 * Dafka has no authorizer yet, so, as Kafka does without one, every operation the resource type
 * supports is allowed. Bit n stands for Kafka's AclOperation code n.
 */

/** Kafka's AclOperation codes. */
export const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;

/** The value of an authorized-operations field the client did not ask for (Kafka's schema default). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

function bits(operations: readonly number[]): number {
  return operations.reduce((field, operation) => field | (1 << operation), 0);
}

const { READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS } =
  AclOperation;

/** Every operation a topic supports (Kafka's AclEntry.supportedOperations(TOPIC)). */
export const TOPIC_OPERATIONS = bits([
  READ,
  WRITE,
  CREATE,
  DESCRIBE,
  DELETE,
  ALTER,
  DESCRIBE_CONFIGS,
  ALTER_CONFIGS,
]);

/** Every operation the cluster resource supports. */
export const CLUSTER_OPERATIONS = bits([
  CREATE,
  CLUSTER_ACTION,
  DESCRIBE_CONFIGS,
  ALTER_CONFIGS,
  AclOperation.IDEMPOTENT_WRITE,
  ALTER,
  DESCRIBE,
]);

/** Every operation a group supports. */
export const GROUP_OPERATIONS = bits([READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS, ALTER_CONFIGS]);

/** What an authorized-operations field holds: every supported operation when asked for, else the default. */
export function authorizedOperations(requested: boolean, supported: number): number {
  return requested ? supported : OPERATIONS_NOT_REQUESTED;
}
