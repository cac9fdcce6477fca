/**
 * The plain data the Raft core works with: log batches and their records,
 * offsets with epochs, the persisted quorum state and the configuration.
 *
 * Everything here is a plain object (numbers, strings, booleans, arrays and
 * `Uint8Array` record values), so that every input and output of the core
 * can be logged, recorded in a trace and replayed.
 */

/** Kafka's sentinel for "no node" (an unknown leader, no vote). */
export const NO_NODE = -1;

/** The topic KRaft replicates: one partition, `__cluster_metadata-0`. */
export const METADATA_TOPIC = "__cluster_metadata";
export const METADATA_PARTITION = 0;

/** An offset and the epoch of the record before it (Kafka's OffsetAndEpoch). */
export interface OffsetAndEpoch {
  offset: number;
  epoch: number;
}

/** A snapshot's id: it holds every record below `endOffset`; `epoch` is that of the last one. */
export interface SnapshotId {
  endOffset: number;
  epoch: number;
}

/** A voter as KRaft's control records list it (static voters have no directory id). */
export interface VoterEntry {
  voterId: number;
}

/** A listener a voter is reached at (a VotersRecord endpoint). */
export interface VoterEndpoint {
  name: string;
  host: string;
  port: number;
}

/**
 * A voter as a VotersRecord lists it (KIP-853): its id, the directory id of
 * its metadata log directory (a 22-character Kafka UUID; null for the
 * static voters of `controller.quorum.voters`), its controller listeners and
 * the kraft.version range it supports.
 */
export interface VoterInfo {
  voterId: number;
  directoryId: string | null;
  endpoints: VoterEndpoint[];
  kraftVersionMin: number;
  kraftVersionMax: number;
}

/** The kraft.version Dafka's nodes support: 0 (static voters) and 1 (KIP-853 dynamic voters). */
export const KRAFT_VERSION_MAX = 1;

/**
 * One record of the replicated log. Data records carry the application's
 * bytes (a metadata record value); the others are KRaft's control records.
 */
export type RaftRecord =
  | { type: "data"; value: Uint8Array }
  | {
    type: "leaderChange";
    /** LeaderChangeMessage version (0 without directory ids). */
    version: number;
    leaderId: number;
    voters: VoterEntry[];
    grantingVoters: VoterEntry[];
  }
  /** KRaftVersionRecord (control type 5): the finalized kraft.version from here on. */
  | { type: "kraftVersion"; version: number; kraftVersion: number }
  /** VotersRecord (control type 6): the whole voter set from here on (KIP-853). */
  | { type: "voters"; version: number; voters: VoterInfo[] }
  /** Another KRaft control record (the snapshot's header and footer), kept as it came. */
  | { type: "control"; controlType: number; value: Uint8Array | null };

/**
 * One record batch of the log, as a leader appended it: consecutive
 * offsets from `baseOffset`, one per record. A control batch holds only
 * control records, a data batch only data records.
 */
export interface RaftBatch {
  baseOffset: number;
  /** The leader epoch that appended it (the batch's partitionLeaderEpoch). */
  epoch: number;
  /** The leader's clock when it appended the batch. */
  appendTimeMs: number;
  control: boolean;
  records: RaftRecord[];
}

/** The last offset of a batch. */
export function lastOffsetOf(batch: RaftBatch): number {
  return batch.baseOffset + batch.records.length - 1;
}

/** The offset after a batch. */
export function endOffsetOf(batch: RaftBatch): number {
  return batch.baseOffset + batch.records.length;
}

function recordValueBytes(record: RaftRecord): number {
  switch (record.type) {
    case "leaderChange":
    case "kraftVersion":
      return 32;
    case "voters":
      return 64 * record.voters.length;
    default:
      return record.value?.length ?? 0;
  }
}

/** Bytes a batch takes in Kafka's format, close enough to bound Fetch responses. */
export function approximateBatchBytes(batch: RaftBatch): number {
  const recordOverheadBytes = 16;
  let total = 61;
  for (const record of batch.records) {
    total += recordOverheadBytes + recordValueBytes(record);
  }
  return total;
}

/**
 * What KRaft keeps in the `quorum-state` file: the election this node last
 * knew of. Written (and synced) before any message that depends on it.
 */
export interface QuorumStateRecord {
  epoch: number;
  /** The leader of `epoch`, or -1 when unknown. */
  leaderId: number;
  /** The candidate this node voted for in `epoch`, or -1. */
  votedId: number;
}

/** Timeouts and limits, named after Kafka's `controller.quorum.*` settings. */
export interface RaftTimeouts {
  /** controller.quorum.election.timeout.ms: the base of the randomised election timeout. */
  electionTimeoutMs: number;
  /** controller.quorum.election.backoff.max.ms: the longest wait after EndQuorumEpoch. */
  electionBackoffMaxMs: number;
  /** controller.quorum.fetch.timeout.ms: a follower without a good fetch this long campaigns. */
  fetchTimeoutMs: number;
  /** controller.quorum.request.timeout.ms: an unanswered request is given up after this. */
  requestTimeoutMs: number;
  /** controller.quorum.retry.backoff.ms: the wait before retrying a failed request. */
  retryBackoffMs: number;
  /** How long the leader may hold a Fetch that has nothing new (Kafka's 500 ms). */
  fetchMaxWaitMs: number;
  /** The most bytes of batches per Fetch response. */
  fetchMaxBytes: number;
  /** The most snapshot bytes per FetchSnapshot response. */
  fetchSnapshotMaxBytes: number;
}

/** Kafka's defaults. */
export const DEFAULT_RAFT_TIMEOUTS: RaftTimeouts = {
  electionTimeoutMs: 1000,
  electionBackoffMaxMs: 1000,
  fetchTimeoutMs: 2000,
  requestTimeoutMs: 2000,
  retryBackoffMs: 20,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 8 * 1024 * 1024,
  fetchSnapshotMaxBytes: 8 * 1024 * 1024,
};

/**
 * Deliberate bugs for testing the checkers: each breaks a Raft safety rule.
 * Never set outside tests.
 */
export interface PlantedBugs {
  /** The leader commits entries of earlier epochs by counting replicas (no own-epoch record first). */
  commitPreviousEpochByCounting?: boolean;
  /** A voter grants a vote to any candidate with an up-to-date log, even after voting in the epoch. */
  voteTwiceInOneEpoch?: boolean;
  /** The leader changes the voter set again before the previous change is committed (KIP-853 forbids it). */
  overlappingVoterChanges?: boolean;
}
