/**
 * ApiVersions (key 18), versions 0-4.
 * v1: throttle time in the response. v3: flexible; client software name and
 * version in the request; tagged feature fields in the response (KIP-584).
 * v4: no change (KIP-511 fallback behaviour is the same).
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const apiVersions = {
  apiKey: 18,
  name: "ApiVersions",
  versions: "0-4",
  flexible: "3+",
  request: [
    field("clientSoftwareName", "string", "3+"),
    field("clientSoftwareVersion", "string", "3+"),
  ],
  response: [
    field("errorCode", "int16", "0+"),
    field(
      "apiKeys",
      structs([
        field("apiKey", "int16", "0+"),
        field("minVersion", "int16", "0+"),
        field("maxVersion", "int16", "0+"),
      ]),
      "0+",
    ),
    field("throttleTimeMs", "int32", "1+"),
    field(
      "supportedFeatures",
      structs([
        field("name", "string", "3+"),
        field("minVersion", "int16", "3+"),
        field("maxVersion", "int16", "3+"),
      ]),
      "3+",
      { tag: 0 },
    ),
    field("finalizedFeaturesEpoch", "int64", "3+", { tag: 1, default: -1 }),
    field(
      "finalizedFeatures",
      structs([
        field("name", "string", "3+"),
        field("maxVersionLevel", "int16", "3+"),
        field("minVersionLevel", "int16", "3+"),
      ]),
      "3+",
      { tag: 2 },
    ),
    field("zkMigrationReady", "bool", "3+", { tag: 3 }),
  ],
} as const satisfies ApiSchema;
