/**
 * The KRaft control records that configure the quorum, as the log holds
 * them (Kafka's KRaftControlRecordStateMachine over a LogHistory): the
 * offset of every VotersRecord and KRaftVersionRecord in the log, so that
 * the voter set in force is the latest one appended (committed or not, as
 * KIP-853 has it), and a truncation goes back to the one before.
 *
 * A snapshot carries the set in force at its end as control records after
 * its header; they stand for the history the snapshot replaced.
 */
import { decodeRaftBatches } from "./batch_codec.ts";
import type { RaftBatch, VoterInfo } from "./types.ts";

/** A voter set and the offset of the VotersRecord that set it. */
export interface VoterSetEntry {
  offset: number;
  voters: VoterInfo[];
}

interface KraftVersionEntry {
  offset: number;
  kraftVersion: number;
}

/** What a snapshot says of the quorum's configuration (null fields: it says nothing). */
export interface SnapshotQuorumConfig {
  voters: VoterInfo[] | null;
  kraftVersion: number | null;
}

/** The control records of a snapshot's frame; an unreadable snapshot says nothing. */
export function quorumConfigOfSnapshot(bytes: Uint8Array): SnapshotQuorumConfig {
  const config: SnapshotQuorumConfig = { voters: null, kraftVersion: null };
  let batches: RaftBatch[];
  try {
    batches = decodeRaftBatches(bytes);
  } catch {
    return config;
  }
  for (const batch of batches) {
    if (!batch.control) continue;
    for (const record of batch.records) {
      if (record.type === "voters") config.voters = record.voters;
      else if (record.type === "kraftVersion") config.kraftVersion = record.kraftVersion;
    }
  }
  return config;
}

export class VoterHistory {
  #voterSets: VoterSetEntry[] = [];
  #kraftVersions: KraftVersionEntry[] = [];

  /** Starts over from what a snapshot ending at `endOffset` says. */
  reset(config: SnapshotQuorumConfig | null, endOffset: number): void {
    this.#voterSets = config?.voters ? [{ offset: endOffset - 1, voters: config.voters }] : [];
    this.#kraftVersions = config?.kraftVersion !== null && config?.kraftVersion !== undefined
      ? [{ offset: endOffset - 1, kraftVersion: config.kraftVersion }]
      : [];
  }

  /** Notes the configuration records of a batch appended at the log end. */
  noteBatch(batch: RaftBatch): void {
    if (!batch.control) return;
    batch.records.forEach((record, index) => {
      const offset = batch.baseOffset + index;
      if (record.type === "voters") this.#voterSets.push({ offset, voters: record.voters });
      else if (record.type === "kraftVersion") {
        this.#kraftVersions.push({ offset, kraftVersion: record.kraftVersion });
      }
    });
  }

  /** Forgets the records at or after `offset` (a log truncation). */
  truncateTo(offset: number): void {
    this.#voterSets = this.#voterSets.filter((entry) => entry.offset < offset);
    this.#kraftVersions = this.#kraftVersions.filter((entry) => entry.offset < offset);
  }

  /** The log now starts at `startOffset`: older entries go, but the one in force there stays. */
  compactTo(startOffset: number): void {
    const keep = <Entry extends { offset: number }>(entries: Entry[]): Entry[] => {
      const older = entries.filter((entry) => entry.offset < startOffset);
      const newer = entries.filter((entry) => entry.offset >= startOffset);
      const inForce = older.at(-1);
      return inForce === undefined ? newer : [inForce, ...newer];
    };
    this.#voterSets = keep(this.#voterSets);
    this.#kraftVersions = keep(this.#kraftVersions);
  }

  /** The latest voter set in the log, or null when the log has none (the bootstrap set applies). */
  get latestVoterSet(): VoterSetEntry | null {
    return this.#voterSets.at(-1) ?? null;
  }

  /** The voter set in force just before `offset`, or null. */
  voterSetBefore(offset: number): VoterSetEntry | null {
    return this.#voterSets.findLast((entry) => entry.offset < offset) ?? null;
  }

  /** The kraft.version in force just before `offset`, or null. */
  kraftVersionBefore(offset: number): number | null {
    return this.#kraftVersions.findLast((entry) => entry.offset < offset)?.kraftVersion ?? null;
  }

  /** The latest kraft.version in the log, or null. */
  get latestKraftVersion(): number | null {
    return this.#kraftVersions.at(-1)?.kraftVersion ?? null;
  }
}
