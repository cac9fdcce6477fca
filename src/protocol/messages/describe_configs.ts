/**
 * DescribeConfigs (key 32), versions 0-4.
 *
 * Request: v1 adds whether to include synonyms, v3 whether to include
 * documentation, v4 is flexible. v2 changes nothing.
 *
 * Response: v1 replaces the is-default flag by a config source and adds
 * synonyms, v3 adds the config type and documentation, v4 is flexible. v2
 * changes no fields (the response is sent before throttling).
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const describeConfigs = {
  apiKey: 32,
  name: "DescribeConfigs",
  versions: "0-4",
  flexible: "4+",
  request: [
    field(
      "resources",
      structs([
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        field("configurationKeys", arrayOf("string"), "0+", { nullable: "0+" }),
      ]),
      "0+",
    ),
    field("includeSynonyms", "bool", "1+"),
    field("includeDocumentation", "bool", "3+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field(
      "results",
      structs([
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        field(
          "configs",
          structs([
            field("name", "string", "0+"),
            field("value", "string", "0+", { nullable: "0+" }),
            field("readOnly", "bool", "0+"),
            field("isDefault", "bool", "0"),
            // In v0 the source is implied by the resource; -1 only marks "not sent".
            field("configSource", "int8", "1+", { default: -1 }),
            field("isSensitive", "bool", "0+"),
            field(
              "synonyms",
              structs([
                field("name", "string", "1+"),
                field("value", "string", "1+", { nullable: "0+" }),
                field("source", "int8", "1+"),
              ]),
              "1+",
            ),
            field("configType", "int8", "3+"),
            field("documentation", "string", "3+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
