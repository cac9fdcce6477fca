/**
 * DeleteGroups (key 42), versions 0-2.
 *
 * v1 changes no fields (the response is sent before throttling), v2 is
 * flexible.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const deleteGroups = {
  apiKey: 42,
  name: "DeleteGroups",
  versions: "0-2",
  flexible: "2+",
  request: [
    field("groupsNames", arrayOf("string"), "0+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field(
      "results",
      structs([
        field("groupId", "string", "0+"),
        field("errorCode", "int16", "0+"),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
