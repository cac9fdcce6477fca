/**
 * The checker of a single node's partition logs, fed by the workload with
 * everything its clients send and see, and by the run with every crash:
 *
 * - offsets are dense and increasing, and within one incarnation an offset
 *   never changes its record (nor a record its offset);
 * - fetched records equal, byte for byte, what a producer sent, and an
 *   acknowledged batch is found at the offsets its acknowledgement gave;
 * - what was durable before a crash is there after recovery: what a killed
 *   process had written, what a power loss left on the platter, and, with
 *   log.flush.interval.messages=1, every acknowledged record;
 * - an idempotent batch is appended at most once, and a producer's batches
 *   follow each other's sequence numbers;
 * - within an incarnation the high watermark never goes back;
 * - a record leaves the log (below the log start offset, or missing from a
 *   scan) only when retention deleted it as retention.ms allows
 *   (`retention_checker.ts`); with retention.ms=-1 nothing is deleted.
 *
 * The checker reads the simulated disk itself (never the node's state), so
 * what it demands does not depend on the code it checks.
 */
import {
  type BatchHeader,
  type DecodedBatch,
  ErrorCode,
  LOG_OVERHEAD,
  NO_PRODUCER_ID,
} from "../../../src/protocol/mod.ts";
import type { CrashMode, SimDisk } from "../../../src/io/sim/mod.ts";
import { recordIdOf } from "../../scenarios/node/records.ts";
import {
  batchDifference,
  batchHeadersOf,
  decodeFetched,
  offsetProblem,
  sentBatchOf,
  sequenceProblem,
} from "./batch_checks.ts";
import { scanLogDirectory } from "./disk_scan.ts";
import { HighWatermarkFloors } from "./high_watermark.ts";
import { KnownLog, RequiredRecords } from "./known_log.ts";
import { type AttemptedBatch, Ledger } from "./ledger.ts";
import { RetentionChecker } from "./retention_checker.ts";
import { Violations } from "../violation.ts";

/** What the checker needs to know of the run. */
export interface LogCheckerOptions {
  /** log.flush.interval.messages=1: every acknowledged record was synced first. */
  flushEveryMessage: boolean;
  /** The node's log directory on its simulated disk. */
  logDirectory: string;
  /** The workload's topics (other folders, such as the metadata log, are not checked). */
  topics: ReadonlySet<string>;
  /** log.retention.ms; negative: nothing may be deleted. */
  retentionMs: number;
}

/** One partition of a fetch answer, with what the client knew when it sent the request. */
export interface FetchObservation {
  /** The incarnation of the node that answered. */
  incarnation: number;
  topic: string;
  partition: number;
  fetchOffset: number;
  /** `floor(...)` when the request was sent. */
  floorAtSend: number;
  errorCode: number;
  highWatermark: number;
  /** -1 when the version does not carry it. */
  logStartOffset: number;
  records: Uint8Array;
}

/** What a fetch answer means for the client that sent it. */
export interface FetchOutcome {
  /** The headers of the whole batches fetched. */
  headers: BatchHeader[];
  /** Records in those batches. */
  recordCount: number;
  /** Where the client reads next. */
  nextOffset: number;
  /**
   * The offset was out of range: past the log end (legitimate after a crash
   * lost the tail), or below the log start (then `nextOffset` is the log
   * start when the answer gave it).
   */
  outOfRange: boolean;
}

/** Counters for the run's summary. */
export interface CheckerStats {
  batchesAcknowledged: number;
  /** Acknowledgements of batches sent more than once (the node had to tell a retry from a new batch). */
  retriesAcknowledged: number;
  recordsFetched: number;
  requiredRecords: number;
  scans: number;
}

