/**
 * The mutable state of one Raft node and the small helpers every handler
 * uses. Internal to `src/raft/`: the public face is `RaftNode`
 * (raft_node.ts), and the handlers in the other files change this state.
 */
import type { RaftEnvelope, RaftMessage, RaftRequest, RaftResponse } from "./messages.ts";
import { RaftLog, type Snapshot } from "./raft_log.ts";
import { RequestTracker } from "./request_tracker.ts";
import type { Role } from "./roles.ts";
import {
  DEFAULT_RAFT_TIMEOUTS,
  NO_NODE,
  type PlantedBugs,
  type QuorumStateRecord,
  type RaftBatch,
  type RaftTimeouts,
  type SnapshotId,
  type VoterEndpoint,
  type VoterInfo,
} from "./types.ts";

/**
 * A quorum whose voters live in the log (kraft.version 1, KIP-853): the
 * latest VotersRecord names them, and until the log has one the bootstrap
 * voters do (the standalone first voter, or none for a node that joins).
 */
export interface DynamicQuorumOptions {
  /** This node's metadata log directory id (meta.properties `directory.id`). */
  directoryId: string;
  /** This node's controller listeners, as a VotersRecord would list them. */
  endpoints: VoterEndpoint[];
  /** The voter set before the log names one (Kafka's bootstrap checkpoint); empty for a joining node. */
  bootstrapVoters: VoterInfo[];
  /**
   * Ids (below -1, as Kafka numbers them) standing for the
   * `controller.quorum.bootstrap.servers`: where an observer looks for the leader.
   */
  bootstrapServers: number[];
}

/** A voter of `controller.quorum.voters`: no directory id, endpoints from the configuration only. */
function staticVoter(voterId: number): VoterInfo {
  return { voterId, directoryId: null, endpoints: [], kraftVersionMin: 0, kraftVersionMax: 0 };
}

/** The randomness the core needs (the seam's `Random` fits). */
export interface RandomSource {
  /** An integer in [0, bound). */
  int(bound: number): number;
}

/** How to build the core (RaftNodeOptions adds what only the RaftNode wrapper uses). */
export interface RaftCoreOptions {
  /** This node's id (`node.id`). */
  nodeId: number;
  /**
   * The static voters' ids (`controller.quorum.voters`); a node not listed is
   * an observer. Ignored when `dynamic` is given.
   */
  voters: readonly number[];
  /** Dynamic voters (kraft.version 1); absent for a static quorum (kraft.version 0). */
  dynamic?: DynamicQuorumOptions | null;
  /** Requests naming another cluster id are refused with INCONSISTENT_CLUSTER_ID; null accepts any. */
  clusterId?: string | null;
  timeouts?: Partial<RaftTimeouts>;
  random: RandomSource;
  /** The node's monotonic clock at start-up. */
  nowMs: number;
  /** The `quorum-state` file found at start-up, if any. */
  quorumState?: QuorumStateRecord | null;
  /** The latest snapshot found at start-up, if any. */
  snapshot?: Snapshot | null;
  /** The log's batches found at start-up (those below the snapshot's end are ignored). */
  batches?: readonly RaftBatch[];
  /**
   * Checks a downloaded snapshot before it replaces the log (framing, CRCs);
   * a rejected one is dropped and fetched again. Accepts everything by default.
   */
  validateSnapshot?: (bytes: Uint8Array, snapshotId: SnapshotId) => boolean;
  /** Called with a line for each notable event (state changes, refused input). */
  log?: (line: string) => void;
  /**
   * Wall-clock time minus `nowMs` (the monotonic clock), to stamp the
   * LeaderChange batches the node writes itself; 0 by default.
   */
  wallClockOffsetMs?: number;
  /** Test-only: deliberate safety bugs, to prove the checkers catch them. */
  bugs?: PlantedBugs;
}

/** The Ready handed out and not yet advanced. */
export interface InflightReady {
  endOffset: number;
}

