/** What the wire conversions of the Raft messages share. */
import { ErrorCode } from "../protocol/mod.ts";

export const RaftApiKey = {
  FETCH: 1,
  VOTE: 52,
  BEGIN_QUORUM_EPOCH: 53,
  END_QUORUM_EPOCH: 54,
  DESCRIBE_QUORUM: 55,
  FETCH_SNAPSHOT: 59,
  UPDATE_RAFT_VOTER: 82,
} as const;

/** Kafka's Uuid.METADATA_TOPIC_ID (0, 1): the metadata topic's fixed id. */
export const METADATA_TOPIC_ID: Uint8Array = Uint8Array.from(
  { length: 16 },
  (_, index) => index === 15 ? 1 : 0,
);

export const ZERO_UUID = new Uint8Array(16);

/** Fetch's tagged high watermark is absent before v17: the fetcher's is then unknown (never lower). */
export const UNKNOWN_FETCHER_HIGH_WATERMARK = Number.MAX_SAFE_INTEGER;

/** Errors KRaft reports for the whole request rather than for the partition. */
export const TOP_LEVEL_ERRORS: ReadonlySet<number> = new Set([ErrorCode.INCONSISTENT_CLUSTER_ID]);

export function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}
