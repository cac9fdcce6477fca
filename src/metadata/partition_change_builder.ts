/**
 * The one place a partition's leader, ISR, replicas and eligible leader
 * replicas change, as Kafka's PartitionChangeBuilder computes it: a caller
 * states the targets (an ISR without a fenced broker, a reassignment's
 * replicas, an election type) and gets back the PartitionChangeRecord that
 * reaches them, or null when nothing changes. In Kafka's order:
 *
 * 1. a reassignment completes when the target ISR holds every replica it
 *    keeps: replicas and ISR lose the removing replicas, the lists clear;
 * 2. with ELR on (KIP-966), an ISR below min.insync.replicas moves the members
 *    it loses into the ELR (not those that shut down uncleanly), and an ISR
 *    at or above it clears the ELR;
 * 3. the election: the current leader stays while it may lead, else the first
 *    replica that may (PREFERRED tries the first replica first); a valid
 *    leader is in the ISR, or in the ELR when the ISR is empty (it then leads
 *    an ISR of itself); with ISR and ELR empty the last known leader is
 *    elected, uncleanly; UNCLEAN then takes any live replica;
 * 4. a leader that loses replicas to a reassignment gets a new leader epoch;
 * 5. with ELR on the ISR may become empty (the last known leader is then
 *    remembered in lastKnownElr); without it the last ISR member stays.
 */
import { LeaderRecoveryState, MetadataRecordType, type PartitionChangeRecord } from "./records.ts";
import type { PartitionImage } from "./image.ts";

/** No leader; and PartitionChangeRecord's "leader unchanged". */
const NO_LEADER = -1;
const NO_LEADER_CHANGE = -2;

/**
 * PREFERRED elects the first replica if it may lead; ONLINE keeps the partition led from its ISR (or ELR);
 * UNCLEAN, failing that, takes any live replica.
 */
export type Election = "preferred" | "online" | "unclean";

export interface PartitionChangeInput {
  topicId: Uint8Array;
  partition: PartitionImage;
  /** Whether a broker may lead: registered, unfenced, not shutting down (and not the one leaving). */
  isAcceptableLeader: (brokerId: number) => boolean;
  /** The topic's effective min.insync.replicas (capped by its replication factor). */
  minIsr: number;
  /** KIP-966's eligible leader replicas (the `eligible.leader.replicas.version` feature). */
  elrEnabled: boolean;
  election?: Election;
  targetIsr?: number[];
  targetReplicas?: number[];
  targetRemoving?: number[];
  targetAdding?: number[];
  /** Brokers that restarted without a clean shutdown: they may have lost data, so they leave the ELR. */
  uncleanShutdownReplicas?: number[];
  targetLeaderRecoveryState?: number;
}

interface Targets {
  isr: number[];
  replicas: number[];
  removing: number[];
  adding: number[];
  elr: number[];
}

/** The record moving the partition to the targets, or null when it is already there. */
export function buildPartitionChange(input: PartitionChangeInput): PartitionChangeRecord | null {
  const { partition } = input;
  const targets: Targets = {
    isr: input.targetIsr ?? partition.isr,
    replicas: input.targetReplicas ?? partition.replicas,
    removing: input.targetRemoving ?? partition.removingReplicas,
    adding: input.targetAdding ?? partition.addingReplicas,
    elr: partition.eligibleLeaderReplicas,
  };
  const record: PartitionChangeRecord = {
    type: MetadataRecordType.PartitionChange,
    topicId: input.topicId,
    partitionId: partition.partition,
    isr: null,
    leader: NO_LEADER_CHANGE,
    replicas: null,
  };
  completeReassignment(targets);
  populateElr(input, targets);
  elect(input, targets, record);
  // A leader whose replica set loses members must start a new epoch, so the removed replicas stop following it.
  if (
    record.leader === NO_LEADER_CHANGE && !partition.replicas.every((id) => targets.replicas.includes(id))
  ) {
    record.leader = partition.leader;
  }
  recordElr(input, targets, record);
  if (
    record.isr === null && (targets.isr.length > 0 || input.elrEnabled) &&
    !sameList(targets.isr, partition.isr)
  ) {
    record.isr = targets.isr;
  }
  recordLastKnownLeader(input, record);
  if (!sameList(targets.replicas, partition.replicas) && targets.replicas.length > 0) {
    record.replicas = targets.replicas;
  }
  if (!sameList(targets.removing, partition.removingReplicas)) record.removingReplicas = targets.removing;
  if (!sameList(targets.adding, partition.addingReplicas)) record.addingReplicas = targets.adding;
  const recovery = input.targetLeaderRecoveryState;
  if (recovery !== undefined && recovery !== partition.leaderRecoveryState) {
    record.leaderRecoveryState = recovery;
  }
  return isNoOp(record) ? null : record;
}