/** The key of a partition in every map: "topic-partition", as its folder is named. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export class LogChecker {
  readonly violations: Violations = new Violations();
  readonly ledger = new Ledger();
  readonly stats: CheckerStats = {
    batchesAcknowledged: 0,
    retriesAcknowledged: 0,
    recordsFetched: 0,
    requiredRecords: 0,
    scans: 0,
  };
  readonly #floors = new HighWatermarkFloors();
  /** Known logs by incarnation, then partition. */
  readonly #known = new Map<number, Map<string, KnownLog>>();
  readonly #required = new Map<string, RequiredRecords>();
  /** The highest log start offset each incarnation showed for each partition ("incarnation:key"). */
  readonly #logStarts = new Map<string, number>();
  readonly retention: RetentionChecker;

  constructor(readonly options: LogCheckerOptions) {
    this.retention = new RetentionChecker(options, this.ledger, this.violations);
  }

  /** The high watermark a request sent now to `incarnation` must at least report. */
  floor(incarnation: number, topic: string, partition: number): number {
    return this.#floors.floor(incarnation, partitionKey(topic, partition));
  }

  /** A producer got an acknowledgement for `batch` at `baseOffset` from `incarnation`. */
  acknowledged(incarnation: number, batch: AttemptedBatch, baseOffset: number): void {
    const key = partitionKey(batch.topic, batch.partition);
    const where = `acknowledgement of ${batch.batchId} by incarnation ${incarnation}`;
    if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) {
      throw this.violations.report("acknowledged offsets are valid", `${where}: base offset ${baseOffset}`);
    }
    if (batch.attempts > 1) this.stats.retriesAcknowledged++;
    batch.acknowledged = true;
    this.stats.batchesAcknowledged++;
    const known = this.#knownLog(incarnation, key);
    for (const [index, record] of batch.records.entries()) {
      const offset = baseOffset + index;
      this.#check("acknowledged offsets are consistent", known.record(offset, record.id), where);
      this.#checkRequired(incarnation, key, offset, record.id, where);
      if (this.options.flushEveryMessage) {
        const conflict = this.#requiredOf(key).require(offset, {
          id: record.id,
          since: incarnation,
          durable: true,
          reason: "acknowledged with log.flush.interval.messages=1",
        });
        this.#check("durable records survive", conflict, where);
      }
    }
    if (batch.producerId !== NO_PRODUCER_ID) {
      const conflict = known.recordSequence(
        batch.producerId,
        batch.producerEpoch,
        batch.baseSequence,
        baseOffset,
      );
      this.#check("an idempotent batch is appended at most once", conflict, where);
    }
    this.#floors.raise(incarnation, key, baseOffset + batch.records.length);
  }

  /** Checks one partition of a fetch answer and says where the client reads next. */
  fetched(observation: FetchObservation): FetchOutcome {
    const { incarnation, topic, partition, fetchOffset, floorAtSend, highWatermark } = observation;
    const key = partitionKey(topic, partition);
    const where = `fetch of ${key} at ${fetchOffset} from incarnation ${incarnation}`;
    const { logStartOffset } = observation;
    if (logStartOffset > 0) this.#observeLogStart(incarnation, key, logStartOffset, where);
    if (observation.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (logStartOffset > fetchOffset) {
        return { headers: [], recordCount: 0, nextOffset: logStartOffset, outOfRange: true };
      }
      // An answer without a log start (Fetch v4) may be refusing an offset that retention deleted.
      const belowStartPossible = logStartOffset < 0 && this.options.retentionMs >= 0;
      if (fetchOffset <= floorAtSend && !belowStartPossible) {
        throw this.violations.report(
          "the high watermark never goes back",
          `${where}: out of range, but the high watermark had reached ${floorAtSend}`,
        );
      }
      return { headers: [], recordCount: 0, nextOffset: fetchOffset, outOfRange: true };
    }
    if (observation.errorCode !== ErrorCode.NONE) {
      throw this.violations.report("fetches succeed", `${where}: error ${observation.errorCode}`);
    }
    if (highWatermark < floorAtSend) {
      throw this.violations.report(
        "the high watermark never goes back",
        `${where}: high watermark ${highWatermark}, but it had reached ${floorAtSend}`,
      );
    }
    this.#floors.raise(incarnation, key, highWatermark);
    const headers = batchHeadersOf(observation.records);
    this.#check(
      "offsets are dense and increasing",
      offsetProblem(headers, fetchOffset, highWatermark),
      where,
    );
    const known = this.#knownLog(incarnation, key);
    let recordCount = 0;
    for (const header of headers) {
      recordCount += header.lastOffsetDelta + 1;
      const bytes = observation.records.subarray(
        header.position,
        header.position + LOG_OVERHEAD + header.batchLength,
      );
      // Within an incarnation a batch never changes: the same bytes at the same offset passed every check already.
      if (known.alreadyChecked(header.baseOffset, bytes)) continue;
      const batch = decodeFetched(observation.records, header);
      if (typeof batch === "string") {
        throw this.violations.report("fetched batches are intact", `${where}: ${batch}`);
      }
      this.#checkBatch(incarnation, topic, partition, batch, where);
      known.checked(header.baseOffset, bytes);
    }
    this.stats.recordsFetched += recordCount;
    const last = headers[headers.length - 1];
    return {
      headers,
      recordCount,
      nextOffset: last === undefined ? fetchOffset : last.baseOffset + last.lastOffsetDelta + 1,
      outOfRange: false,
    };
  }

  /**
   * The node is about to crash: what the crash cannot take away must be
   * found by every later incarnation. A power loss keeps the durable bytes
   * of the segment files (for good); a killed process leaves the page cache,
   * so the current bytes survive too, until the next power loss.
   */
  crashing(incarnation: number, mode: CrashMode, disk: SimDisk): void {
    const durable = mode === "power-loss";
    const state = durable ? "durable" : "current";
    const reason = durable ? "durable before a power loss" : "written before the process was killed";
    if (durable) { for (const required of this.#required.values()) required.dropVolatile(); }
    for (const record of scanLogDirectory(disk, this.options.logDirectory, this.options.topics, state)) {
      const where = `${record.path}, offset ${record.offset}`;
      if (record.id === null || this.ledger.locate(record.id) === undefined) {
        throw this.violations.report(
          "the log holds only records that were sent",
          `${where}: record ${record.id}`,
        );
      }
      const key = partitionKey(record.topic, record.partition);
      const conflict = this.#requiredOf(key).require(record.offset, {
        id: record.id,
        since: incarnation,
        durable,
        reason,
      });
      this.#check("durable records survive", conflict, where);
    }
    this.stats.requiredRecords = [...this.#required.values()].reduce(
      (sum, required) => sum + required.size,
      0,
    );
  }

  /**
   * A scan of a whole partition (every batch from offset 0 to `endOffset`)
   * by `incarnation` is done: every record required from earlier
   * incarnations is there, and the producers' sequences follow each other.
   * With `complete`, nothing was in flight: every record this incarnation
   * acknowledged or served must be inside the scan too.
   */
  scanned(incarnation: number, topic: string, partition: number, scan: ScanResult, complete: boolean): void {
    const key = partitionKey(topic, partition);
    const where = `scan of ${key} by incarnation ${incarnation} (log end ${scan.endOffset})`;
    this.stats.scans++;
    const known = this.#knownLog(incarnation, key);
    if (scan.startOffset > 0) this.#observeLogStart(incarnation, key, scan.startOffset, where);
    for (const [offset, requirement] of this.#requiredOf(key).entries()) {
      if (requirement.since >= incarnation) continue;
      const found = offset < scan.endOffset ? known.idAt(offset) : undefined;
      if (found !== requirement.id) {
        throw this.violations.report(
          "durable records survive",
          `${where}: offset ${offset} holds ${
            found ?? "nothing"
          }, but ${requirement.id} was ${requirement.reason} ` +
            `in incarnation ${requirement.since}`,
        );
      }
    }
    this.#check("idempotent sequences follow each other", sequenceProblem(scan.headers), where);
    if (complete && known.endOffset > scan.endOffset) {
      throw this.violations.report(
        "acknowledged records stay",
        `${where}: offsets up to ${known.endOffset - 1} were acknowledged or fetched before`,
      );
    }
  }

  #checkBatch(
    incarnation: number,
    topic: string,
    partition: number,
    batch: DecodedBatch,
    where: string,
  ): void {
    const key = partitionKey(topic, partition);
    const sent = sentBatchOf(batch, this.ledger);
    if (typeof sent === "string") {
      throw this.violations.report("the log holds only records that were sent", `${where}: ${sent}`);
    }
    this.#check(
      "fetched records equal the records sent",
      batchDifference(batch, sent, topic, partition),
      where,
    );
    if (sent.refused && !sent.inDoubt && !sent.acknowledged) {
      throw this.violations.report(
        "a refused batch is not appended",
        `${where}: ${sent.batchId} was refused`,
      );
    }
    const known = this.#knownLog(incarnation, key);
    for (const record of batch.records) {
      const id = recordIdOf(record)!;
      this.#check("one record per offset, one offset per record", known.record(record.offset, id), where);
      this.#checkRequired(incarnation, key, record.offset, id, where);
    }
    if (sent.producerId !== NO_PRODUCER_ID) {
      const conflict = known.recordSequence(
        sent.producerId,
        sent.producerEpoch,
        sent.baseSequence,
        batch.header.baseOffset,
      );
      this.#check("an idempotent batch is appended at most once", conflict, where);
    }
  }

  /**
   * `incarnation` showed `logStartOffset` for the partition: every record it
   * had acknowledged or served below it, and every record required there
   * from earlier incarnations, must be one that retention deleted as it may.
   * The requirements it satisfies are dropped.
   */
  #observeLogStart(incarnation: number, key: string, logStartOffset: number, where: string): void {
    if (this.options.retentionMs < 0) {
      throw this.violations.report("nothing is deleted", `${where}: log start offset ${logStartOffset}`);
    }
    const seenKey = `${incarnation}:${key}`;
    const seen = this.#logStarts.get(seenKey) ?? 0;
    if (logStartOffset <= seen) return;
    this.#logStarts.set(seenKey, logStartOffset);
    const known = this.#knownLog(incarnation, key);
    for (let offset = seen; offset < logStartOffset; offset++) {
      const id = known.idAt(offset);
      if (id === undefined || this.retention.deletedLegally(id)) continue;
      throw this.violations.report(
        "records leave the log only by retention",
        `${where}: offset ${offset} (${id}) is below the log start offset ${logStartOffset}, ` +
          `but retention never deleted it`,
      );
    }
    const required = this.#requiredOf(key);
    for (const [offset, requirement] of [...required.entries()]) {
      if (offset >= logStartOffset || requirement.since >= incarnation) continue;
      if (!this.retention.deletedLegally(requirement.id)) {
        throw this.violations.report(
          "durable records survive",
          `${where}: offset ${offset} is below the log start offset ${logStartOffset}, but ` +
            `${requirement.id} was ${requirement.reason} in incarnation ${requirement.since} and retention never deleted it`,
        );
      }
      required.delete(offset);
    }
  }

  /** A record seen at `offset` must be the one required there by an earlier incarnation. */
  #checkRequired(incarnation: number, key: string, offset: number, id: string, where: string): void {
    const requirement = this.#required.get(key)?.at(offset);
    if (requirement === undefined || requirement.since >= incarnation || requirement.id === id) return;
    throw this.violations.report(
      "durable records survive",
      `${where}: offset ${offset} holds ${id}, but ${requirement.id} was ${requirement.reason} in incarnation ${requirement.since}`,
    );
  }

  #check(invariant: string, problem: string | null, where: string): void {
    if (problem !== null) throw this.violations.report(invariant, `${where}: ${problem}`);
  }

  #knownLog(incarnation: number, key: string): KnownLog {
    let logs = this.#known.get(incarnation);
    if (logs === undefined) this.#known.set(incarnation, logs = new Map());
    let log = logs.get(key);
    if (log === undefined) logs.set(key, log = new KnownLog());
    return log;
  }

  #requiredOf(key: string): RequiredRecords {
    let required = this.#required.get(key);
    if (required === undefined) this.#required.set(key, required = new RequiredRecords());
    return required;
  }
}

/** The batches of a whole partition, read by fetches from its log start. */
export interface ScanResult {
  headers: BatchHeader[];
  /** The log start offset the scan began at. */
  startOffset: number;
  /** The offset after the last batch read. */
  endOffset: number;
}
