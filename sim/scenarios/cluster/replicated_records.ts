/**
 * The records of the replicated-topic workload: each value names its record
 * uniquely ("<producer>.<batch>/<index>" and some padding), so that the
 * checkers can tell which acknowledged record a log holds at an offset.
 */
import { buildBatch, NO_PRODUCER_ID, NO_SEQUENCE } from "../../../src/protocol/mod.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PREFIX = "rec:";
const SEPARATOR = "|";

/** The id a record's value carries, or null for a value not written by the workload. */
export function recordIdOfValue(value: Uint8Array | null): string | null {
  if (value === null) return null;
  const text = decoder.decode(value);
  if (!text.startsWith(PREFIX)) return null;
  const end = text.indexOf(SEPARATOR);
  return text.slice(PREFIX.length, end < 0 ? undefined : end);
}

export interface ProducedBatch {
  ids: string[];
  bytes: Uint8Array;
}

/** A batch of `count` records named `${batchId}/${index}`, with the producer's id and sequence when idempotent. */
export function makeReplicatedBatch(options: {
  random: SeededRandom;
  batchId: string;
  count: number;
  timestampMs: number;
  producer: { id: number; epoch: number; baseSequence: number } | null;
}): ProducedBatch {
  const ids = Array.from({ length: options.count }, (_, index) => `${options.batchId}/${index}`);
  const records = ids.map((id) => ({
    timestamp: options.timestampMs,
    key: options.random.chance(0.5) ? encoder.encode(`k${options.random.int(10)}`) : null,
    value: encoder.encode(`${PREFIX}${id}${SEPARATOR}${"x".repeat(options.random.int(40))}`),
    headers: [],
  }));
  const bytes = buildBatch({
    records,
    producerId: options.producer?.id ?? NO_PRODUCER_ID,
    producerEpoch: options.producer?.epoch ?? -1,
    baseSequence: options.producer?.baseSequence ?? NO_SEQUENCE,
  });
  return { ids, bytes };
}
