/**
 * DescribeCluster (key 60), versions 0-1, flexible in every version.
 *
 * v1 adds the endpoint type (1 brokers, 2 controllers; KIP-919) to the
 * request and the response.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const describeCluster = {
  apiKey: 60,
  name: "DescribeCluster",
  versions: "0-1",
  flexible: "0+",
  request: [
    field("includeClusterAuthorizedOperations", "bool", "0+"),
    field("endpointType", "int8", "1+", { default: 1 }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
    field("endpointType", "int8", "1+", { default: 1 }),
    field("clusterId", "string", "0+"),
    field("controllerId", "int32", "0+", { default: -1 }),
    field(
      "brokers",
      structs([
        field("brokerId", "int32", "0+"),
        field("host", "string", "0+"),
        field("port", "int32", "0+"),
        field("rack", "string", "0+", { nullable: "0+", default: null }),
      ]),
      "0+",
    ),
    field("clusterAuthorizedOperations", "int32", "0+", { default: -2147483648 }),
  ],
} as const satisfies ApiSchema;
