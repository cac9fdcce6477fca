/**
 * One simulated Raft node: a RaftNode driven on a simulated host. Its log,
 * `quorum-state` and snapshots live on the host's SimDisk through RaftStore
 * (the same code a real node uses); its timers and the time an fsync takes
 * run on the simulation's scheduler; messages go through RaftNetwork.
 *
 * A Ready is written at once but synced only after a seeded disk latency,
 * and its messages leave only then: a crash in between loses the unsynced
 * writes (and may tear them), and nothing that depended on them was sent.
 */
import type { Timer, World } from "../../../src/io/mod.ts";
import {
  isValidSnapshot,
  type ProposeResult,
  type RaftEnvelope,
  RaftNode,
  type RaftNodeState,
  RaftStore,
  type Ready,
  type TraceEntry,
  type TraceSink,
  type VoterChangeResult,
  type VoterInfo,
  writeSnapshot,
} from "../../../src/raft/mod.ts";
import type { CrashMode, SeededRandom, SimCluster } from "../../../src/io/sim/mod.ts";
import type { RaftNetwork } from "./network.ts";
import type { RaftSimOptions } from "./options.ts";
import { SimApp } from "./sim_app.ts";

const METADATA_DIRECTORY = "/data/__cluster_metadata-0";
/** Messages a paused node holds; more are lost, as a full socket buffer would lose them. */
const PAUSED_INBOX_MAX = 1000;

/** A node's trace entry as the simulation records it. */
export type SimTraceEntry = TraceEntry & { virtualMs: number; incarnation: number };

/** What the checkers watch. */
export interface HostObserver {
  /** The node (re)started from its disk. */
  onStart(host: RaftHost): void;
  /** After every input the node handled (a message, a timer, a proposal, an advance). */
  afterStep(host: RaftHost): void;
  /** A Ready's effects are durable; before its messages leave. */
  onReady(host: RaftHost, ready: Ready): void;
  /** The node applied a snapshot of its own making or loaded one. */
  onSnapshot(host: RaftHost, kind: "created" | "loaded" | "restored"): void;
}

/** How a simulated node appears in a VotersRecord (its directory id and a made-up listener). */
export function simVoter(id: number): VoterInfo {
  const directoryId = `sim${String(id).padStart(4, "0")}`.padEnd(22, "A");
  return {
    voterId: id,
    directoryId,
    endpoints: [{ name: "CONTROLLER", host: `node-${id}`, port: 9093 }],
    kraftVersionMin: 0,
    kraftVersionMax: 1,
  };
}

export class RaftHost {
  node: RaftNode | null = null;
  app = new SimApp();
  #world: World | null = null;
  #store: RaftStore | null = null;
  #timer: Timer | null = null;
  #timerDeadlineMs = Infinity;
  #syncing = false;
  #paused = false;
  #pausedInbox: RaftEnvelope[] = [];
  #deferred: (() => void)[] = [];
  readonly random: SeededRandom;

  constructor(
    readonly id: number,
    private readonly cluster: SimCluster,
    private readonly network: RaftNetwork,
    private readonly options: RaftSimOptions,
    private readonly observer: HostObserver,
    /** Receives the node's trace entries with the virtual time and the incarnation. */
    private readonly trace: ((entry: SimTraceEntry) => void) | null = null,
  ) {
    this.random = cluster.random.fork(`raft-host-${id}`);
  }

  get name(): string {
    return `node-${this.id}`;
  }

  get running(): boolean {
    return this.node !== null;
  }

  get paused(): boolean {
    return this.#paused;
  }

