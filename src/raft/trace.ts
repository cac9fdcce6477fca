/**
 * Traces of a RaftNode, for checking the implementation against the Quint
 * spec step by step: each input the node handled (a message, a tick, a
 * proposal, a Ready handed out, an advance) with the node's whole state
 * after it. Set `RaftNodeOptions.trace` to receive them.
 *
 * `traceToJson` writes an entry as one line of JSON: record values and
 * snapshot bytes as hex strings, and non-finite deadlines as strings.
 */
import type { RaftEnvelope } from "./messages.ts";
import type { RaftNodeState } from "./node_state.ts";
import type { Ready } from "./ready.ts";
import type { SnapshotId } from "./types.ts";

/** What the node was given (or asked for). */
export type TraceInput =
  | { kind: "start" }
  | { kind: "step"; nowMs: number; message: RaftEnvelope }
  | { kind: "tick"; nowMs: number }
  | { kind: "propose"; nowMs: number; values: Uint8Array[]; errorCode: number }
  | { kind: "resign"; nowMs: number }
  | { kind: "recordSnapshot"; snapshotId: SnapshotId }
  /** AddRaftVoter, RemoveRaftVoter or UpdateRaftVoter on the node (KIP-853). */
  | {
    kind: "voterChange";
    nowMs: number;
    change: "add" | "remove" | "update";
    voterId: number;
    errorCode: number;
  }
  | { kind: "ready"; ready: Ready }
  | { kind: "advance"; nowMs: number };

export interface TraceEntry {
  nodeId: number;
  /** Counts the node's entries from 0 (per RaftNode instance). */
  sequence: number;
  input: TraceInput;
  /** The state right after the input (with the log's batches). */
  state: RaftNodeState;
}

/** Receives trace entries. */
export type TraceSink = (entry: TraceEntry) => void;

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/** One JSON line for an entry. */
export function traceToJson(entry: TraceEntry | Record<string, unknown>): string {
  return JSON.stringify(entry, (_key, value) => {
    if (value instanceof Uint8Array) return hex(value);
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    return value;
  });
}
