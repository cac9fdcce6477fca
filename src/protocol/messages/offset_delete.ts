/**
 * OffsetDelete (key 47), version 0 only, never flexible: deletes a group's
 * committed offsets for some partitions (KIP-496).
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const offsetDelete = {
  apiKey: 47,
  name: "OffsetDelete",
  versions: "0",
  flexible: "none",
  request: [
    field("groupId", "string", "0+"),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field("partitions", structs([field("partitionIndex", "int32", "0+")]), "0+"),
      ]),
      "0+",
    ),
  ],
  response: [
    field("errorCode", "int16", "0+"),
    field("throttleTimeMs", "int32", "0+"),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
