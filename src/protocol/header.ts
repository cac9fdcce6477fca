/**
 * Request and response headers.
 *
 * Request header v0: api key, api version, correlation id; v1 adds the client
 * id (always an INT16-length string, even in flexible versions); v2 adds
 * tagged fields. Response header v0 is the correlation id; v1 adds tagged
 * fields. A flexible request version uses header v2 and response header v1,
 * except that ApiVersions responses always use header v0 so that a client can
 * read them before it knows which versions the broker speaks.
 */
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the fixed part of a request header (key, version, correlation id, client id). */
export function readRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  // ControlledShutdown v0 is the only request with header v0; Dafka does not implement it.
  const clientId = reader.nullableString();
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Skips the header's tagged fields (header v2). */
export function skipTaggedFields(reader: Reader): void {
  const count = reader.uvarint();
  for (let index = 0; index < count; index++) {
    reader.uvarint();
    reader.raw(reader.uvarint());
  }
}

/** Writes a request header (used by the simulator's and tests' clients). */
export function writeRequestHeader(writer: Writer, header: RequestHeader, flexible: boolean): void {
  writer.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId);
  writer.nullableString(header.clientId);
  if (flexible) writer.uvarint(0);
}

/** Writes a response header: the correlation id, then empty tagged fields when flexible. */
export function writeResponseHeader(writer: Writer, correlationId: number, flexibleHeader: boolean): void {
  writer.int32(correlationId);
  if (flexibleHeader) writer.uvarint(0);
}
