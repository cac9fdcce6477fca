/**
 * AlterPartition (key 56), versions 0-3, flexible in every version. The
 * leader of a partition asks the active controller to change its ISR
 * (KIP-497), or to mark it recovered after an unclean election (KIP-704).
 * Only controllers serve it, so a broker's ApiVersions does not advertise it.
 *
 * Request: v1 adds the leader recovery state, v2 names topics by id instead
 * of name (KIP-841), v3 gives each ISR member with its broker epoch
 * (`newIsrWithEpochs`, KIP-903) instead of the plain `newIsr`.
 *
 * Response: v1 adds the leader recovery state, v2 names topics by id and may
 * answer INELIGIBLE_REPLICA, NEW_LEADER_ELECTED and UNKNOWN_TOPIC_ID; v3 is v2.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const alterPartition = {
  apiKey: 56,
  name: "AlterPartition",
  versions: "0-3",
  flexible: "0+",
  request: [
    field("brokerId", "int32", "0+"),
    field("brokerEpoch", "int64", "0+", { default: -1 }),
    field(
      "topics",
      structs([
        field("topicName", "string", "0-1"),
        field("topicId", "uuid", "2+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("leaderEpoch", "int32", "0+"),
            field("newIsr", arrayOf("int32"), "0-2"),
            field(
              "newIsrWithEpochs",
              structs([
                field("brokerId", "int32", "3+"),
                field("brokerEpoch", "int64", "3+", { default: -1 }),
              ]),
              "3+",
            ),
            field("leaderRecoveryState", "int8", "1+", { default: 0 }),
            field("partitionEpoch", "int32", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field(
      "topics",
      structs([
        field("topicName", "string", "0-1"),
        field("topicId", "uuid", "2+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("leaderId", "int32", "0+"),
            field("leaderEpoch", "int32", "0+"),
            field("isr", arrayOf("int32"), "0+"),
            field("leaderRecoveryState", "int8", "1+", { default: 0 }),
            field("partitionEpoch", "int32", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
