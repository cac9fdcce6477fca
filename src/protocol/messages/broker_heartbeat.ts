/**
 * BrokerHeartbeat (key 63), versions 0-1, flexible in every version. A
 * registered broker reports its metadata offset to the active controller,
 * which answers whether it is caught up, fenced, or should shut down
 * (KIP-631).
 *
 * Request: v1 adds the tagged ids of offline log directories (KIP-858). The
 * response is the same in every version.
 */
import { type ApiSchema, arrayOf, field } from "../schema.ts";

export const brokerHeartbeat = {
  apiKey: 63,
  name: "BrokerHeartbeat",
  versions: "0-1",
  flexible: "0+",
  request: [
    field("brokerId", "int32", "0+"),
    field("brokerEpoch", "int64", "0+", { default: -1 }),
    field("currentMetadataOffset", "int64", "0+"),
    field("wantFence", "bool", "0+"),
    field("wantShutDown", "bool", "0+"),
    field("offlineLogDirs", arrayOf("uuid"), "1+", { tag: 0 }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("isCaughtUp", "bool", "0+", { default: false }),
    field("isFenced", "bool", "0+", { default: true }),
    field("shouldShutDown", "bool", "0+"),
  ],
} as const satisfies ApiSchema;
