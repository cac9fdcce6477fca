/**
 * A producing client of the workload. It sends Produce requests (one batch
 * per partition, several partitions per request, several requests in
 * flight) and tells the checker about every batch and every answer.
 *
 * An idempotent producer takes a producer id with InitProducerId, numbers
 * its batches, and after a timeout or a broken connection sends the SAME
 * batches again, in order, on a new connection: the node must append each
 * at most once. A refused sequence (the node lost the producer's tail in a
 * power loss) makes it give up its unacknowledged batches and take a new
 * producer id, as Kafka's producers do. A plain producer never retries, so
 * that any record found twice in the log is a duplicate the node made.
 */
import type { World } from "../../../src/io/mod.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";
import {
  buildBatch,
  ErrorCode,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  type RequestInput,
  type ResponseOf,
} from "../../../src/protocol/mod.ts";
import type { AttemptedBatch } from "../../checkers/log/ledger.ts";
import { type LogChecker, partitionKey } from "../../checkers/log/log_checker.ts";
import type { ProducerOptions } from "./options.ts";
import type { BrokerLink } from "../../clients/broker_link.ts";
import { isNetError } from "../../clients/net_errors.ts";
import { makeRecords, recordInputs } from "./records.ts";
import type { produce } from "../../../src/protocol/messages/mod.ts";

type ProduceResponse = ResponseOf<typeof produce>;
type ProducedPartition = ProduceResponse["responses"][number]["partitionResponses"][number];

const PRODUCE = 0;
const INIT_PRODUCER_ID = 22;
const BACKOFF_MAX_MS = 100;

/** What a producer needs from the run. */
export interface ProducerContext {
  world: World;
  /** The producer's own random source (a fork of the run's). */
  random: SeededRandom;
  link: BrokerLink;
  checker: LogChecker;
  options: ProducerOptions;
  topics: { name: string; partitions: number }[];
  /** Batches must fit a segment, or the node refuses them. */
  segmentBytes: number;
  /** Power losses so far: only they may make the node forget a producer's sequence. */
  powerLosses: () => number;
  log: (line: string) => void;
}

interface PendingBatch {
  attempted: AttemptedBatch;
  bytes: Uint8Array;
}

/** One request's batches that are not acknowledged yet. */
interface Unit {
  batches: PendingBatch[];
  inFlight: boolean;
  /** Given up when the producer took a new id: its answers still count, it is never sent again. */
  abandoned: boolean;
}

/** Counters for the run's summary. */
export interface ProducerStats {
  requests: number;
  batches: number;
  retries: number;
  /** Retries the node answered with the offsets of the first append (a lower bound: not all are recognisable). */
  duplicatesAnswered: number;
  newProducerIds: number;
}

export class Producer {
  readonly stats: ProducerStats = {
    requests: 0,
    batches: 0,
    retries: 0,
    duplicatesAnswered: 0,
    newProducerIds: 0,
  };
  readonly #context: ProducerContext;
  /** Draws how each batch is stamped, apart from the producer's other draws. */
  readonly #stamps: SeededRandom;
  readonly #nextSequence = new Map<string, number>();
  #units: Unit[] = [];
  #stopped = false;
  #producerId = NO_PRODUCER_ID;
  #producerEpoch = -1;
  #powerLossesAtInit = 0;
  #batchNumber = 0;
  #recordsMade = 0;

  constructor(context: ProducerContext) {
    this.#context = context;
    this.#stamps = context.random.fork("timestamps");
  }

  /** Whether every batch it sent has been answered (or given up). */
  get idle(): boolean {
    return this.#units.length === 0;
  }

  /** Stops making new batches; an idempotent producer still retries the ones it has. */
  stop(): void {
    this.#stopped = true;
  }

