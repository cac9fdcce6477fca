/**
 * What the group handlers share: who sent the request, as the coordinator
 * records it (client id, and the client's address the way Kafka prints it:
 * "/127.0.0.1").
 */
import type { GroupRequestSource } from "../../group_driver.ts";
import type { RequestContext } from "../../handler.ts";

/** The request's source: client id, the client's host as Kafka prints it ("/host"), API version. */
export function groupRequestSource(context: RequestContext): GroupRequestSource {
  const address = context.clientAddress;
  return {
    clientId: context.header.clientId ?? "",
    clientHost: address === "" ? "" : `/${hostOf(address)}`,
    apiVersion: context.version,
  };
}

/** The host part of "host:port" or "[v6]:port". */
function hostOf(address: string): string {
  const colon = address.lastIndexOf(":");
  const host = colon < 0 ? address : address.slice(0, colon);
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
