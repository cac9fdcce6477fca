/**
 * Produce (key 0), versions 0-11.
 *
 * Request: v3 adds the transactional id and requires record batches (magic 2);
 * v0-2 carry old message sets. v4-v8 change only which errors a client must
 * accept (storage errors, zstd in v7). v9 is flexible. v10 and v11 have the
 * same layout (they announce KIP-951 leader hints and the TRANSACTION_ABORTABLE
 * error).
 *
 * Response: v1 adds the throttle time, v2 the log append time, v5 the log
 * start offset, v8 per-record errors and a batch error message, v9 is
 * flexible, v10 adds tagged leader hints (current leader per partition and
 * the endpoints of those leaders, KIP-951).
 */
import { type ApiSchema, field, struct, structs } from "../schema.ts";

export const produce = {
  apiKey: 0,
  name: "Produce",
  versions: "0-11",
  flexible: "9+",
  request: [
    field("transactionalId", "string", "3+", { nullable: "3+", default: null }),
    field("acks", "int16", "0+"),
    field("timeoutMs", "int32", "0+"),
    field(
      "topicData",
      structs([
        field("name", "string", "0+"),
        field(
          "partitionData",
          structs([
            field("index", "int32", "0+"),
            field("records", "records", "0+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
  response: [
    field(
      "responses",
      structs([
        field("name", "string", "0+"),
        field(
          "partitionResponses",
          structs([
            field("index", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("baseOffset", "int64", "0+"),
            field("logAppendTimeMs", "int64", "2+", { default: -1 }),
            field("logStartOffset", "int64", "5+", { default: -1 }),
            field(
              "recordErrors",
              structs([
                field("batchIndex", "int32", "8+"),
                field("batchIndexErrorMessage", "string", "8+", { nullable: "8+", default: null }),
              ]),
              "8+",
            ),
            field("errorMessage", "string", "8+", { nullable: "8+", default: null }),
            field(
              "currentLeader",
              struct([
                field("leaderId", "int32", "10+", { default: -1 }),
                field("leaderEpoch", "int32", "10+", { default: -1 }),
              ]),
              "10+",
              { tag: 0 },
            ),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field("throttleTimeMs", "int32", "1+"),
    field(
      "nodeEndpoints",
      structs([
        field("nodeId", "int32", "10+"),
        field("host", "string", "10+"),
        field("port", "int32", "10+"),
        field("rack", "string", "10+", { nullable: "10+", default: null }),
      ]),
      "10+",
      { tag: 0 },
    ),
  ],
} as const satisfies ApiSchema;
