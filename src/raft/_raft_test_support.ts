/**
 * Test support: a few RaftNodes driven by hand, with an in-memory "disk"
 * per node and a message queue the test delivers, drops or inspects. Time
 * moves only when the test says so.
 */
import { SeededRandom } from "../io/sim/mod.ts";
import type { RaftEnvelope } from "./messages.ts";
import type { Snapshot } from "./raft_log.ts";
import { RaftNode, type RaftNodeOptions } from "./raft_node.ts";
import type { QuorumStateRecord, RaftBatch, RaftTimeouts } from "./types.ts";

/** What a node has made durable. */
export interface MemoryDisk {
  quorumState: QuorumStateRecord | null;
  snapshot: Snapshot | null;
  batches: RaftBatch[];
}

export interface TestNode {
  id: number;
  node: RaftNode;
  disk: MemoryDisk;
  /** Batches applied, in order. */
  applied: RaftBatch[];
  up: boolean;
}

/** Fast timers, so that tests need little virtual time. */
export const TEST_TIMEOUTS: Partial<RaftTimeouts> = {
  electionTimeoutMs: 100,
  electionBackoffMaxMs: 100,
  fetchTimeoutMs: 200,
  requestTimeoutMs: 200,
  retryBackoffMs: 5,
  fetchMaxWaitMs: 50,
};

export class TestCluster {
  readonly nodes = new Map<number, TestNode>();
  network: RaftEnvelope[] = [];
  nowMs = 0;
  /** Messages for which this holds are lost instead of delivered. */
  lose: (message: RaftEnvelope) => boolean = () => false;
  /** What a message becomes on its way (as the wire would carry it); unchanged by default. */
  rewrite: (message: RaftEnvelope) => RaftEnvelope = (message) => message;
  readonly random: SeededRandom;

  constructor(
    readonly voters: number[],
    readonly options: {
      observers?: number[];
      seed?: number;
      extra?: Partial<RaftNodeOptions>;
      /** Options of one node (dynamic voters, say), over `extra`. */
      perNode?: (id: number) => Partial<RaftNodeOptions>;
      /** Ids that stand for another node (a bootstrap server's negative id and the node it reaches). */
      aliases?: Map<number, number>;
    } = {},
  ) {
    this.random = new SeededRandom(options.seed ?? 1);
    for (const id of [...voters, ...(options.observers ?? [])]) {
      this.nodes.set(id, {
        id,
        node: null!,
        disk: { quorumState: null, snapshot: null, batches: [] },
        applied: [],
        up: false,
      });
      this.start(id);
    }
  }

  get(id: number): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Starts (or restarts) a node from its disk. */
  start(id: number): void {
    const entry = this.get(id);
    entry.node = new RaftNode({
      nodeId: id,
      voters: this.voters,
      clusterId: "test-cluster",
      timeouts: TEST_TIMEOUTS,
      random: this.random.fork(`node-${id}-${this.nowMs}`),
      nowMs: this.nowMs,
      quorumState: entry.disk.quorumState,
      snapshot: entry.disk.snapshot,
      batches: entry.disk.batches,
      ...this.options.extra,
      ...this.options.perNode?.(id),
    });
    entry.applied = entry.disk.snapshot === null
      ? []
      : [...entry.applied.filter((batch) => batch.baseOffset < entry.disk.snapshot!.id.endOffset)];
    entry.up = true;
    this.drain(id);
  }

  /** Stops a node: its disk stays, messages to it are lost. */
  stop(id: number): void {
    this.get(id).up = false;
    this.network = this.network.filter((message) => message.to !== id && message.from !== id);
  }

  /** Does every Ready of a node: persist, queue messages, apply. */
  drain(id: number): void {
    const entry = this.get(id);
    for (let round = 0; round < 100 && entry.up && entry.node.hasReady(); round++) {
      const ready = entry.node.ready();
      const disk = entry.disk;
      if (ready.quorumState !== null) disk.quorumState = ready.quorumState;
      if (ready.snapshot !== null) {
        disk.snapshot = ready.snapshot;
        disk.batches = [];
      }
      if (ready.truncateTo !== null) {
        disk.batches = disk.batches.filter((batch) => batch.baseOffset < ready.truncateTo!);
      }
      disk.batches.push(...ready.batches);
      if (ready.logStartOffset !== null) {
        disk.batches = disk.batches.filter((batch) => batch.baseOffset >= ready.logStartOffset!);
      }
      this.network.push(...ready.messages);
      entry.applied.push(...ready.committed);
      entry.node.advance();
    }
  }

