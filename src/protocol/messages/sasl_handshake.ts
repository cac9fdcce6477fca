/**
 * SaslHandshake (key 17), versions 0-1, never flexible.
 *
 * v0 is followed by raw SASL tokens on the socket; v1 by SaslAuthenticate
 * requests. The fields are the same in both versions. Kafka cannot add a v2
 * because clients up to 2.4 negotiate this version wrongly (KAFKA-9577).
 */
import { type ApiSchema, arrayOf, field } from "../schema.ts";

export const saslHandshake = {
  apiKey: 17,
  name: "SaslHandshake",
  versions: "0-1",
  flexible: "none",
  request: [
    field("mechanism", "string", "0+"),
  ],
  response: [
    field("errorCode", "int16", "0+"),
    field("mechanisms", arrayOf("string"), "0+"),
  ],
} as const satisfies ApiSchema;
