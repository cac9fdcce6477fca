/**
 * BrokerRegistration (key 62), versions 0-4, flexible in every version. A
 * broker registers with the active controller at start-up and gets its
 * broker epoch (KIP-631).
 *
 * Request: v1 adds the ZooKeeper-migration flag, v2 the broker's log
 * directory ids (KIP-858), v3 the epoch before a clean shutdown (KIP-966), v4
 * changes no field (it lets a feature's minimum supported version be 0,
 * KAFKA-17011). The response is the same in every version.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const brokerRegistration = {
  apiKey: 62,
  name: "BrokerRegistration",
  versions: "0-4",
  flexible: "0+",
  request: [
    field("brokerId", "int32", "0+"),
    field("clusterId", "string", "0+"),
    field("incarnationId", "uuid", "0+"),
    field(
      "listeners",
      structs([
        field("name", "string", "0+"),
        field("host", "string", "0+"),
        field("port", "uint16", "0+"),
        field("securityProtocol", "int16", "0+"),
      ]),
      "0+",
    ),
    field(
      "features",
      structs([
        field("name", "string", "0+"),
        field("minSupportedVersion", "int16", "0+"),
        field("maxSupportedVersion", "int16", "0+"),
      ]),
      "0+",
    ),
    field("rack", "string", "0+", { nullable: "0+" }),
    field("isMigratingZkBroker", "bool", "1+"),
    field("logDirs", arrayOf("uuid"), "2+"),
    field("previousBrokerEpoch", "int64", "3+", { default: -1 }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("brokerEpoch", "int64", "0+", { default: -1 }),
  ],
} as const satisfies ApiSchema;
