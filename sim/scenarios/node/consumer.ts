/**
 * A consuming client of the workload: reads some partitions from offset 0
 * with Fetch (assorted versions, byte limits, long polls), hands every answer
 * to the checker, and moves on from where the answer ended. An offset past
 * the log end (after a power loss took the tail) sends it back to the start;
 * an offset below the log start (retention deleted it) sends it to the log
 * start, as the answer gives it or, for versions without it, as ListOffsets
 * tells (auto.offset.reset=earliest); now and then it jumps back on its own
 * to read old data again.
 *
 * One fetch is in flight at a time, so its answers arrive in the order the
 * node made them.
 */
import type { World } from "../../../src/io/mod.ts";
import type { SeededRandom } from "../../../src/io/sim/mod.ts";
import { ErrorCode, type RequestInput, type ResponseOf, uuidToString } from "../../../src/protocol/mod.ts";
import type { LogChecker } from "../../checkers/log/log_checker.ts";
import type { ConsumerOptions } from "./options.ts";
import type { BrokerLink } from "../../clients/broker_link.ts";
import { isNetError } from "../../clients/net_errors.ts";
import type { fetchApi } from "../../../src/protocol/messages/mod.ts";

/** One partition of a Fetch answer. */
type FetchedPartition = ResponseOf<typeof fetchApi>["responses"][number]["partitions"][number];

const FETCH = 1;
const LIST_OFFSETS = 2;
/** ListOffsets v1: one offset per partition. */
const LIST_OFFSETS_VERSION = 1;
/** The timestamp that asks ListOffsets for the log start offset. */
const EARLIEST_TIMESTAMP = -2;
/** Fetch v13+ names topics by id. */
const TOPIC_IDS_VERSION = 13;
/** The farthest a consumer steps back when it seeks (re-reading a whole log each time would cost too much). */
const SEEK_BACK_MAX = 300;

/** What a consumer needs from the run. */
export interface ConsumerContext {
  world: World;
  /** The consumer's own random source (a fork of the run's). */
  random: SeededRandom;
  link: BrokerLink;
  checker: LogChecker;
  options: ConsumerOptions;
  topics: { name: string; partitions: number; topicId: Uint8Array }[];
  /** A test-only fault: changes an answer's records before the checker sees them. */
  tamper?: (records: Uint8Array) => Uint8Array;
}

interface Position {
  topic: string;
  topicId: Uint8Array;
  partition: number;
  offset: number;
  /** The high watermark of the last answer, to know when the consumer has caught up. */
  highWatermark: number;
  /** Out of range with no log start in the answer: ask ListOffsets where the log starts. */
  resetToEarliest: boolean;
}

/** Counters for the run's summary. */
export interface ConsumerStats {
  fetches: number;
  records: number;
  restarts: number;
}

export class Consumer {
  readonly stats: ConsumerStats = { fetches: 0, records: 0, restarts: 0 };
  readonly #context: ConsumerContext;
  readonly #positions: Position[];
  #stopped = false;