export class RaftCore {
  readonly nodeId: number;
  readonly dynamic: DynamicQuorumOptions | null;
  /** The voter set before the log names one. */
  readonly bootstrapVoters: readonly VoterInfo[];
  #votersCache: { source: object; ids: number[] } | null = null;
  readonly clusterId: string | null;
  readonly timeouts: RaftTimeouts;
  readonly random: RandomSource;
  readonly bugs: PlantedBugs;
  readonly validateSnapshot: (bytes: Uint8Array, snapshotId: SnapshotId) => boolean;
  readonly logLine: (line: string) => void;
  readonly wallClockOffsetMs: number;
  readonly requests: RequestTracker;
  log: RaftLog;
  role!: Role;
  nowMs: number;
  /** The highest offset known committed (-1 when unknown); never goes back. */
  highWatermark = -1;
  /** Everything below this was handed out to apply (as committed batches or a snapshot). */
  appliedOffset: number;
  nextCorrelationId = 1;
  /** Messages to send with the next Ready. */
  outbox: RaftEnvelope[] = [];
  /** The quorum state the driver has been told to persist (null: nothing on disk). */
  handedQuorumState: QuorumStateRecord | null;
  /** The log end the driver will have once every Ready handed out is done. */
  handedEndOffset: number;
  /** The lowest truncation since the last Ready. */
  lowestTruncation: number | null = null;
  /** A snapshot fetched from the leader, to write with the next Ready. */
  pendingInstall: Snapshot | null = null;
  /** A new log start (after a local snapshot), to pass on with the next Ready. */
  pendingLogStartOffset: number | null = null;
  /** The log end that is durable (the leader counts only this for itself). */
  persistedEndOffset: number;
  inflightReady: InflightReady | null = null;
  /** The high watermark last handed out in a Ready. */
  handedHighWatermark = -1;

  constructor(options: RaftCoreOptions) {
    if (!Number.isSafeInteger(options.nodeId) || options.nodeId < 0) {
      throw new RangeError(`node id must be a non-negative integer: ${options.nodeId}`);
    }
    this.nodeId = options.nodeId;
    this.dynamic = options.dynamic ?? null;
    this.bootstrapVoters = this.dynamic !== null
      ? this.dynamic.bootstrapVoters
      : [...new Set(options.voters)].map(staticVoter);
    if (this.bootstrapVoters.length === 0 && this.dynamic === null) {
      throw new RangeError("a quorum needs at least one voter");
    }
    this.clusterId = options.clusterId ?? null;
    this.timeouts = { ...DEFAULT_RAFT_TIMEOUTS, ...options.timeouts };
    this.random = options.random;
    this.bugs = options.bugs ?? {};
    this.validateSnapshot = options.validateSnapshot ?? (() => true);
    this.logLine = options.log ?? (() => {});
    this.wallClockOffsetMs = options.wallClockOffsetMs ?? 0;
    this.requests = new RequestTracker(this.timeouts.requestTimeoutMs, this.timeouts.retryBackoffMs);
    this.nowMs = options.nowMs;
    this.log = RaftLog.restore({ snapshot: options.snapshot ?? null, batches: options.batches ?? [] });
    this.appliedOffset = this.log.startOffset;
    this.#checkBootstrapVoters();
    this.handedQuorumState = options.quorumState ?? null;
    this.handedEndOffset = this.log.endOffset;
    this.persistedEndOffset = this.log.endOffset;
  }

