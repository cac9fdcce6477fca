/**
 * A partition with a replica on this node: its log, its role (leader or
 * follower, from the metadata), and the rules that apply to clients' appends
 * and reads (Kafka's Partition). As leader it keeps the replication state
 * machine (src/replication/leader_state.ts): followers' fetches move the high
 * watermark, and acks=all appends wait for it. As follower its log is written
 * only by the replica fetcher (replica_fetcher.ts), from the leader's answers.
 *
 * A disk error while the log reads or writes takes the partition offline
 * (src/log/storage_failure.ts): from then on it answers KAFKA_STORAGE_ERROR
 * and the rest of the node keeps serving.
 */
import type { NumericTopicKey, TopicConfigResolver } from "../config/mod.ts";
import type { Clock } from "../io/mod.ts";
import { guardStorage, isStorageFailure, type PartitionLog, validateProducedBatch } from "../log/mod.ts";
import {
  convertBatchesToMessageSet,
  convertMessageSetToBatch,
  ErrorCode,
  KafkaError,
} from "../protocol/mod.ts";
import { isCompactedPolicy } from "../log/cleaner/mod.ts";
import {
  type CommittedPartitionState,
  divergingEpoch,
  type EpochEnd,
  type FollowerFetchAnswer,
  FollowerState,
  type IsrProposal,
  type LeaderSettings,
  LeaderState,
} from "../replication/mod.ts";
import { HighWatermarkWaiters, type WaitOutcome } from "./high_watermark_waiters.ts";

export interface AppendOutcome {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  /** The last offset of the append (of the earlier one, for a duplicate): acks=all waits until it is committed. */
  lastOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
}

export interface FetchRead {
  errorCode: number;
  records: Uint8Array | null;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

export interface PartitionOptions {
  topic: string;
  partition: number;
  topicId: Uint8Array;
  leaderEpoch: number;
  log: PartitionLog;
  clock: Clock;
  /** Topic config lookups (overrides are read at each use, so changes apply at once). */
  configs: TopicConfigResolver;
  overrides: () => ReadonlyMap<string, string>;
  /** Called after every append (`newRecords`) and high watermark move, to wake long-poll fetches. */
  onAppend: (key: string, newRecords: boolean) => void;
  /** The high watermark from `replication-offset-checkpoint` (0 when none). */
  highWatermark: number;
  /** Replication settings and the ISR eligibility of brokers, read at each use. */
  replication: () => LeaderSettings;
}

/** What a follower's fetch reads from the leader. */
export interface ReplicaRead {
  errorCode: number;
  records: Uint8Array | null;
  highWatermark: number;
  logStartOffset: number;
  divergingEpoch: EpochEnd | null;
}

/** A role as the metadata gives it: who leads, in which epoch, with which ISR. */
export interface PartitionRole extends CommittedPartitionState {
  leader: number;
  replicas: readonly number[];
}

export class Partition {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  topicId: Uint8Array;
  leaderEpoch: number;
  readonly log: PartitionLog;
  /** The leader's replication state while this node leads the partition. */
  #leader: LeaderState | null = null;
  /** The follower's state while another node leads it. */
  #follower: FollowerState | null = null;
  /** The high watermark as follower (or before a role): the leader's, as far as this log reaches. */
  #highWatermark: number;
  /** As follower: the leader's high watermark as its last fetch answer gave it (-1 before one). */
  #leaderHighWatermark = -1;
  readonly #waiters: HighWatermarkWaiters;

  constructor(private readonly options: PartitionOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.key = `${options.topic}:${options.partition}`;
    this.topicId = options.topicId;
    this.leaderEpoch = options.leaderEpoch;
    this.log = options.log;
    this.#highWatermark = Math.max(
      this.log.logStartOffset,
      Math.min(options.highWatermark, this.log.logEndOffset),
    );
    this.#waiters = new HighWatermarkWaiters(options.clock);
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  /** The offset below which every record is on the whole ISR (committed, readable by consumers). */
  get highWatermark(): number {
    return this.#leader?.highWatermark ?? this.#highWatermark;
  }
  /** Whether this node leads the partition. */
  get isLeader(): boolean {
    return this.#leader !== null;
  }
  /** The leader's replication state, or null on a follower. */
  get leaderState(): LeaderState | null {
    return this.#leader;
  }
  /** The follower's state, or null on the leader. */
  get followerState(): FollowerState | null {
    return this.#follower;
  }
  /** No transactions yet: nothing is pending, so the stable offset is the high watermark. */
  get lastStableOffset(): number {
    return this.highWatermark;
  }

