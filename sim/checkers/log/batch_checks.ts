/**
 * Checks of fetched batches that need no history: the batches are intact,
 * their offsets are dense and increasing, they stay below the high
 * watermark, and each one equals, record for record and byte for byte, a
 * batch that a producer sent. Each check returns what is wrong as a
 * sentence, or null.
 */
import {
  type BatchHeader,
  decodeBatch,
  type DecodedBatch,
  NO_PRODUCER_ID,
  scanBatches,
} from "../../../src/protocol/mod.ts";
import type { AttemptedBatch, Ledger } from "./ledger.ts";
import { contentDifference, recordIdOf } from "../../scenarios/node/records.ts";

/** The headers of the whole batches of a fetched record set (a partial batch at the end is left out, as clients do). */
export function batchHeadersOf(records: Uint8Array): BatchHeader[] {
  return scanBatches(records).headers;
}

/** One batch of a fetched record set, its CRC checked and its records decoded, or why it cannot be read. */
export function decodeFetched(records: Uint8Array, header: BatchHeader): DecodedBatch | string {
  try {
    return decodeBatch(records, header.position);
  } catch (error) {
    return `undecodable batch at ${header.baseOffset}: ${(error as Error).message}`;
  }
}

/** The first batch covers `fetchOffset`, each next one starts where the previous ended, all below the high watermark. */
export function offsetProblem(
  headers: BatchHeader[],
  fetchOffset: number,
  highWatermark: number,
): string | null {
  let expected = fetchOffset;
  for (const [index, header] of headers.entries()) {
    const last = header.baseOffset + header.lastOffsetDelta;
    if (index === 0 && (header.baseOffset > fetchOffset || last < fetchOffset)) {
      return `fetch at ${fetchOffset} returned first batch ${header.baseOffset}-${last}`;
    }
    if (index > 0 && header.baseOffset !== expected) {
      return `batch at ${header.baseOffset} follows a batch ending at ${expected - 1}`;
    }
    if (last >= highWatermark) {
      return `batch ${header.baseOffset}-${last} reaches past the high watermark ${highWatermark}`;
    }
    expected = last + 1;
  }
  return null;
}

/** The batch a fetched one claims to be (by its first record's id), or why it is none. */
export function sentBatchOf(batch: DecodedBatch, ledger: Ledger): AttemptedBatch | string {
  const first = batch.records[0];
  if (first === undefined) return `empty batch at ${batch.header.baseOffset}`;
  const id = recordIdOf(first);
  if (id === null) return `record at ${first.offset} carries no id`;
  const located = ledger.locate(id);
  if (located === undefined) return `record ${id} at ${first.offset} was never sent`;
  if (located.index !== 0) {
    return `batch at ${batch.header.baseOffset} starts with record ${id}, not a batch's first`;
  }
  return located.batch;
}

/** Compares a fetched batch with the batch that was sent, record by record. */
export function batchDifference(
  batch: DecodedBatch,
  sent: AttemptedBatch,
  topic: string,
  partition: number,
): string | null {
  const { header, records } = batch;
  const where = `batch ${sent.batchId} at ${header.baseOffset}`;
  if (sent.topic !== topic || sent.partition !== partition) {
    return `${where} was sent to ${sent.topic}-${sent.partition}, found in ${topic}-${partition}`;
  }
  if (records.length !== sent.records.length || header.lastOffsetDelta !== sent.records.length - 1) {
    return `${where} has ${records.length} records (last offset delta ${header.lastOffsetDelta}), ${sent.records.length} were sent`;
  }
  if (
    header.producerId !== sent.producerId || header.producerEpoch !== sent.producerEpoch ||
    header.baseSequence !== sent.baseSequence
  ) {
    return `${where} has producer ${header.producerId}/${header.producerEpoch}/${header.baseSequence}, ` +
      `sent as ${sent.producerId}/${sent.producerEpoch}/${sent.baseSequence}`;
  }
  for (const [index, record] of records.entries()) {
    if (record.offset !== header.baseOffset + index) {
      return `${where}: record ${index} has offset ${record.offset}`;
    }
    const id = recordIdOf(record);
    if (id !== sent.records[index]!.id) {
      return `${where}: record ${index} is ${id}, sent ${sent.records[index]!.id}`;
    }
    const difference = contentDifference(sent.records[index]!, record);
    if (difference !== null) return `${where}: record ${id}: ${difference}`;
  }
  return null;
}

/** Batches of one idempotent producer follow each other's sequences in the log (checked over a whole log). */
export function sequenceProblem(headers: BatchHeader[]): string | null {
  const lastByProducer = new Map<string, { sequence: number; offset: number }>();
  for (const header of headers) {
    if (header.producerId === NO_PRODUCER_ID) continue;
    const key = `${header.producerId}/${header.producerEpoch}`;
    const previous = lastByProducer.get(key);
    if (previous !== undefined && header.baseSequence !== previous.sequence + 1) {
      return `producer ${key}: batch at ${header.baseOffset} has sequence ${header.baseSequence}, ` +
        `the previous one (ending at offset ${previous.offset}) ended at sequence ${previous.sequence}`;
    }
    lastByProducer.set(key, {
      sequence: header.baseSequence + header.lastOffsetDelta,
      offset: header.baseOffset + header.lastOffsetDelta,
    });
  }
  return null;
}
