/**
 * IncrementalAlterConfigs (key 44), versions 0-1.
 *
 * v1 is flexible; the fields are the same. Each config carries an operation
 * (0 set, 1 delete, 2 append, 3 subtract) instead of replacing the whole set.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const incrementalAlterConfigs = {
  apiKey: 44,
  name: "IncrementalAlterConfigs",
  versions: "0-1",
  flexible: "1+",
  request: [
    field(
      "resources",
      structs([
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        field(
          "configs",
          structs([
            field("name", "string", "0+"),
            field("configOperation", "int8", "0+"),
            field("value", "string", "0+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field("validateOnly", "bool", "0+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field(
      "responses",
      structs([
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