  /** The bytes of the log's segments (DescribeLogDirs). */
  get sizeInBytes(): number {
    return this.log.sizeInBytes();
  }

  /**
   * DescribeLogDirs' offset lag: how many committed records this replica
   * still lacks. Kafka reports max(HW - LEO, 0) with the replica's own high
   * watermark, which never passes its own log end, so always 0. Here a
   * follower compares its log end with the leader's high watermark from its
   * last fetch answer (what it knows the ISR has committed), so the number
   * says something; the leader, whose log holds everything committed, and a
   * follower that has heard nothing yet report 0. -1 (Kafka's "unknown") for
   * a log that went offline.
   */
  get offsetLag(): number {
    if (this.offline) return -1;
    if (this.#leader !== null) return 0;
    return Math.max(0, this.#leaderHighWatermark - this.log.logEndOffset);
  }

  /** Whether the log went offline after a disk error. */
  get offline(): boolean {
    return this.log.offlineReason !== null;
  }

  /**
   * The checks Kafka makes before serving a read of the partition: its log
   * must be online (else KAFKA_STORAGE_ERROR), and KIP-320 fencing: a
   * client's view of the leader epoch must match ours.
   */
  checkLeaderEpoch(currentLeaderEpoch: number): number {
    if (this.offline) return ErrorCode.KAFKA_STORAGE_ERROR;
    if (currentLeaderEpoch === -1 || currentLeaderEpoch === undefined) return ErrorCode.NONE;
    if (currentLeaderEpoch > this.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    if (currentLeaderEpoch < this.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    return ErrorCode.NONE;
  }

  #config(name: NumericTopicKey): number {
    return this.options.configs.number(name, this.options.overrides());
  }

  /**
   * Validates and appends a client's records (one batch, or a legacy message
   * set for Produce v0-2). With acks=all (`requiredAcks` -1) an ISR smaller
   * than `min.insync.replicas` refuses the append (NOT_ENOUGH_REPLICAS).
   */
  appendFromClient(records: Uint8Array, produceVersion: number, requiredAcks = 1): AppendOutcome {
    if (this.offline) return this.#refuse(ErrorCode.KAFKA_STORAGE_ERROR, this.log.offlineReason);
    if (this.#leader === null) return this.#refuse(ErrorCode.NOT_LEADER_OR_FOLLOWER, null);
    if (requiredAcks === -1 && this.#leader.isUnderMinIsr(this.minInsyncReplicas)) {
      return this.#refuse(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR ${this.#leader.isr.length} is insufficient to satisfy the min.isr ` +
          `requirement of ${this.minInsyncReplicas} for partition ${this.topic}-${this.partition}`,
      );
    }
    const now = this.options.clock.nowMs();
    let bytes = records;
    if (produceVersion < 3 && records.length > 16 && records[16] !== 2) {
      try {
        bytes = convertMessageSetToBatch(records);
      } catch (error) {
        return this.#refuse(ErrorCode.CORRUPT_MESSAGE, (error as Error).message);
      }
    }
    const overrides = this.options.overrides();
    const createTime = this.options.configs.string("message.timestamp.type", overrides) === "CreateTime";
    const validated = validateProducedBatch(bytes, {
      maxMessageBytes: this.#config("max.message.bytes"),
      nowMs: now,
      createTime,
      timestampBeforeMaxMs: this.#config("message.timestamp.before.max.ms"),
      timestampAfterMaxMs: this.#config("message.timestamp.after.max.ms"),
      compacted: isCompactedPolicy(this.options.configs.string("cleanup.policy", overrides)),
      topicPartition: `${this.topic}-${this.partition}`,
      produceVersion,
    });
    if (!validated.ok) {
      const refused = this.#refuse(validated.errorCode, validated.errorMessage);
      if (validated.recordErrors.length === 0) return refused;
      return {
        ...refused,
        recordErrors: validated.recordErrors.map((error) => ({
          batchIndex: error.batchIndex,
          batchIndexErrorMessage: error.message,
        })),
      };
    }
    let appended;
    try {
      appended = this.appendAsLeader(bytes, "client", now);
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      return this.#refuse(ErrorCode.KAFKA_STORAGE_ERROR, error.message);
    }
    if (appended.errorCode !== ErrorCode.NONE) {
      return this.#refuse(appended.errorCode, appended.errorMessage ?? null);
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      baseOffset: appended.baseOffset,
      lastOffset: appended.lastOffset,
      logAppendTimeMs: createTime ? -1 : now,
      logStartOffset: this.log.logStartOffset,
      recordErrors: [],
    };
  }

  /** The topic's `min.insync.replicas`. */
  get minInsyncReplicas(): number {
    return this.#config("min.insync.replicas");
  }

  /**
   * Appends batches as leader (a client's, validated; a coordinator's): the
   * log gives them offsets and this leader's epoch, and the high watermark
   * moves at once when no other replica is in the ISR. Storage failures
   * take the log offline and are thrown.
   */
  appendAsLeader(bytes: Uint8Array, origin: "client" | "coordinator", nowMs: number) {
    const appended = guardStorage(
      this.log,
      () => this.log.append(bytes, { leaderEpoch: this.leaderEpoch, nowMs, origin }),
    );
    if (appended.errorCode === ErrorCode.NONE && !appended.duplicate) {
      const moved = this.#leader?.onLocalAppend(this.log.logEndOffset, nowMs, this.options.replication()) ??
        false;
      if (moved) this.#highWatermarkMoved(true);
      else this.options.onAppend(this.key, true);
    }
    return appended;
  }

  /**
   * Waits until the high watermark passes `offset` (acks=all): "committed",
   * "timeout" after `timeoutMs`, or "not-leader" when leadership moves first.
   */
  waitUntilCommitted(offset: number, timeoutMs: number): Promise<WaitOutcome> {
    if (this.#leader === null) return Promise.resolve("not-leader");
    if (this.highWatermark > offset) return Promise.resolve("committed");
    return this.#waiters.wait(offset, timeoutMs);
  }

  /**
   * Takes the leader role for `role.leaderEpoch` (Kafka's makeLeader): the
   * epoch starts at the log end (written to the leader epoch cache, so that
   * followers can find where they diverge), followers are known again only
   * from their next fetch.
   */
  makeLeader(role: PartitionRole, nowMs: number): void {
    if (this.#leader !== null && this.#leader.leaderEpoch === role.leaderEpoch) {
      this.#leader.onCommittedState(role);
      return;
    }
    const highWatermark = this.highWatermark;
    this.leaderEpoch = role.leaderEpoch;
    this.#follower = null;
    const logEndOffset = this.log.logEndOffset;
    if (!this.offline) {
      guardStorage(this.log, () => this.log.assignEpochStartOffset(role.leaderEpoch, logEndOffset));
    }
    this.#leader = new LeaderState({
      localId: role.leader,
      leaderEpoch: role.leaderEpoch,
      partitionEpoch: role.partitionEpoch,
      replicas: role.replicas,
      isr: role.isr,
      leaderEpochStartOffset: logEndOffset,
      highWatermark,
      leaderRecoveryState: role.leaderRecoveryState,
      nowMs,
    });
    if (this.#leader.onLocalAppend(logEndOffset, nowMs, this.options.replication())) {
      this.#highWatermarkMoved();
    }
  }

  /**
   * Follows `role.leader` (or nobody, for -1) in `role.leaderEpoch`: appends
   * waiting for acks=all fail with NOT_LEADER_OR_FOLLOWER, and the log keeps
   * everything it has (divergence is found by fetching, KIP-279).
   */
  makeFollower(role: PartitionRole): void {
    if (this.#follower?.leaderId === role.leader && this.#follower.leaderEpoch === role.leaderEpoch) return;
    if (this.#leader !== null) this.#highWatermark = this.#leader.highWatermark;
    this.#leader = null;
    this.#leaderHighWatermark = -1;
    this.leaderEpoch = role.leaderEpoch;
    this.#follower = new FollowerState(role.leader, role.leaderEpoch);
    this.#waiters.failAll();
    this.options.onAppend(this.key, true);
  }

  /** The next AlterPartition this leader wants, or null (see LeaderState.proposeIsrChange). */
  proposeIsrChange(nowMs: number): IsrProposal | null {
    if (this.#leader === null || this.offline) return null;
    return this.#leader.proposeIsrChange(this.log.logEndOffset, nowMs, this.options.replication());
  }

  /** The controller answered this leader's AlterPartition (null: refused; metadata will tell). */
  onIsrChangeAnswered(proposal: IsrProposal, state: CommittedPartitionState | null): void {
    if (this.#leader === null || this.#leader.leaderEpoch !== proposal.leaderEpoch) return;
    this.#leader.onAnswer(state, proposal);
    // A smaller ISR may let the high watermark move (the leaving replica no longer holds it back).
    const nowMs = this.options.clock.nowMs();
    if (this.#leader.onLocalAppend(this.log.logEndOffset, nowMs, this.options.replication())) {
      this.#highWatermarkMoved();
    }
  }

  /**
   * A follower's fetch (Kafka's fetchRecords for a replica): the diverging
   * epoch when its log went another way, else the records from its offset
   * up to the log end (not only the committed ones), and its progress
   * recorded, which may move the high watermark.
   */
  readForReplica(request: {
    replicaId: number;
    brokerEpoch: number;
    fetchOffset: number;
    lastFetchedEpoch: number;
    maxBytes: number;
    minOneBatch: boolean;
  }): ReplicaRead {
    const answer = (
      errorCode: number,
      records: Uint8Array | null = null,
      diverging: EpochEnd | null = null,
    ) => ({
      errorCode,
      records,
      highWatermark: this.highWatermark,
      logStartOffset: this.logStartOffset,
      divergingEpoch: diverging,
    });
    if (this.offline) return answer(ErrorCode.KAFKA_STORAGE_ERROR);
    const leader = this.#leader;
    if (leader === null || leader.follower(request.replicaId) === undefined) {
      return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
    const diverging = divergingEpoch(
      request.fetchOffset,
      request.lastFetchedEpoch,
      (epoch) => {
        const end = this.log.endOffsetForEpoch(epoch);
        return { epoch: end.leaderEpoch, endOffset: end.endOffset };
      },
    );
    if (diverging !== null) {
      // No epoch here as old as the follower's: nothing to name as the diverging epoch (-1 means none on
      // the wire), so the follower hears its offset is out of range and cuts back (follower_state.ts).
      if (diverging.epoch < 0) return answer(ErrorCode.OFFSET_OUT_OF_RANGE);
      return answer(ErrorCode.NONE, new Uint8Array(0), diverging);
    }
    const logEndOffset = this.log.logEndOffset;
    if (request.fetchOffset < this.logStartOffset || request.fetchOffset > logEndOffset) {
      return answer(ErrorCode.OFFSET_OUT_OF_RANGE);
    }
    const nowMs = this.options.clock.nowMs();
    const moved = leader.onFollowerFetch(
      request.replicaId,
      { fetchOffset: request.fetchOffset, brokerEpoch: request.brokerEpoch, nowMs },
      logEndOffset,
      this.options.replication(),
    );
    if (moved) this.#highWatermarkMoved();
    if (request.fetchOffset === logEndOffset || request.maxBytes <= 0) {
      return answer(ErrorCode.NONE, new Uint8Array(0));
    }
    try {
      const records = guardStorage(this.log, () =>
        this.log.read(request.fetchOffset, {
          maxBytes: request.maxBytes,
          minOneBatch: request.minOneBatch,
          maxOffset: logEndOffset,
        }));
      return answer(ErrorCode.NONE, records);
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      return answer(ErrorCode.KAFKA_STORAGE_ERROR);
    }
  }

  /**
   * A follower applies its leader's answer to a fetch sent from `fetchOffset`
   * (replica_fetcher.ts). Returns the step taken, or null when the answer is
   * stale (the role or the log end changed while it was in flight).
   */
  applyLeaderAnswer(
    fetchOffset: number,
    leaderEpoch: number,
    answer: FollowerFetchAnswer,
  ): ReturnType<FollowerState["onAnswer"]> | null {
    const follower = this.#follower;
    if (follower === null || follower.leaderEpoch !== leaderEpoch || this.offline) return null;
    if (this.log.logEndOffset !== fetchOffset) return null;
    const step = follower.onAnswer(answer, {
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
      highWatermark: this.#highWatermark,
      endOffsetFor: (epoch) => {
        const end = this.log.endOffsetForEpoch(epoch);
        return { epoch: end.leaderEpoch, endOffset: end.endOffset };
      },
    });
    const nowMs = this.options.clock.nowMs();
    guardStorage(this.log, () => {
      switch (step.kind) {
        case "append": {
          if (step.records.length > 0) appendReplicated(this.log, step.records, nowMs);
          const logEnd = this.log.logEndOffset;
          if (step.logStartOffset > this.log.logStartOffset && step.logStartOffset <= logEnd) {
            this.log.advanceLogStartOffset(step.logStartOffset);
          }
          this.#leaderHighWatermark = step.highWatermark;
          const before = this.#highWatermark;
          this.#highWatermark = FollowerState.highWatermark(step.highWatermark, logEnd, this.#highWatermark);
          // Consumers reading this follower (KIP-392) wait for its high watermark to move.
          if (this.#highWatermark !== before) this.options.onAppend(this.key, false);
          break;
        }
        case "truncate":
          this.log.truncateTo(Math.max(step.offset, this.log.logStartOffset), nowMs);
          this.#highWatermark = Math.min(this.#highWatermark, this.log.logEndOffset);
          break;
        case "restart-at":
          this.log.truncateFullyAndStartAt(step.offset);
          this.#highWatermark = step.offset;
          break;
        case "back-off":
          break;
      }
    });
    return step;
  }

  #highWatermarkMoved(newRecords = false): void {
    const highWatermark = this.highWatermark;
    this.log.producerState.onHighWatermarkUpdated(highWatermark);
    this.#waiters.release(highWatermark);
    this.options.onAppend(this.key, newRecords);
  }

  #refuse(errorCode: number, errorMessage: string | null): AppendOutcome {
    return {
      errorCode,
      errorMessage,
      baseOffset: -1,
      lastOffset: -1,
      logAppendTimeMs: -1,
      logStartOffset: this.log.logStartOffset,
      recordErrors: errorCode === ErrorCode.INVALID_RECORD || errorCode === ErrorCode.INVALID_TIMESTAMP
        ? [{ batchIndex: 0, batchIndexErrorMessage: errorMessage }]
        : [],
    };
  }

  /**
   * KIP-392: the followers a leader may send a consumer fetching from
   * `fetchOffset` to: the ISR members whose log reaches that offset (as
   * far as their last fetch showed), with how long since each was caught up.
   */
  readReplicaCandidates(fetchOffset: number, nowMs: number): {
    brokerId: number;
    logEndOffset: number;
    timeSinceLastCaughtUpMs: number;
  }[] {
    const leader = this.#leader;
    if (leader === null) return [];
    const out = [];
    for (const brokerId of leader.isr) {
      const progress = leader.follower(brokerId);
      if (progress === undefined || progress.logEndOffset < fetchOffset) continue;
      out.push({
        brokerId,
        logEndOffset: progress.logEndOffset,
        timeSinceLastCaughtUpMs: nowMs - progress.lastCaughtUpTimeMs,
      });
    }
    return out;
  }

  /**
   * Reads whole batches from `fetchOffset` for a consumer, up to the high
   * watermark. A follower serves the read only when `onFollower` allows it
   * (Fetch v11+, KIP-392: Kafka lets such consumers read any replica), else
   * it answers NOT_LEADER_OR_FOLLOWER. As Kafka's log read: an offset below
   * the log start or past the log end is OFFSET_OUT_OF_RANGE, one between
   * the high watermark and the log end reads nothing (a new leader's or a
   * follower's high watermark may be behind what the consumer already saw).
   */
  readForFetch(request: {
    fetchOffset: number;
    maxBytes: number;
    minOneBatch: boolean;
    readCommitted: boolean;
    magic: number;
    onFollower?: boolean;
  }): FetchRead {
    const highWatermark = this.highWatermark;
    const logStartOffset = this.logStartOffset;
    const base = { highWatermark, lastStableOffset: this.lastStableOffset, logStartOffset };
    const served = this.#leader !== null || (request.onFollower === true && this.#follower !== null);
    if (!served) return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, records: null };
    if (this.offline) return { ...base, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, records: null };
    if (request.fetchOffset < logStartOffset || request.fetchOffset > this.log.logEndOffset) {
      return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null };
    }
    if (request.fetchOffset >= highWatermark || (request.maxBytes <= 0 && !request.minOneBatch)) {
      return { ...base, errorCode: ErrorCode.NONE, records: new Uint8Array(0) };
    }
    let records: Uint8Array;
    try {
      records = guardStorage(this.log, () =>
        this.log.read(request.fetchOffset, {
          maxBytes: request.maxBytes,
          minOneBatch: request.minOneBatch,
          maxOffset: highWatermark,
        }));
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      return { ...base, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, records: null };
    }
    if (request.magic < 2 && records.length > 0) {
      try {
        records = convertBatchesToMessageSet(records, request.magic as 0 | 1);
      } catch (error) {
        // zstd cannot be down-converted: old fetch versions cannot read it.
        const code = error instanceof KafkaError ? error.code : ErrorCode.CORRUPT_MESSAGE;
        return { ...base, errorCode: code, records: null };
      }
    }
    return { ...base, errorCode: ErrorCode.NONE, records };
  }

  /**
   * ListOffsets by timestamp. A disk error here takes the log offline and is
   * thrown (the handler has no error to put it in, so the connection closes);
   * the client's retry then gets KAFKA_STORAGE_ERROR from checkLeaderEpoch.
   */
  offsetForTimestamp(timestampMs: number): { offset: number; timestamp: number } | null {
    return guardStorage(this.log, () => this.log.offsetForTimestamp(timestampMs));
  }

  maxTimestamp(): { offset: number; timestamp: number } | null {
    return guardStorage(this.log, () => this.log.maxTimestampOffset());
  }

  /**
   * DeleteRecords (Kafka's Partition.deleteRecordsOnLeader): moves the log
   * start offset to `offset`, or to the high watermark for -1. Refused with
   * POLICY_VIOLATION unless `cleanup.policy` includes delete, and with
   * OFFSET_OUT_OF_RANGE for an offset below 0 or above the high watermark.
   * An offset at or below the current start changes nothing. The segments
   * below the new start go at the next retention check.
   */
  deleteRecords(offset: number): { errorCode: number; lowWatermark: number } {
    const refused = (errorCode: number) => ({ errorCode, lowWatermark: -1 });
    if (this.offline) return refused(ErrorCode.KAFKA_STORAGE_ERROR);
    if (!this.log.config().cleanupPolicyDelete) return refused(ErrorCode.POLICY_VIOLATION);
    const target = offset === -1 ? this.highWatermark : offset;
    if (target < 0 || target > this.highWatermark) return refused(ErrorCode.OFFSET_OUT_OF_RANGE);
    try {
      guardStorage(this.log, () => this.log.advanceLogStartOffset(target));
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      return refused(ErrorCode.KAFKA_STORAGE_ERROR);
    }
    return { errorCode: ErrorCode.NONE, lowWatermark: this.log.logStartOffset };
  }

  /** The leader epoch that wrote `offset` (-1 when unknown). */
  epochForOffset(offset: number): number {
    return this.log.epochForOffset(offset);
  }

  /** OffsetForLeaderEpoch: the end offset of `epoch` on this log. */
  endOffsetForEpoch(epoch: number): { leaderEpoch: number; endOffset: number } {
    return this.log.endOffsetForEpoch(epoch);
  }
}

/**
 * Appends a leader's batches to a follower's log. One append holds at most a
 * segment, so a fetch answer larger than `segment.bytes` goes in batch by batch.
 */
function appendReplicated(log: PartitionLog, records: Uint8Array, nowMs: number): void {
  const segmentBytes = log.config().segmentBytes;
  const whole = (bytes: Uint8Array) => {
    const result = log.appendAsFollower(bytes, nowMs);
    if (result.errorCode !== ErrorCode.NONE) {
      throw new KafkaError(result.errorCode, result.errorMessage ?? "a replicated batch was refused");
    }
  };
  if (records.length <= segmentBytes) return whole(records);
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let position = 0; position + 12 <= records.length;) {
    const size = 12 + view.getInt32(position + 8);
    whole(records.subarray(position, position + size));
    position += size;
  }
}