/** Kafka's PartitionReassignmentReplicas.maybeCompleteReassignment. */
function completeReassignment(targets: Targets): void {
  if (targets.removing.length === 0 && targets.adding.length === 0) return;
  const isr = targets.isr.filter((id) => !targets.removing.includes(id));
  const replicas = targets.replicas.filter((id) => !targets.removing.includes(id));
  if (isr.length === 0 || replicas.length === 0) return;
  if (!replicas.every((id) => isr.includes(id))) return;
  targets.isr = isr;
  targets.replicas = replicas;
  targets.removing = [];
  targets.adding = [];
}

/** KIP-966: the ISR members lost while below min ISR become eligible leaders; enough ISR clears them. */
function populateElr(input: PartitionChangeInput, targets: Targets): void {
  if (!input.elrEnabled) return;
  if (targets.isr.length >= input.minIsr) {
    targets.elr = [];
    return;
  }
  const unclean = input.uncleanShutdownReplicas ?? [];
  const candidates = union(targets.elr, input.partition.isr);
  targets.elr = candidates.filter((id) => !targets.isr.includes(id) && !unclean.includes(id));
}

function elect(input: PartitionChangeInput, targets: Targets, record: PartitionChangeRecord): void {
  const { partition } = input;
  const result = electLeader(input, targets);
  if (result.leader === partition.leader) return;
  if (targets.elr.includes(result.leader)) {
    // Elected from the ELR: it holds every committed record, so it leads an ISR of itself, cleanly.
    targets.isr = [result.leader];
    targets.elr = targets.elr.filter((id) => id !== result.leader);
  }
  record.leader = result.leader;
  if (result.unclean) {
    record.isr = [result.leader];
    // Already RECOVERING (a second unclean election in a row): the record leaves the state as it is.
    if (partition.leaderRecoveryState !== LeaderRecoveryState.Recovering) {
      record.leaderRecoveryState = LeaderRecoveryState.Recovering;
    }
  }
}

function electLeader(input: PartitionChangeInput, targets: Targets): { leader: number; unclean: boolean } {
  const { partition } = input;
  const valid = (id: number) =>
    (targets.isr.includes(id) || (targets.isr.length === 0 && targets.elr.includes(id))) &&
    input.isAcceptableLeader(id);
  const election = input.election ?? "online";
  const preferred = targets.replicas[0];
  if (election === "preferred" && preferred !== undefined && valid(preferred)) {
    return { leader: preferred, unclean: false };
  }
  if (partition.leader !== NO_LEADER && valid(partition.leader)) {
    return { leader: partition.leader, unclean: false };
  }
  const online = targets.replicas.find(valid);
  if (online !== undefined) return { leader: online, unclean: false };
  const lastKnown = lastKnownLeader(input, targets);
  if (lastKnown !== null) return { leader: lastKnown, unclean: true };
  if (election === "unclean") {
    const live = targets.replicas.find(input.isAcceptableLeader);
    if (live !== undefined) return { leader: live, unclean: true };
  }
  return { leader: NO_LEADER, unclean: false };
}

/**
 * With ISR and ELR empty, the partition's last leader (kept alone in lastKnownElr) may lead again once it
 * is back: it is the likeliest to hold the most records, though nothing proves it holds them all.
 */
function lastKnownLeader(input: PartitionChangeInput, targets: Targets): number | null {
  if (!input.elrEnabled || targets.elr.length > 0 || targets.isr.length > 0) return null;
  const known = input.partition.lastKnownElr;
  if (known.length !== 1 || !input.isAcceptableLeader(known[0]!)) return null;
  return known[0]!;
}

function recordElr(input: PartitionChangeInput, targets: Targets, record: PartitionChangeRecord): void {
  // An unclean election (which set the ISR) or ELR turned off clears the ELR.
  if (record.isr !== null || !input.elrEnabled) targets.elr = [];
  if (!sameList(targets.elr, input.partition.eligibleLeaderReplicas)) {
    record.eligibleLeaderReplicas = targets.elr;
  }
}

/**
 * lastKnownElr holds the last leader from the moment the ISR becomes empty, and is cleared once the
 * partition has a leader again (Kafka's "last known leader in balanced recovery", on by default).
 */
function recordLastKnownLeader(input: PartitionChangeInput, record: PartitionChangeRecord): void {
  if (!input.elrEnabled) return;
  const { partition } = input;
  const known = partition.lastKnownElr;
  if (record.isr !== null && record.isr.length === 0) {
    if (known.length !== 1 || known[0] !== partition.leader) record.lastKnownElr = [partition.leader];
    return;
  }
  const led = record.leader >= 0 || (partition.leader !== NO_LEADER && record.leader !== NO_LEADER);
  if (led && known.length > 0) record.lastKnownElr = [];
}

function isNoOp(record: PartitionChangeRecord): boolean {
  return record.isr === null && record.leader === NO_LEADER_CHANGE && record.replicas === null &&
    record.removingReplicas === undefined && record.addingReplicas === undefined &&
    record.eligibleLeaderReplicas === undefined && record.lastKnownElr === undefined &&
    record.leaderRecoveryState === undefined;
}

function union(left: number[], right: number[]): number[] {
  return [...new Set([...left, ...right])].sort((a, b) => a - b);
}

function sameList(left: number[], right: number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}