  /** Requests sent to an alias, by `${sender}:${correlationId}`: their answers come back from the alias. */
  readonly #aliasedRequests = new Map<string, number>();

  /** Delivers one queued message (the first matching `filter`); returns it. */
  deliverOne(filter: (message: RaftEnvelope) => boolean = () => true): RaftEnvelope | undefined {
    const index = this.network.findIndex(filter);
    if (index < 0) return undefined;
    const [queued] = this.network.splice(index, 1);
    let message = this.rewrite(queued!);
    const aliasOf = this.options.aliases?.get(message.to);
    if (aliasOf !== undefined) {
      this.#aliasedRequests.set(`${message.from}:${message.correlationId}`, message.to);
      message = { ...message, to: aliasOf };
    } else if (!message.body.type.endsWith("Request")) {
      const key = `${message.to}:${message.correlationId}`;
      const alias = this.#aliasedRequests.get(key);
      if (alias !== undefined) {
        this.#aliasedRequests.delete(key);
        message = { ...message, from: alias };
      }
    }
    const target = this.nodes.get(message.to);
    if (target?.up && !this.lose(message)) {
      target.node.step(message, this.nowMs);
      this.drain(target.id);
    }
    return message;
  }

  /** Delivers queued messages until none are left (or `maxMessages`). */
  deliverAll(maxMessages = 10_000, filter: (message: RaftEnvelope) => boolean = () => true): void {
    for (let count = 0; count < maxMessages; count++) {
      if (this.deliverOne(filter) === undefined) return;
    }
  }

  /** Moves time to `nowMs`, ticking every node at each of its deadlines on the way, delivering as it goes. */
  advanceTo(nowMs: number): void {
    for (let rounds = 0; rounds < 100_000; rounds++) {
      this.deliverAll();
      const next = Math.min(
        nowMs,
        ...[...this.nodes.values()].filter((entry) => entry.up).map((entry) => entry.node.nextDeadlineMs()),
      );
      this.nowMs = Math.max(this.nowMs, next);
      for (const entry of this.nodes.values()) {
        if (!entry.up) continue;
        entry.node.tick(this.nowMs);
        this.drain(entry.id);
      }
      this.deliverAll();
      if (this.nowMs >= nowMs) return;
    }
    throw new Error("time did not advance");
  }

  /** Runs until `predicate` holds or `maxMs` passes; returns whether it held. */
  runUntil(predicate: () => boolean, maxMs = 10_000): boolean {
    const deadline = this.nowMs + maxMs;
    while (!predicate()) {
      if (this.nowMs >= deadline) return false;
      this.advanceTo(Math.min(deadline, this.nowMs + 10));
    }
    return true;
  }

  /** Cuts `id` off: everything it sends or is sent is lost. */
  isolate(id: number): void {
    this.lose = (message) => message.from === id || message.to === id;
  }

  healAll(): void {
    this.lose = () => false;
  }

  /** The node that leads the highest epoch, if any. */
  leader(): TestNode | undefined {
    return [...this.nodes.values()]
      .filter((entry) => entry.up && entry.node.isLeader)
      .sort((left, right) => right.node.epoch - left.node.epoch)[0];
  }

  /** Proposes on the leader and runs until it is committed there; returns the offset. */
  commit(value: string, maxMs = 5_000): number {
    const leader = this.leader();
    if (leader === undefined) throw new Error("no leader");
    const result = leader.node.propose([new TextEncoder().encode(value)], this.nowMs);
    if (result.errorCode !== 0 || !("baseOffset" in result)) {
      throw new Error(`propose failed: ${result.errorCode}`);
    }
    this.drain(leader.id);
    const committed = this.runUntil(() => leader.node.highWatermark > result.lastOffset, maxMs);
    if (!committed) throw new Error(`${value} was not committed`);
    return result.baseOffset;
  }
}

/** The data values of applied batches, as text. */
export function appliedValues(batches: readonly RaftBatch[]): string[] {
  const decoder = new TextDecoder();
  return batches.flatMap((batch) =>
    batch.records.flatMap((record) => record.type === "data" ? [decoder.decode(record.value)] : [])
  );
}