  /**
   * Bootstrap voters stand in for a voter set only where the log has had no
   * other: a log written by a static quorum of other voters (its latest
   * LeaderChange names them) must not be taken over by a lone bootstrap voter,
   * which could then commit alone and lose what the others committed. (Kafka
   * formats the bootstrap voters once, into an empty log.)
   */
  #checkBootstrapVoters(): void {
    if (this.dynamic === null || this.bootstrapVoters.length === 0 || this.log.latestVoterSet !== null) {
      return;
    }
    const batches = this.log.batches;
    for (let index = batches.length - 1; index >= 0; index--) {
      const change = batches[index]!.records.find((record) => record.type === "leaderChange");
      if (change === undefined || change.type !== "leaderChange") continue;
      const logged = change.voters.map((voter) => voter.voterId).sort((left, right) => left - right);
      const bootstrap = this.bootstrapVoters.map((voter) => voter.voterId).sort((left, right) =>
        left - right
      );
      if (logged.join() !== bootstrap.join()) {
        throw new RangeError(
          `the metadata log was written by the static voters ${logged.join(",")}: node ${this.nodeId} ` +
            `cannot start it again as the dynamic quorum of ${bootstrap.join(",")}`,
        );
      }
      return;
    }
  }

  /** The voters now: the latest voter set in the log, else the bootstrap set (sorted ids). */
  get voters(): readonly number[] {
    const entry = this.log.latestVoterSet;
    const source: object = entry ?? this.bootstrapVoters;
    if (this.#votersCache?.source !== source) {
      const list = entry?.voters ?? this.bootstrapVoters;
      const ids = [...new Set(list.map((voter) => voter.voterId))].sort((left, right) => left - right);
      this.#votersCache = { source, ids };
    }
    return this.#votersCache.ids;
  }

  /** The voters now with their directory ids and endpoints. */
  get voterInfos(): readonly VoterInfo[] {
    return this.log.latestVoterSet?.voters ?? this.bootstrapVoters;
  }

  /** The finalized kraft.version: the log's latest, else 1 for a dynamic quorum and 0 for a static one. */
  get kraftVersion(): number {
    return this.log.latestKraftVersion ?? (this.dynamic !== null ? 1 : 0);
  }

  /**
   * Whether this node may campaign: it is a voter, or (dynamic voters) an
   * uncommitted VotersRecord removed it. Such a node, typically a leader that
   * removed itself and lost leadership before the change committed, may hold
   * the only copy of that record; the remaining voters may then need it as
   * leader to finish the change (it needs a majority of the new set, which
   * overlaps every majority of the old one, so this is safe, and pre-votes
   * keep it from disrupting a quorum that moved on).
   */
  get canCampaign(): boolean {
    if (this.isVoter) return true;
    if (this.dynamic === null) return false;
    const latest = this.log.latestVoterSet;
    if (latest === null || latest.offset < this.highWatermark || latest.voters.length === 0) return false;
    const previous = this.log.quorumConfigBefore(latest.offset).voters?.voters ?? this.bootstrapVoters;
    return previous.some((voter) => voter.voterId === this.nodeId);
  }

  get isVoter(): boolean {
    return this.voters.includes(this.nodeId);
  }

  get isOnlyVoter(): boolean {
    return this.voters.length === 1 && this.voters[0] === this.nodeId;
  }

  get epoch(): number {
    return this.role.epoch;
  }

  /** The other voters. */
  get remoteVoters(): number[] {
    return this.voters.filter((voter) => voter !== this.nodeId);
  }

  /** The leader of the current epoch as this node knows it, or -1. */
  get leaderId(): number {
    const role = this.role;
    if (role.name === "Leader" || role.name === "Resigned") return this.nodeId;
    if (role.name === "Candidate") return NO_NODE;
    return role.leaderId;
  }

  /** The candidate this node voted for in the current epoch, or -1. */
  get votedId(): number {
    const role = this.role;
    if (role.name === "Leader" || role.name === "Resigned" || role.name === "Candidate") return this.nodeId;
    return role.votedId;
  }

  /** What `quorum-state` must say now. */
  quorumState(): QuorumStateRecord {
    return { epoch: this.epoch, leaderId: this.leaderId, votedId: this.votedId };
  }

  /** A random election timeout in [electionTimeoutMs, 2 * electionTimeoutMs). */
  randomElectionTimeoutMs(): number {
    const base = this.timeouts.electionTimeoutMs;
    return base === 0 ? 0 : base + this.random.int(base);
  }

  /** Queues a request to `destination` and tracks it. */
  sendRequest(destination: number, body: RaftRequest): void {
    const correlationId = this.nextCorrelationId++;
    this.requests.onSent(destination, correlationId, this.nowMs);
    this.outbox.push({ from: this.nodeId, to: destination, correlationId, body });
  }

  /** Queues the response to `request`. */
  respond(request: RaftEnvelope, body: RaftResponse): void {
    this.outbox.push({ from: this.nodeId, to: request.from, correlationId: request.correlationId, body });
  }

  /** Truncates the log, remembering it for the next Ready. */
  truncateLog(offset: number): void {
    if (offset >= this.log.endOffset) return;
    if (offset < this.highWatermark) {
      throw new Error(
        `node ${this.nodeId} would truncate to ${offset}, below its high watermark ${this.highWatermark}`,
      );
    }
    this.log.truncateTo(offset);
    this.lowestTruncation = Math.min(this.lowestTruncation ?? Infinity, offset);
    this.persistedEndOffset = Math.min(this.persistedEndOffset, offset);
  }

  /** Raises the high watermark (never lowers it). Returns whether it moved. */
  raiseHighWatermark(offset: number): boolean {
    if (offset <= this.highWatermark) return false;
    this.highWatermark = offset;
    return true;
  }

  debug(text: string): void {
    this.logLine(`[raft ${this.nodeId} ${this.role.name} e${this.epoch}] ${text}`);
  }

  /** A short description of an incoming message, for logs. */
  describe(envelope: RaftEnvelope<RaftMessage>): string {
    return `${envelope.body.type} from ${envelope.from} (#${envelope.correlationId})`;
  }
}
