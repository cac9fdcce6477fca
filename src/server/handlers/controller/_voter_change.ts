/** What the three KIP-853 voter-change handlers share: the request's voter, and Kafka's errors as data. */
import { ErrorCode, KafkaError, uuidToString } from "../../../protocol/mod.ts";
import type { VoterEndpoint } from "../../../raft/mod.ts";

/** The directory id a request names, or null for the zero UUID (any directory). */
export function directoryIdOf(bytes: Uint8Array): string | null {
  return bytes.every((byte) => byte === 0) ? null : uuidToString(bytes);
}

/** The listeners a request gives, as a VotersRecord lists them. */
export function endpointsOf(
  listeners: readonly { name: string; host: string; port: number }[],
): VoterEndpoint[] {
  return listeners.map((listener) => ({ name: listener.name, host: listener.host, port: listener.port }));
}

/** Runs a voter change and reports its outcome as an error code and message (never a thrown error). */
export async function voterChangeOutcome(
  change: () => Promise<void>,
): Promise<{ errorCode: number; errorMessage: string | null }> {
  try {
    await change();
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (error) {
    if (error instanceof KafkaError) return { errorCode: error.code, errorMessage: error.message };
    throw error;
  }
}
