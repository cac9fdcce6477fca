/**
 * The replicated topic's invariants, over the real nodes' partitions:
 * - after every step: one leader per leader epoch, and the leader's high
 *   watermark never going back within its epoch (leader_epochs.ts); every
 *   ISR member holding every committed record (isr_coverage.ts);
 * - at quiet points and at the end: every replica's log below its own high
 *   watermark agrees with everything committed seen before, as do the
 *   batches consumers fetched and the acks=all acknowledgements
 *   (committed_history.ts, with the excuses of data_losses.ts);
 * - at the end, once healed: the leader's log holds every acks=all record
 *   at the offset acknowledged, idempotent producers' records are in it at
 *   most once (at the offset acknowledged, when acknowledged), and every
 *   replica is byte-identical to the leader.
 */
import { decodeBatch, scanBatches } from "../../../src/protocol/mod.ts";
import type { Violations } from "../violation.ts";
import { CommittedHistory, type RecordIdReader } from "./committed_history.ts";
import { DataLosses } from "./data_losses.ts";
import { IsrCoverage } from "./isr_coverage.ts";
import { LeaderEpochs } from "./leader_epochs.ts";
import { ReplicaScan, type ScannedReplica } from "./replica_scan.ts";

/** What the checker reads of a node's replica (a `Partition` of src/server). */
export interface CheckedReplica extends ScannedReplica {
  readonly isLeader: boolean;
  readonly leaderEpoch: number;
  readonly leaderState: { readonly isr: readonly number[] } | null;
}

/** A running node's replicas of the topic. */
export interface CheckedNode {
  id: number;
  incarnation: number;
  replica(partition: number): CheckedReplica | undefined;
}

export interface ReplicationCheckerOptions {
  violations: Violations;
  readId: RecordIdReader;
  replicationFactor: number;
  minInsyncReplicas: number;
  nowMs: () => number;
}

interface IdempotentAck {
  partition: number;
  offset: number;
}

const READ_BYTES = 1 << 20;

export class ReplicationChecker {
  readonly losses = new DataLosses();
  readonly leaders: LeaderEpochs;
  readonly history: CommittedHistory;
  readonly #coverage: IsrCoverage;
  readonly #scan: ReplicaScan;
  /** Every idempotent producer's acknowledged record, by id. */
  readonly #idempotentAcks = new Map<string, IdempotentAck>();
  /** Ids written by idempotent producers (acknowledged or not): a prefix test on the id is enough. */
  readonly #idempotentProducers = new Set<string>();
  scans = 0;

