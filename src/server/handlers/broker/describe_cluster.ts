/**
 * DescribeCluster (key 60), v0-1 (KIP-700; v1 adds the endpoint type, KIP-919).
 * Brokers and controller as Metadata reports them.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { describeCluster } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { authorizedOperations, CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED } from "../../../security/mod.ts";

const ENDPOINT_TYPE_BROKER = 1;

export const describeClusterHandler: ApiHandler<typeof describeCluster> = {
  schema: describeCluster,
  handle(context, body) {
    const services = context.services;
    const endpointType = body.endpointType ?? ENDPOINT_TYPE_BROKER;
    if (endpointType !== ENDPOINT_TYPE_BROKER) {
      return {
        throttleTimeMs: 0,
        errorCode: context.version >= 1 ? ErrorCode.UNSUPPORTED_ENDPOINT_TYPE : ErrorCode.INVALID_REQUEST,
        errorMessage: "Only the broker endpoint type is supported",
        endpointType,
        clusterId: services.metadata.clusterId,
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType,
      clusterId: services.metadata.clusterId,
      controllerId: services.metadata.controllerIdForClients(),
      brokers: services.metadata.brokerEndpoints(context.listenerName).map((endpoint) => ({
        brokerId: endpoint.nodeId,
        host: endpoint.host,
        port: endpoint.port,
        rack: endpoint.rack,
      })),
      clusterAuthorizedOperations: authorizedOperations(
        body.includeClusterAuthorizedOperations,
        CLUSTER_OPERATIONS,
      ),
    };
  },
};
