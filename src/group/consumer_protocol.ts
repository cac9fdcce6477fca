/**
 * The embedded "consumer" protocol of classic groups, read only as far as the
 * coordinator needs it: the topics a member subscribes to. Every version of a
 * ConsumerProtocolSubscription begins with what version 0 has (an int16
 * version, then an int32 count of int16-length topic names), so reading that
 * prefix works for subscriptions from any client, as Kafka does.
 */
import { Reader } from "../protocol/mod.ts";

/** The protocol type of Kafka consumers in classic groups. */
export const CONSUMER_PROTOCOL_TYPE = "consumer";

/** The topics named by a subscription, or null when the bytes are not a subscription. */
export function subscribedTopicsOf(metadata: Uint8Array): string[] | null {
  try {
    const reader = new Reader(metadata);
    const version = reader.int16();
    if (version < 0) return null;
    // Each name takes at least its two length bytes: a larger count is garbage.
    const count = reader.int32();
    if (count < 0 || count * 2 > reader.remaining) return null;
    const topics: string[] = [];
    for (let index = 0; index < count; index++) {
      const topic = reader.nullableString();
      if (topic === null) return null;
      topics.push(topic);
    }
    return topics;
  } catch {
    return null;
  }
}
