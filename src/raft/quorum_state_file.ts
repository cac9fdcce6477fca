/**
 * The `quorum-state` file in the metadata log's folder, as KRaft writes it
 * (FileQuorumStateStore): one line of JSON with the election this node last
 * knew of, and a `data_version`. Version 0 (static voters, kraft.version 0)
 * also lists the voters; version 1 (KIP-853) adds the voted replica's
 * directory id instead:
 *
 *   {"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,
 *    "currentVoters":[{"voterId":1},{"voterId":2}],"data_version":0}
 *   {"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1}
 *
 * Written through a temporary file and a rename, then synced.
 */
import type { Disk } from "../io/mod.ts";
import type { QuorumStateRecord } from "./types.ts";

export const QUORUM_STATE_FILE = "quorum-state";

/** The all-zero directory id (Kafka's ReplicaKey.NO_DIRECTORY_ID), base64url without padding. */
const NO_DIRECTORY_ID = "AAAAAAAAAAAAAAAAAAAAAA";

/** Thrown for a `quorum-state` file Dafka cannot read. */
export class QuorumStateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuorumStateFormatError";
  }
}

/** The file's JSON for `state`; `voters` are listed in version 0. */
export function formatQuorumState(
  state: QuorumStateRecord,
  options: { voters: readonly number[]; dataVersion?: 0 | 1 },
): string {
  if ((options.dataVersion ?? 0) === 1) {
    return JSON.stringify({
      leaderId: state.leaderId,
      leaderEpoch: state.epoch,
      votedId: state.votedId,
      votedDirectoryId: NO_DIRECTORY_ID,
      data_version: 1,
    });
  }
  return JSON.stringify({
    clusterId: "",
    leaderId: state.leaderId,
    leaderEpoch: state.epoch,
    votedId: state.votedId,
    appliedOffset: 0,
    currentVoters: [...options.voters].sort((left, right) => left - right).map((voterId) => ({ voterId })),
    data_version: 0,
  });
}

function integerField(data: Record<string, unknown>, name: string): number {
  const value = data[name];
  if (value === undefined) return -1;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new QuorumStateFormatError(`quorum-state field ${name} is not an integer`);
  }
  return value;
}

/** Parses the file's text (either version). */
export function parseQuorumState(text: string): QuorumStateRecord {
  let data: unknown;
  try {
    data = JSON.parse(text.split("\n")[0] ?? "");
  } catch (error) {
    throw new QuorumStateFormatError(`quorum-state is not JSON: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new QuorumStateFormatError("quorum-state is not a JSON object");
  }
  const fields = data as Record<string, unknown>;
  const version = fields.data_version;
  if (version !== 0 && version !== 1) {
    throw new QuorumStateFormatError(`unsupported data_version ${String(version)}`);
  }
  return {
    epoch: integerField(fields, "leaderEpoch"),
    leaderId: integerField(fields, "leaderId"),
    votedId: integerField(fields, "votedId"),
  };
}

/** Reads `<directory>/quorum-state`, or null when there is none. */
export function readQuorumState(disk: Disk, directory: string): QuorumStateRecord | null {
  const bytes = disk.readFile(`${directory}/${QUORUM_STATE_FILE}`);
  if (bytes === null) return null;
  return parseQuorumState(new TextDecoder().decode(bytes));
}

/** Writes `<directory>/quorum-state` durably. */
export function writeQuorumState(
  disk: Disk,
  directory: string,
  state: QuorumStateRecord,
  options: { voters: readonly number[]; dataVersion?: 0 | 1 },
): void {
  disk.mkdirs(directory);
  disk.writeFileAtomic(
    `${directory}/${QUORUM_STATE_FILE}`,
    new TextEncoder().encode(formatQuorumState(state, options)),
  );
}
