/**
 * Deliberate bugs for testing the node simulator's checkers, planted from
 * outside the node code so that nothing in src/ carries test-only switches:
 * the simulator swaps a method for the length of one run and puts it back.
 *
 * - "trust-client-max-timestamp": the batch's MaxTimestamp is the one the
 *   client wrote, as before commit 8e2c802 (Produce recomputed nothing).
 *   librdkafka writes 0 there for records stamped -1, so their segment
 *   looks 56 years old and retention deletes minutes-old records.
 */
import { PartitionLog } from "../../src/log/mod.ts";
import { decodeBatch, readBatchHeader, setCreateTimeMaxTimestamp } from "../../src/protocol/mod.ts";
import type { Ledger } from "../checkers/log/ledger.ts";
import { recordIdOf } from "../scenarios/node/records.ts";

/** The bugs a node run can plant, by their command-line names. */
export const NODE_BUGS = ["trust-client-max-timestamp"] as const;
export type NodeBug = typeof NODE_BUGS[number];

/** Plants `bug` for the run whose producers fill `ledger`; returns the function that removes it. */
export function plantNodeBug(bug: NodeBug, ledger: Ledger): () => void {
  switch (bug) {
    case "trust-client-max-timestamp":
      return trustClientMaxTimestamp(ledger);
  }
}

function trustClientMaxTimestamp(ledger: Ledger): () => void {
  const prototype = PartitionLog.prototype;
  const append = prototype.append;
  prototype.append = function (bytes, options) {
    // Validation has already written the records' largest timestamp into the header: put the client's back.
    if ((options.origin ?? "client") === "client") restoreClientMaxTimestamp(bytes, ledger);
    return append.call(this, bytes, options);
  };
  return () => {
    prototype.append = append;
  };
}

/** Writes the MaxTimestamp the producer sent (as the ledger knows it) into a workload batch. */
function restoreClientMaxTimestamp(bytes: Uint8Array, ledger: Ledger): void {
  const first = decodeBatch(bytes, 0).records[0];
  const id = first === undefined ? null : recordIdOf(first);
  const sent = id === null ? undefined : ledger.locate(id)?.batch;
  if (sent === undefined) return;
  const header = readBatchHeader(bytes, 0);
  if (header.maxTimestamp !== sent.headerMaxTimestampMs) {
    setCreateTimeMaxTimestamp(bytes, header, sent.headerMaxTimestampMs);
  }
}