  /** Produces until stopped and idle. */
  async run(): Promise<void> {
    const { options, world, random } = this.#context;
    while (!this.#stopped || !this.idle) {
      await world.clock.sleep(random.range(1, Math.max(1, options.pauseMaxMs)));
      if (options.idempotent && this.#producerId === NO_PRODUCER_ID) {
        await this.#initProducerId();
        continue;
      }
      const budgetLeft = this.#recordsMade < options.recordsMax;
      if (!this.#stopped && budgetLeft && this.#units.length < options.maxInFlight) {
        this.#units.push(this.#newUnit());
      }
      if (!budgetLeft && this.idle) this.#stopped = true;
      for (const unit of this.#units) if (!unit.inFlight) this.#send(unit);
    }
  }

  async #initProducerId(): Promise<void> {
    const { link, world, random } = this.#context;
    try {
      const version = random.int(5);
      const { body } = await link.request(INIT_PRODUCER_ID, version, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      });
      if (body.errorCode !== ErrorCode.NONE) {
        throw this.#context.checker.violations.report("InitProducerId succeeds", `error ${body.errorCode}`);
      }
      this.#producerId = body.producerId;
      this.#producerEpoch = body.producerEpoch;
      this.#powerLossesAtInit = this.#context.powerLosses();
      this.#nextSequence.clear();
      this.stats.newProducerIds++;
    } catch (error) {
      if (!isNetError(error)) throw error;
      await world.clock.sleep(random.range(10, BACKOFF_MAX_MS));
    }
  }

  #newUnit(): Unit {
    const { options, topics, random } = this.#context;
    const partitions = topics.flatMap((topic) =>
      Array.from({ length: topic.partitions }, (_, partition) => ({ topic: topic.name, partition }))
    );
    const count = random.range(1, options.partitionsPerRequestMax);
    const batches: PendingBatch[] = [];
    for (let index = 0; index < count && partitions.length > 0; index++) {
      const [target] = partitions.splice(random.int(partitions.length), 1);
      batches.push(this.#newBatch(target!.topic, target!.partition));
    }
    return { batches, inFlight: false, abandoned: false };
  }

  #newBatch(topic: string, partition: number): PendingBatch {
    const { options, world, checker, random } = this.#context;
    const batchId = `${options.name}.${++this.#batchNumber}`;
    let count = random.range(1, options.recordsPerBatchMax);
    let records = makeRecords(random, batchId, count, options);
    const idempotent = options.idempotent;
    const key = partitionKey(topic, partition);
    const baseSequence = idempotent ? this.#nextSequence.get(key) ?? 0 : NO_SEQUENCE;
    const stamp = this.#stamp(world.clock.nowMs());
    const build = () =>
      buildBatch({
        records: recordInputs(records, stamp.timestampMs),
        maxTimestamp: stamp.headerMaxTimestampMs,
        compression: options.compression,
        producerId: idempotent ? this.#producerId : NO_PRODUCER_ID,
        producerEpoch: idempotent ? this.#producerEpoch : -1,
        baseSequence,
      });
    let bytes = build();
    // A batch larger than a segment is refused (RECORD_LIST_TOO_LARGE); keep well below.
    while (bytes.length > this.#context.segmentBytes / 2 && count > 1) {
      count = Math.ceil(count / 2);
      records = records.slice(0, count);
      bytes = build();
    }
    if (idempotent) this.#nextSequence.set(key, baseSequence + count);
    this.#recordsMade += count;
    const attempted: AttemptedBatch = {
      batchId,
      topic,
      partition,
      producerId: idempotent ? this.#producerId : NO_PRODUCER_ID,
      producerEpoch: idempotent ? this.#producerEpoch : -1,
      baseSequence,
      records,
      ...stamp,
      inDoubt: false,
      refused: false,
      acknowledged: false,
      attempts: 0,
    };
    checker.ledger.add(attempted);
    this.stats.batches++;
    return { attempted, bytes };
  }

  /** The records' timestamp and the header's MaxTimestamp of a new batch (see `TimestampMix`). */
  #stamp(nowMs: number): { timestampMs: number; headerMaxTimestampMs: number } {
    const mix = this.#context.options.timestamps;
    if (this.#stamps.chance(mix.noTimestampProbability)) {
      return { timestampMs: NO_TIMESTAMP, headerMaxTimestampMs: 0 };
    }
    const ageMs = this.#stamps.chance(mix.oldProbability) ? this.#stamps.int(mix.oldAgeMaxMs + 1) : 0;
    return { timestampMs: nowMs - ageMs, headerMaxTimestampMs: nowMs - ageMs };
  }

  #requestBody(unit: Unit): RequestInput<typeof produce> {
    const byTopic = new Map<string, { index: number; records: Uint8Array }[]>();
    for (const { attempted, bytes } of unit.batches) {
      const partitions = byTopic.get(attempted.topic) ?? [];
      partitions.push({ index: attempted.partition, records: bytes });
      byTopic.set(attempted.topic, partitions);
    }
    return {
      transactionalId: null,
      acks: this.#context.options.acks,
      timeoutMs: 30_000,
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    };
  }

  #send(unit: Unit): void {
    const { options, link, random } = this.#context;
    const version = random.pick(options.versions);
    unit.inFlight = true;
    this.stats.requests++;
    for (const batch of unit.batches) {
      if (batch.attempted.attempts++ > 0) this.stats.retries++;
    }
    if (options.acks === 0) {
      // No answer will come: every batch may or may not be appended.
      for (const batch of unit.batches) batch.attempted.inDoubt = true;
      this.#forget(unit);
      link.send(PRODUCE, version, this.#requestBody(unit)).catch((error) => {
        if (!isNetError(error)) this.#context.checker.violations.record(error);
      });
      return;
    }
    // The high watermark each partition had surely reached when the request left: an
    // acknowledgement below it cannot be a fresh append, so the node recognised a retry.
    const floors = new Map<PendingBatch, number>();
    const onSend = (incarnation: number) => {
      for (const batch of unit.batches) {
        floors.set(
          batch,
          this.#context.checker.floor(incarnation, batch.attempted.topic, batch.attempted.partition),
        );
      }
    };
    link.request(PRODUCE, version, this.#requestBody(unit), { onSend }).then(
      ({ body, incarnation }) => this.#answered(unit, body, incarnation, floors),
      (error) => this.#failed(unit, error),
    ).catch((error) => this.#context.checker.violations.record(error));
  }

  #failed(unit: Unit, error: unknown): void {
    if (!isNetError(error)) throw error;
    for (const batch of unit.batches) batch.attempted.inDoubt = true;
    unit.inFlight = false;
    // A plain producer gives up; an idempotent one sends the same batches again on its next round.
    if (!this.#context.options.idempotent) this.#forget(unit);
  }

  #answered(
    unit: Unit,
    body: ProduceResponse,
    incarnation: number,
    floors: Map<PendingBatch, number>,
  ): void {
    const { checker } = this.#context;
    unit.inFlight = false;
    const answers = new Map<string, ProducedPartition>();
    for (const topic of body.responses) {
      for (const partition of topic.partitionResponses) {
        answers.set(partitionKey(topic.name, partition.index), partition);
      }
    }
    let refusedSequence = false;
    for (const batch of [...unit.batches]) {
      const { attempted } = batch;
      const answer = answers.get(partitionKey(attempted.topic, attempted.partition));
      if (answer === undefined) {
        throw checker.violations.report("every partition is answered", `no answer for ${attempted.batchId}`);
      }
      if (answer.errorCode === ErrorCode.NONE) {
        checker.acknowledged(incarnation, attempted, answer.baseOffset);
        if (answer.baseOffset < (floors.get(batch) ?? 0)) this.stats.duplicatesAnswered++;
        unit.batches.splice(unit.batches.indexOf(batch), 1);
      } else if (this.#context.options.idempotent && isSequenceRefusal(answer.errorCode)) {
        attempted.refused = true;
        if (unit.abandoned) continue;
        refusedSequence = true;
        this.#checkSequenceRefusal(attempted, answer.errorCode);
      } else {
        throw checker.violations.report(
          "produce succeeds",
          `${attempted.batchId} to ${attempted.topic}-${attempted.partition}: error ${answer.errorCode} ${
            answer.errorMessage ?? ""
          }`,
        );
      }
    }
    if (unit.batches.length === 0) this.#forget(unit);
    if (refusedSequence) this.#startOver();
  }

  /**
   * With one request in flight, only a power loss can make the node forget a
   * sequence it acknowledged, or retention deleting the producer's batches
   * (their producer state goes with them, as in Kafka).
   */
  #checkSequenceRefusal(attempted: AttemptedBatch, errorCode: number): void {
    if (this.#context.options.maxInFlight > 1 || this.#context.powerLosses() > this.#powerLossesAtInit) {
      return;
    }
    if (this.#context.checker.retention.deletedFrom(partitionKey(attempted.topic, attempted.partition))) {
      return;
    }
    throw this.#context.checker.violations.report(
      "producer state survives a killed process",
      `${attempted.batchId} (sequence ${attempted.baseSequence}) refused with error ${errorCode} though the node never lost power`,
    );
  }

  /** Gives up every unacknowledged batch and takes a new producer id. */
  #startOver(): void {
    for (const unit of this.#units) {
      unit.abandoned = true;
      for (const { attempted } of unit.batches) {
        if (attempted.attempts === 0) attempted.refused = true;
      }
    }
    this.#units = [];
    this.#producerId = NO_PRODUCER_ID;
    this.#context.log(`${this.#context.options.name}: sequence refused, taking a new producer id`);
  }

  #forget(unit: Unit): void {
    const index = this.#units.indexOf(unit);
    if (index >= 0) this.#units.splice(index, 1);
  }
}

function isSequenceRefusal(errorCode: number): boolean {
  return errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER ||
    errorCode === ErrorCode.UNKNOWN_PRODUCER_ID ||
    errorCode === ErrorCode.INVALID_PRODUCER_EPOCH;
}
