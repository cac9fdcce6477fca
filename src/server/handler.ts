/**
 * What a request handler is, and what it is given.
 *
 * One handler per API key (src/server/handlers/). A handler turns a decoded
 * request into a response body; Kafka errors are reported per item as error
 * codes inside that body, while a thrown error means "close the connection".
 */
import type { Message } from "../protocol/codec.ts";
import type { RequestHeader } from "../protocol/header.ts";
import type { ApiSchema } from "../protocol/schema.ts";
import type { Broker } from "./broker.ts";

export interface RequestContext {
  header: RequestHeader;
  /** The request's API version (same as header.apiVersion). */
  version: number;
  broker: Broker;
  /** Identifies the connection (for fetch sessions and logs). */
  connectionId: number;
  /** Size of the request frame in bytes. */
  requestBytes: number;
  /** The client's address as "host:port" (DescribeGroups reports its host). */
  clientAddress: string;
  /** The name of the listener the request came in on (Metadata answers with that listener's endpoints). */
  listenerName: string;
  /** Whether it came in on a controller listener (such requests are never forwarded again). */
  viaControllerListener: boolean;
  /** The APIs served on that listener (what ApiVersions advertises there). */
  handlers?: ReadonlyMap<number, ApiHandler>;
}

export interface ApiHandler {
  /** The API's schema; its `versions` are exactly what ApiVersions advertises. */
  schema: ApiSchema;
  /** Returns the response body, or null when no response is sent (Produce with acks=0). */
  handle(context: RequestContext, body: Message): Message | null | Promise<Message | null>;
}

/** Thrown by a handler to close the connection on purpose (logged in one line, without a stack). */
export class CloseConnection extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "CloseConnection";
  }
}
