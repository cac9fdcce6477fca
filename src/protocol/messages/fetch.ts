/**
 * Fetch (key 1), versions 0-16.
 *
 * Request: v3 adds a response size limit (partitions answered in request
 * order), v4 the isolation level (and record batches, magic 2), v5 the
 * follower's log start offset, v7 incremental fetch sessions (session id and
 * epoch, forgotten topics), v9 the current leader epoch for fencing (KIP-320),
 * v11 the rack of the consumer (KIP-392), v12 is flexible and adds the last
 * fetched epoch and the tagged cluster id, v13 names topics by id instead of
 * name (KIP-516), v15 moves the replica id into a tagged replica state with
 * the broker epoch (KIP-903). v6, v8, v10, v14 and v16 change no fields.
 *
 * Response: v1 adds the throttle time, v4 the last stable offset and the
 * aborted transactions, v5 the log start offset, v7 a top-level error and the
 * session id, v11 the preferred read replica, v12 is flexible with tagged
 * diverging epoch, current leader and snapshot id per partition, v13 names
 * topics by id, v16 adds the tagged endpoints of new leaders (KIP-951).
 */
import { type ApiSchema, arrayOf, field, struct, structs } from "../schema.ts";

export const fetchApi = {
  apiKey: 1,
  name: "Fetch",
  versions: "0-16",
  flexible: "12+",
  request: [
    field("clusterId", "string", "12+", { nullable: "12+", tag: 0, default: null }),
    field("replicaId", "int32", "0-14", { default: -1 }),
    field(
      "replicaState",
      struct([
        field("replicaId", "int32", "15+", { default: -1 }),
        field("replicaEpoch", "int64", "15+", { default: -1 }),
      ]),
      "15+",
      { tag: 1 },
    ),
    field("maxWaitMs", "int32", "0+"),
    field("minBytes", "int32", "0+"),
    field("maxBytes", "int32", "3+", { default: 0x7fffffff }),
    field("isolationLevel", "int8", "4+"),
    field("sessionId", "int32", "7+"),
    field("sessionEpoch", "int32", "7+", { default: -1 }),
    field(
      "topics",
      structs([
        field("topic", "string", "0-12"),
        field("topicId", "uuid", "13+"),
        field(
          "partitions",
          structs([
            field("partition", "int32", "0+"),
            field("currentLeaderEpoch", "int32", "9+", { default: -1 }),
            field("fetchOffset", "int64", "0+"),
            field("lastFetchedEpoch", "int32", "12+", { default: -1 }),
            field("logStartOffset", "int64", "5+", { default: -1 }),
            field("partitionMaxBytes", "int32", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field(
      "forgottenTopicsData",
      structs([
        field("topic", "string", "7-12"),
        field("topicId", "uuid", "13+"),
        field("partitions", arrayOf("int32"), "7+"),
      ]),
      "7+",
    ),
    field("rackId", "string", "11+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field("errorCode", "int16", "7+"),
    field("sessionId", "int32", "7+"),
    field(
      "responses",
      structs([
        field("topic", "string", "0-12"),
        field("topicId", "uuid", "13+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("highWatermark", "int64", "0+"),
            field("lastStableOffset", "int64", "4+", { default: -1 }),
            field("logStartOffset", "int64", "5+", { default: -1 }),
            field(
              "divergingEpoch",
              struct([
                field("epoch", "int32", "12+", { default: -1 }),
                field("endOffset", "int64", "12+", { default: -1 }),
              ]),
              "12+",
              { tag: 0 },
            ),
            field(
              "currentLeader",
              struct([
                field("leaderId", "int32", "12+", { default: -1 }),
                field("leaderEpoch", "int32", "12+", { default: -1 }),
              ]),
              "12+",
              { tag: 1 },
            ),
            field(
              "snapshotId",
              struct([
                field("endOffset", "int64", "0+", { default: -1 }),
                field("epoch", "int32", "0+", { default: -1 }),
              ]),
              "12+",
              { tag: 2 },
            ),
            field(
              "abortedTransactions",
              structs([
                field("producerId", "int64", "4+"),
                field("firstOffset", "int64", "4+"),
              ]),
              "4+",
              { nullable: "4+" },
            ),
            field("preferredReadReplica", "int32", "11+", { default: -1 }),
            field("records", "records", "0+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field(
      "nodeEndpoints",
      structs([
        field("nodeId", "int32", "16+"),
        field("host", "string", "16+"),
        field("port", "int32", "16+"),
        field("rack", "string", "16+", { nullable: "16+", default: null }),
      ]),
      "16+",
      { tag: 0 },
    ),
  ],
} as const satisfies ApiSchema;