  constructor(context: ConsumerContext) {
    this.#context = context;
    this.#positions = context.topics.flatMap((topic) =>
      Array.from({ length: topic.partitions }, (_, partition) => ({
        topic: topic.name,
        topicId: topic.topicId,
        partition,
        offset: 0,
        highWatermark: -1,
        resetToEarliest: false,
      }))
    );
  }

  /** Stops after the fetch in flight. */
  stop(): void {
    this.#stopped = true;
  }

  /** Whether every partition has been read up to the high watermark of its last answer. */
  get caughtUp(): boolean {
    return this.#positions.every((position) => position.offset === position.highWatermark);
  }

  /** Fetches until stopped. */
  async run(): Promise<void> {
    const { world, options, random } = this.#context;
    while (!this.#stopped) {
      await world.clock.sleep(random.range(1, Math.max(1, options.pauseMaxMs)));
      try {
        await this.#fetchOnce();
      } catch (error) {
        if (!isNetError(error)) throw error;
        await world.clock.sleep(random.range(10, 100));
      }
    }
  }

  /** Fetches every partition until caught up (used at the end of a run); false if it did not get there. */
  async catchUp(roundsMax: number): Promise<boolean> {
    for (let round = 0; round < roundsMax && !this.caughtUp; round++) {
      try {
        await this.#fetchOnce(this.#positions, true);
      } catch (error) {
        if (!isNetError(error)) throw error;
      }
    }
    return this.caughtUp;
  }

  #choosePositions(): Position[] {
    const { options, random } = this.#context;
    const pool = [...this.#positions];
    const count = random.range(1, Math.min(options.partitionsPerRequestMax, pool.length));
    return Array.from({ length: count }, () => pool.splice(random.int(pool.length), 1)[0]!);
  }

  /** One fetch; `catchingUp` neither seeks nor waits for data (the long poll is not what catching up checks). */
  async #fetchOnce(chosen = this.#choosePositions(), catchingUp = false): Promise<void> {
    const { options, link, checker, random } = this.#context;
    for (const position of chosen) {
      if (position.resetToEarliest) await this.#resetToEarliest(position);
      if (!catchingUp && position.offset > 0 && random.chance(options.seekProbability)) {
        // Mostly a short step back; now and then all the way to the start.
        position.offset = random.chance(0.1)
          ? 0
          : Math.max(0, position.offset - random.range(1, SEEK_BACK_MAX));
      }
    }
    const version = random.pick(options.versions);
    const floors = new Map<Position, number>();
    const { body, incarnation } = await link.request(
      FETCH,
      version,
      this.#requestBody(chosen, catchingUp),
      {
        timeoutMs: options.maxWaitMs + 5000,
        onSend: (incarnation) => {
          for (const position of chosen) {
            floors.set(position, checker.floor(incarnation, position.topic, position.partition));
          }
        },
      },
    );
    this.stats.fetches++;
    if (body.errorCode !== undefined && body.errorCode !== ErrorCode.NONE) {
      throw checker.violations.report("fetches succeed", `${options.name}: fetch error ${body.errorCode}`);
    }
    let bytes = 0;
    let available = false;
    for (const topic of body.responses) {
      const name = version >= TOPIC_IDS_VERSION ? this.#topicName(topic.topicId) : topic.topic;
      for (const answer of topic.partitions) {
        const position = chosen.find((item) =>
          item.topic === name && item.partition === answer.partitionIndex
        );
        if (position === undefined) {
          throw checker.violations.report(
            "fetches answer what was asked",
            `${options.name}: ${name}-${answer.partitionIndex}`,
          );
        }
        const records = this.#context.tamper?.(answer.records ?? new Uint8Array(0)) ?? answer.records ??
          new Uint8Array(0);
        bytes += records.length;
        if (answer.errorCode === ErrorCode.NONE && answer.highWatermark > position.offset) available = true;
        this.#apply(position, incarnation, floors.get(position) ?? 0, answer, records);
      }
    }
    if (bytes === 0 && available && options.maxBytes > 0) {
      throw checker.violations.report(
        "a fetch returns data when there is some",
        `${options.name}: fetch v${version} returned nothing though a partition had data`,
      );
    }
  }

  #apply(
    position: Position,
    incarnation: number,
    floorAtSend: number,
    answer: FetchedPartition,
    records: Uint8Array,
  ): void {
    const outcome = this.#context.checker.fetched({
      incarnation,
      topic: position.topic,
      partition: position.partition,
      fetchOffset: position.offset,
      floorAtSend,
      errorCode: answer.errorCode,
      highWatermark: answer.highWatermark,
      logStartOffset: answer.logStartOffset,
      records,
    });
    this.stats.records += outcome.recordCount;
    if (outcome.outOfRange) {
      this.stats.restarts++;
      const belowStart = outcome.nextOffset > position.offset;
      // Past the end, or below a log start the answer did not give: ListOffsets tells where the log starts.
      position.resetToEarliest = !belowStart;
      position.offset = belowStart ? outcome.nextOffset : 0;
      position.highWatermark = -1;
      return;
    }
    position.offset = outcome.nextOffset;
    position.highWatermark = answer.highWatermark;
  }

  /** Moves `position` to the partition's log start, as ListOffsets gives it. */
  async #resetToEarliest(position: Position): Promise<void> {
    const { link, checker, options } = this.#context;
    const { body } = await link.request(LIST_OFFSETS, LIST_OFFSETS_VERSION, {
      replicaId: -1,
      topics: [{
        name: position.topic,
        partitions: [{ partitionIndex: position.partition, timestamp: EARLIEST_TIMESTAMP }],
      }],
    });
    const answer = body.topics[0]?.partitions[0];
    if (answer === undefined || answer.errorCode !== ErrorCode.NONE || !(answer.offset >= 0)) {
      throw checker.violations.report(
        "ListOffsets answers the log start",
        `${options.name}: ${position.topic}-${position.partition}: ${JSON.stringify(answer ?? null)}`,
      );
    }
    position.offset = answer.offset;
    position.resetToEarliest = false;
  }

  #requestBody(chosen: Position[], catchingUp: boolean): RequestInput<typeof fetchApi> {
    const { options } = this.#context;
    const byTopic = new Map<string, Position[]>();
    for (const position of chosen) {
      byTopic.set(position.topic, [...byTopic.get(position.topic) ?? [], position]);
    }
    return {
      replicaId: -1,
      maxWaitMs: catchingUp ? 0 : options.maxWaitMs,
      minBytes: catchingUp ? 0 : options.minBytes,
      maxBytes: options.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic.values()].map((positions) => ({
        topic: positions[0]!.topic,
        topicId: positions[0]!.topicId,
        partitions: positions.map((position) => ({
          partition: position.partition,
          currentLeaderEpoch: -1,
          fetchOffset: position.offset,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: options.partitionMaxBytes,
        })),
      })),
      forgottenTopicsData: [],
      rackId: "",
    };
  }

  #topicName(topicId: Uint8Array): string {
    const id = uuidToString(topicId);
    const topic = this.#context.topics.find((item) => uuidToString(item.topicId) === id);
    if (topic === undefined) {
      throw this.#context.checker.violations.report(
        "fetches answer what was asked",
        `unknown topic id ${id}`,
      );
    }
    return topic.name;
  }
}