  #now(): number {
    return this.#world!.clock.monotonicMs();
  }

  log(line: string): void {
    this.#world?.log(line);
  }

  /** Boots the node from its disk. */
  start(): void {
    const world = this.cluster.start(this.name);
    this.#world = world;
    const store = RaftStore.open({
      disk: world.disk,
      clock: world.clock,
      directory: METADATA_DIRECTORY,
      voters: this.options.voters,
      config: { segmentBytes: this.options.disk.segmentBytes },
    });
    this.#store = store;
    const stored = store.load();
    this.app = new SimApp();
    if (stored.snapshot !== null) this.app.load(stored.snapshot);
    this.node = new RaftNode({
      nodeId: this.id,
      voters: this.options.voters,
      dynamic: this.options.membership === null ? null : {
        directoryId: simVoter(this.id).directoryId!,
        endpoints: simVoter(this.id).endpoints,
        // Node 1 starts the quorum alone; every node lists the others as bootstrap servers (as
        // Kafka's controllers list the controllers), where it asks for the leader.
        bootstrapVoters: this.id === 1 ? [simVoter(1)] : [],
        bootstrapServers: [...this.options.voters, ...this.options.observers].filter((id) => id !== this.id),
      },
      clusterId: "sim-cluster",
      timeouts: this.options.timeouts,
      random: world.random,
      nowMs: this.#now(),
      quorumState: stored.quorumState,
      snapshot: stored.snapshot,
      batches: stored.batches,
      validateSnapshot: isValidSnapshot,
      wallClockOffsetMs: world.clock.nowMs() - this.#now(),
      bugs: this.options.bugs,
      log: (line) => world.log(line),
      trace: this.#traceSink(),
    });
    this.#timer = null;
    this.#timerDeadlineMs = Infinity;
    this.#syncing = false;
    this.#paused = false;
    this.#pausedInbox = [];
    this.#deferred = [];
    this.observer.onStart(this);
    if (stored.snapshot !== null) this.observer.onSnapshot(this, "restored");
    this.#afterInput();
  }

  #traceSink(): TraceSink | undefined {
    const trace = this.trace;
    if (trace === null) return undefined;
    const incarnation = this.cluster.host(this.name).incarnation?.number ?? 0;
    return (entry) => trace({ virtualMs: this.cluster.scheduler.nowMs, incarnation, ...entry });
  }

  /** Kills the node; a power loss also loses (and may tear) what was not synced. */
  crash(mode: CrashMode): void {
    this.cluster.crash(this.name, mode);
    this.node = null;
    this.#store = null;
    this.#world = null;
    this.#timer = null;
  }

  /** Stops the process for `durationMs`: messages wait, timers wait, then it all happens at once. */
  pause(durationMs: number): void {
    if (!this.running || this.#paused) return;
    this.#paused = true;
    this.log(`[sim] paused for ${durationMs} ms`);
    this.#world!.clock.setTimer(durationMs, () => this.#resume());
  }

  #resume(): void {
    this.#paused = false;
    this.log("[sim] resumed");
    for (const action of this.#deferred.splice(0)) action();
    for (const message of this.#pausedInbox.splice(0)) this.deliver(message);
    this.#onTimer();
  }

  /** A message from the network. */
  deliver(message: RaftEnvelope): void {
    const node = this.node;
    if (node === null) return;
    if (this.#paused) {
      if (this.#pausedInbox.length < PAUSED_INBOX_MAX) this.#pausedInbox.push(message);
      return;
    }
    node.step(message, this.#now());
    this.#afterInput();
  }

  /** Proposes `values` if this node leads; null when it does not (or is down or paused). */
  propose(values: string[]): ProposeResult | null {
    const node = this.node;
    if (node === null || this.#paused || !node.isLeader) return null;
    const encoder = new TextEncoder();
    const result = node.propose(
      values.map((value) => encoder.encode(value)),
      this.#now(),
      this.#world!.clock.nowMs(),
    );
    this.#afterInput();
    return result;
  }

  /** AddRaftVoter (add) or RemoveRaftVoter on this node if it leads; null when it does not. */
  changeVoters(change: "add" | "remove", voterId: number): VoterChangeResult | null {
    const node = this.node;
    if (node === null || this.#paused || !node.isLeader) return null;
    const voter = simVoter(voterId);
    const result = change === "add"
      ? node.addVoter({ voterId, directoryId: voter.directoryId, endpoints: voter.endpoints }, this.#now())
      : node.removeVoter(voterId, voter.directoryId, this.#now());
    this.#afterInput();
    return result;
  }

  /** Asks a leader to resign gracefully. */
  resign(): void {
    if (this.node === null || this.#paused) return;
    this.node.resign(this.#now());
    this.#afterInput();
  }

  /**
   * Bad input: steps the message `build` makes from the node's state
   * straight into the node (after letting due timers fire), and returns its
   * state just before and just after, so that the caller can check the
   * message changed nothing.
   */
  stepAndCompare(
    build: (state: RaftNodeState) => RaftEnvelope,
  ): { before: RaftNodeState; after: RaftNodeState } | null {
    const node = this.node;
    if (node === null || this.#paused) return null;
    const now = this.#now();
    node.tick(now);
    const before = node.state();
    node.step(build(before), now);
    const after = node.state();
    this.#afterInput();
    return { before, after };
  }

  /** Jumps this host's wall clock (Raft's timers use the monotonic clock and must not care). */
  jumpWallClock(deltaMs: number): void {
    this.cluster.host(this.name).wallClock.jump(deltaMs);
  }

  #afterInput(): void {
    if (this.node === null) return;
    this.observer.afterStep(this);
    this.#drain();
    this.#armTimer();
  }

  #armTimer(): void {
    const node = this.node;
    if (node === null || this.#paused) return;
    const deadline = node.nextDeadlineMs();
    if (deadline === Infinity || (this.#timer !== null && this.#timerDeadlineMs <= deadline)) return;
    this.#timer?.cancel();
    this.#timerDeadlineMs = deadline;
    this.#timer = this.#world!.clock.setTimer(Math.max(0, deadline - this.#now()), () => this.#onTimer());
  }

  #onTimer(): void {
    this.#timer = null;
    this.#timerDeadlineMs = Infinity;
    if (this.node === null || this.#paused) return;
    this.node.tick(this.#now());
    this.#afterInput();
  }

  /** Writes the next Ready now and finishes it once the (simulated) fsync is done. */
  #drain(): void {
    const node = this.node;
    if (node === null || this.#syncing || !node.hasReady()) return;
    const ready = node.ready();
    this.#syncing = true;
    this.#store!.persist(ready, this.#world!.clock.nowMs(), { sync: false });
    const latencyMs = this.random.int(this.options.disk.syncLatencyMaxMs + 1);
    this.#world!.clock.setTimer(latencyMs, () => this.#whenAwake(() => this.#finish(ready)));
  }

  #whenAwake(action: () => void): void {
    if (this.#paused) this.#deferred.push(action);
    else action();
  }

  #finish(ready: Ready): void {
    const node = this.node;
    if (node === null) return;
    this.#store!.sync(this.#world!.clock.nowMs());
    this.observer.onReady(this, ready);
    for (const message of ready.messages) this.network.send(message);
    if (ready.snapshot !== null) {
      this.app.load(ready.snapshot);
      this.observer.onSnapshot(this, "loaded");
    }
    for (const batch of ready.committed) this.app.apply(batch);
    this.#maybeSnapshot();
    this.#syncing = false;
    node.advance(this.#now());
    this.#afterInput();
  }

  /** Snapshots the app every few batches, as a controller does, and lets the log drop what it covers. */
  #maybeSnapshot(): void {
    if (this.app.batchesSinceSnapshot < this.options.workload.snapshotEveryBatches) return;
    const node = this.node!;
    const snapshot = this.app.snapshot((endOffset) => {
      const config = node.quorumConfigBefore(endOffset);
      return config.voters === null
        ? null
        : { kraftVersion: config.kraftVersion, voters: config.voters.voters };
    });
    if (snapshot === null) return;
    writeSnapshot(this.#world!.disk, METADATA_DIRECTORY, snapshot);
    this.node!.recordSnapshot(snapshot);
    this.observer.onSnapshot(this, "created");
  }
}