  constructor(private readonly options: ReplicationCheckerOptions) {
    this.leaders = new LeaderEpochs(options.violations);
    this.history = new CommittedHistory({
      violations: options.violations,
      losses: this.losses,
      leaders: this.leaders,
      readId: options.readId,
      replicasLostMax: options.replicationFactor - options.minInsyncReplicas,
      nowMs: options.nowMs,
    });
    this.#scan = new ReplicaScan(this.history);
    this.#coverage = new IsrCoverage(
      options.violations,
      this.losses,
      options.replicationFactor - options.minInsyncReplicas,
    );
  }

  /**
   * After every step: who leads what, at which high watermark, and whether
   * every member of each committed ISR (`committedIsr`, from the metadata
   * the quorum committed) holds every committed record.
   */
  observe(
    nodes: readonly CheckedNode[],
    partitions: number,
    committedIsr: (partition: number) => readonly number[] | undefined,
  ): void {
    const nowMs = this.options.nowMs();
    for (let partition = 0; partition < partitions; partition++) {
      for (const node of nodes) {
        const replica = node.replica(partition);
        if (replica === undefined || !replica.isLeader) continue;
        this.leaders.observe(partition, replica.leaderEpoch, node.id, replica.highWatermark, nowMs);
        const who =
          `node ${node.id} leading epoch ${replica.leaderEpoch} with ISR ${replica.leaderState?.isr}`;
        this.#coverage.leaderHighWatermark(partition, replica.highWatermark, nowMs, who);
      }
      for (const memberId of committedIsr(partition) ?? []) {
        const member = nodes.find((node) => node.id === memberId)?.replica(partition);
        if (member !== undefined) this.#coverage.member(partition, memberId, member.log.logEndOffset, nowMs);
      }
    }
  }

  /** A quiet point: every running replica's committed prefix is compared with the history. */
  scan(nodes: readonly CheckedNode[], partitions: number): void {
    this.scans++;
    for (const node of nodes) {
      for (let partition = 0; partition < partitions; partition++) {
        const replica = node.replica(partition);
        if (replica !== undefined) this.#scan.scan(`node-${node.id}`, node.incarnation, partition, replica);
      }
    }
  }

  /** A producer's acknowledgement. */
  acknowledged(ack: {
    producer: string;
    acks: -1 | 1;
    idempotent: boolean;
    partition: number;
    baseOffset: number;
    ids: readonly string[];
    sentAtMs: number;
  }): void {
    if (ack.idempotent) {
      this.#idempotentProducers.add(ack.producer);
      ack.ids.forEach((id, index) =>
        this.#idempotentAcks.set(id, { partition: ack.partition, offset: ack.baseOffset + index })
      );
    }
    if (ack.acks === -1) {
      const source = `${ack.producer}'s acks=all answer (sent at ${ack.sentAtMs} ms)`;
      this.history.acknowledged(ack.partition, ack.baseOffset, ack.ids, source, ack.sentAtMs);
    }
  }

  /** The producers that are idempotent (their ids start with the name and a dot). */
  idempotentProducer(name: string): void {
    this.#idempotentProducers.add(name);
  }

  /** A consumer fetched `batch` of `partition` from `host` below the high watermark. */
  consumed(partition: number, batch: Uint8Array, host: string): void {
    this.history.committedBatch(partition, batch, `a consumer fetching from ${host}`);
  }

  /**
   * The end, once every partition has its whole ISR and equal logs:
   * `leader` of each partition is read whole, compared with the history and
   * with every other replica, and searched for lost and duplicated records.
   */
  finalCheck(partition: number, leader: { nodeId: number; replica: CheckedReplica }, others: {
    nodeId: number;
    replica: CheckedReplica;
  }[]): void {
    const leaderBatches = readAll(leader.replica);
    const source = `node-${leader.nodeId}'s final log`;
    for (const batch of leaderBatches) this.history.committedBatch(partition, batch, source);
    this.history.checkPresent(
      partition,
      leader.replica.log.logStartOffset,
      leader.replica.log.logEndOffset,
      source,
    );
    this.#checkIdempotence(partition, leaderBatches, source);
    for (const other of others) {
      const batches = readAll(other.replica);
      const count = Math.max(batches.length, leaderBatches.length);
      for (let index = 0; index < count; index++) {
        const mine = leaderBatches[index];
        const theirs = batches[index];
        if (mine !== undefined && theirs !== undefined && sameBytes(mine, theirs)) continue;
        throw this.options.violations.report(
          "replicas are identical below the high watermark",
          `partition ${partition}: batch ${index} of node-${leader.nodeId} (leader) and node-${other.nodeId} differ ` +
            `(${describeBatch(mine)} against ${describeBatch(theirs)})`,
        );
      }
    }
  }

  #checkIdempotence(partition: number, batches: readonly Uint8Array[], source: string): void {
    const seenAt = new Map<string, number>();
    for (const batch of batches) {
      for (const record of decodeBatch(batch, 0).records) {
        const id = this.options.readId(record.value);
        if (id === null || !this.#idempotentProducers.has(id.slice(0, id.indexOf(".")))) continue;
        const earlier = seenAt.get(id);
        if (earlier !== undefined) {
          throw this.options.violations.report(
            "an idempotent producer's record is appended once",
            `partition ${partition}: ${id} at offsets ${earlier} and ${record.offset} of ${source}`,
          );
        }
        seenAt.set(id, record.offset);
        const acked = this.#idempotentAcks.get(id);
        if (acked !== undefined && (acked.partition !== partition || acked.offset !== record.offset)) {
          throw this.options.violations.report(
            "an idempotent producer's record is where it was acknowledged",
            `${id} acknowledged at ${acked.partition}:${acked.offset}, found at ${partition}:${record.offset} ` +
              `of ${source}`,
          );
        }
      }
    }
  }
}

/** Every batch of a replica's log, from its start to its end, each as its own bytes. */
function readAll(replica: CheckedReplica): Uint8Array[] {
  const batches: Uint8Array[] = [];
  const { log } = replica;
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const bytes = log.read(offset, { maxBytes: READ_BYTES, minOneBatch: true });
    const before = offset;
    for (const header of scanBatches(bytes).headers) {
      const last = header.baseOffset + header.lastOffsetDelta;
      if (last < offset) continue;
      batches.push(bytes.slice(header.position, header.position + 12 + header.batchLength));
      offset = last + 1;
    }
    if (offset === before) break;
  }
  return batches;
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

function describeBatch(batch: Uint8Array | undefined): string {
  if (batch === undefined) return "nothing";
  const header = scanBatches(batch).headers[0];
  if (header === undefined) return `${batch.length} bytes`;
  return `${header.baseOffset}-${
    header.baseOffset + header.lastOffsetDelta
  } epoch ${header.partitionLeaderEpoch}`;
}
