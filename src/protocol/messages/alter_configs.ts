/**
 * AlterConfigs (key 33), versions 0-2.
 *
 * v1 changes no fields (the response is sent before throttling), v2 is
 * flexible. The request replaces a resource's whole set of dynamic configs.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const alterConfigs = {
  apiKey: 33,
  name: "AlterConfigs",
  versions: "0-2",
  flexible: "2+",
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
