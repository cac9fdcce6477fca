/**
 * A partition this node leads: its log, its leader epoch, and the rules that
 * apply to clients' appends and reads (Kafka's Partition + LogValidator
 * roles). With one replica, the high watermark is the log end offset: an
 * append is committed once it is in the log.
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

export interface AppendOutcome {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
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
  /** Called after every append, to wake long-poll fetches. */
  onAppend: (key: string) => void;
}

export class Partition {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  topicId: Uint8Array;
  leaderEpoch: number;
  readonly log: PartitionLog;

  constructor(private readonly options: PartitionOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.key = `${options.topic}:${options.partition}`;
    this.topicId = options.topicId;
    this.leaderEpoch = options.leaderEpoch;
    this.log = options.log;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  /** One replica: everything in the log is committed. */
  get highWatermark(): number {
    return this.log.logEndOffset;
  }
  /** No transactions yet: nothing is pending, so the stable offset is the high watermark. */
  get lastStableOffset(): number {
    return this.highWatermark;
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

  /** Validates and appends a client's records (one batch, or a legacy message set for Produce v0-2). */
  appendFromClient(records: Uint8Array, produceVersion: number): AppendOutcome {
    if (this.offline) return this.#refuse(ErrorCode.KAFKA_STORAGE_ERROR, this.log.offlineReason);
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
      appended = guardStorage(
        this.log,
        () => this.log.append(bytes, { leaderEpoch: this.leaderEpoch, nowMs: now }),
      );
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      return this.#refuse(ErrorCode.KAFKA_STORAGE_ERROR, error.message);
    }
    if (appended.errorCode !== ErrorCode.NONE) {
      return this.#refuse(appended.errorCode, appended.errorMessage ?? null);
    }
    if (!appended.duplicate) this.options.onAppend(this.key);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      baseOffset: appended.baseOffset,
      logAppendTimeMs: createTime ? -1 : now,
      logStartOffset: this.log.logStartOffset,
      recordErrors: [],
    };
  }

  #refuse(errorCode: number, errorMessage: string | null): AppendOutcome {
    return {
      errorCode,
      errorMessage,
      baseOffset: -1,
      logAppendTimeMs: -1,
      logStartOffset: this.log.logStartOffset,
      recordErrors: errorCode === ErrorCode.INVALID_RECORD || errorCode === ErrorCode.INVALID_TIMESTAMP
        ? [{ batchIndex: 0, batchIndexErrorMessage: errorMessage }]
        : [],
    };
  }

  /** Reads whole batches from `fetchOffset` for a consumer. */
  readForFetch(request: {
    fetchOffset: number;
    maxBytes: number;
    minOneBatch: boolean;
    readCommitted: boolean;
    magic: number;
  }): FetchRead {
    const highWatermark = this.highWatermark;
    const logStartOffset = this.logStartOffset;
    const base = { highWatermark, lastStableOffset: this.lastStableOffset, logStartOffset };
    if (this.offline) return { ...base, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, records: null };
    if (request.fetchOffset < logStartOffset || request.fetchOffset > highWatermark) {
      return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null };
    }
    if (request.fetchOffset === highWatermark || (request.maxBytes <= 0 && !request.minOneBatch)) {
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
