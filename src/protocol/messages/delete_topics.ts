/**
 * DeleteTopics (key 20), versions 0-6.
 *
 * Request: v0-v3 list topic names; v4 is flexible; v6 replaces the names by
 * topic states that carry a name or a topic id (names may be null then). v5
 * changes no fields (it may answer THROTTLING_QUOTA_EXCEEDED, KIP-599).
 *
 * Response: v1 adds the throttle time, v4 is flexible, v5 adds a per-topic
 * error message, v6 the topic id and allows null names. v2 and v3 change no
 * fields (v3 may answer TOPIC_DELETION_DISABLED).
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const deleteTopics = {
  apiKey: 20,
  name: "DeleteTopics",
  versions: "0-6",
  flexible: "4+",
  request: [
    field(
      "topics",
      structs([
        field("name", "string", "6+", { nullable: "6+", default: null }),
        field("topicId", "uuid", "6+"),
      ]),
      "6+",
    ),
    field("topicNames", arrayOf("string"), "0-5"),
    field("timeoutMs", "int32", "0+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field(
      "responses",
      structs([
        field("name", "string", "0+", { nullable: "6+" }),
        field("topicId", "uuid", "6+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "5+", { nullable: "5+", default: null }),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
