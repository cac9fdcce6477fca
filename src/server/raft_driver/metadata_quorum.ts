/**
 * The metadata quorum on a real node: drives the pure Raft core (src/raft)
 * with the node's clock, disk and network, and applies what it commits to
 * the broker's metadata image.
 *
 * Every Ready is done in place, in the core's order: persist (synced) ->
 * send -> apply -> advance. Messages go to the other voters over Kafka's
 * wire protocol (RaftPeers); requests from them arrive through
 * `handleRequest` on the controller listener. Metadata changes enter the
 * log only through `propose`, which resolves once the change is committed
 * and applied here, so a caller sees its own change in the image.
 */
import type { Timer, World } from "../../io/mod.ts";
import { decodeRecord, encodeRecord, type MetadataRecord } from "../../metadata/mod.ts";
import { ErrorCode, KafkaError, type Message, type ResponseInput } from "../../protocol/mod.ts";
import type { describeQuorum as describeQuorumApi } from "../../protocol/messages/mod.ts";
import {
  buildSnapshotBytes,
  describeQuorumToWire,
  endOffsetOf,
  isValidSnapshot,
  type RaftBatch,
  type RaftEnvelope,
  RaftNode,
  type RaftRequest,
  RaftStore,
  type RaftTimeouts,
  readSnapshotValues,
  type Ready,
  requestFromWire,
  type Snapshot,
  toWire,
  type VoterChangeResult,
  type VoterEndpoint,
  type VoterInfo,
  type VoterRequest,
  writeSnapshot,
} from "../../raft/mod.ts";
import type { BootstrapServer, VoterAddress } from "../../config/mod.ts";
import type { RaftPeers } from "./raft_peers.ts";

/** How long a resigning leader stays up to hand over (see `close`). */
const GRACEFUL_RESIGN_MS = 300;

/** What the quorum applies committed metadata to. */
export interface MetadataApplier {
  /** Replaces the whole state with a snapshot's records. */
  loadSnapshot(records: MetadataRecord[]): void;
  /** Applies the records of one committed batch; `endOffset` is the offset after it. */
  apply(records: MetadataRecord[], endOffset: number): void;
  /** The records that rebuild the current state (for writing a snapshot). */
  snapshotRecords(): MetadataRecord[];
}

export interface MetadataQuorumOptions {
  world: World;
  nodeId: number;
  clusterId: string;
  voterIds: readonly number[];
  /** The metadata log folder (`<metadata.log.dir>/__cluster_metadata-0`). */
  directory: string;
  timeouts: Partial<RaftTimeouts>;
  segmentBytes: number;
  /** Record bytes applied between two snapshots. */
  snapshotEveryBytes: number;
  /** How long a proposal may wait to commit before it fails with REQUEST_TIMED_OUT. */
  proposalTimeoutMs: number;
  peers: RaftPeers | null;
  applier: MetadataApplier;
  /**
   * Where the other controllers are, by node id (bootstrap servers under
   * their negative ids too): shared with the peers and the controller
   * channel, and kept up to date here from the voter set in the log.
   */
  addresses?: Map<number, VoterAddress>;
  /** Dynamic voters (KIP-853); absent or null for static `controller.quorum.voters`. */
  dynamic?: DynamicQuorumSettings | null;
}

/** What a node of a dynamic quorum brings (see DynamicQuorumOptions in src/raft). */
export interface DynamicQuorumSettings {
  directoryId: string;
  /** This node's controller listeners (empty for a broker-only node). */
  endpoints: VoterEndpoint[];
  /** This node starts the quorum as its only voter (`format --standalone`). */
  standalone: boolean;
  bootstrapServers: BootstrapServer[];
  /** The listener name voters reach each other on (the first of `controller.listener.names`). */
  listenerName: string;
}

/** The id Kafka gives the `index`th bootstrap server (-2, -3, ...: never a node's). */
export function bootstrapServerId(index: number): number {
  return -2 - index;
}

/**
 * What a simulation watches of a quorum (nothing else sets one): every
 * committed batch as it is applied to the image, and every snapshot that
 * replaces the image. It runs inside the quorum's code, so it must not
 * throw; a snapshot found on disk is reported from the constructor, before
 * `quorum.node` exists.
 */
export interface MetadataQuorumObserver {
  batchApplied(quorum: MetadataQuorum, batch: RaftBatch): void;
  snapshotLoaded(quorum: MetadataQuorum, snapshot: Snapshot): void;
}

interface Proposal {
  epoch: number;
  lastOffset: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: Timer;
}

/** A request from a peer waiting for the core's response. */
interface InboundRequest {
  resolve: (body: Message | null) => void;
  timer: Timer;
}

export class MetadataQuorum {
  /**
   * Observers by the world a quorum runs in: the simulator registers one
   * for the world it passes to `startNode`, since it cannot reach the
   * quorum before the node has started. Empty on a real node.
   */
  static readonly observers = new WeakMap<World, MetadataQuorumObserver>();
  readonly node: RaftNode;
  readonly #observer: MetadataQuorumObserver | undefined;
  readonly #store: RaftStore;
  readonly #options: MetadataQuorumOptions;
  readonly #world: World;
  #timer: Timer | null = null;
  #timerDeadlineMs = Infinity;
  #draining = false;
  #closed = false;
  /** Proposals by base offset. */
  readonly #proposals = new Map<number, Proposal>();
  readonly #inbound = new Map<number, InboundRequest>();
  #nextInboundId = 1;
  /** Everything below was applied to the image. */
  appliedOffset = 0;
  #lastAppliedEpoch = 0;
  #lastAppliedTimeMs = 0;
  #bytesSinceSnapshot = 0;
  /** The epoch in which this node, as leader, applied its own LeaderChange (so everything before it too). */
  #activeEpoch = -1;
  /** Called after every applied batch and leadership change (wakes metadata waiters). */
  onChange: () => void = () => {};

  constructor(options: MetadataQuorumOptions) {
    this.#options = options;
    this.#world = options.world;
    this.#observer = MetadataQuorum.observers.get(options.world);
    const world = options.world;
    this.#store = RaftStore.open({
      disk: world.disk,
      clock: world.clock,
      directory: options.directory,
      voters: options.voterIds,
      config: { segmentBytes: options.segmentBytes },
    });
    const stored = this.#store.load();
    if (stored.snapshot !== null) this.#loadSnapshot(stored.snapshot);
    const nowMs = this.#now();
    const dynamic = options.dynamic ?? null;
    for (const [index, server] of (dynamic?.bootstrapServers ?? []).entries()) {
      const nodeId = bootstrapServerId(index);
      options.addresses?.set(nodeId, { nodeId, ...server });
    }
    this.node = new RaftNode({
      nodeId: options.nodeId,
      voters: options.voterIds,
      dynamic: dynamic === null ? null : {
        directoryId: dynamic.directoryId,
        endpoints: dynamic.endpoints,
        bootstrapVoters: dynamic.standalone
          ? [{
            voterId: options.nodeId,
            directoryId: dynamic.directoryId,
            endpoints: dynamic.endpoints,
            kraftVersionMin: 0,
            kraftVersionMax: 1,
          }]
          : [],
        bootstrapServers: dynamic.bootstrapServers.map((_, index) => bootstrapServerId(index)),
      },
      clusterId: options.clusterId,
      timeouts: options.timeouts,
      random: world.random,
      nowMs,
      quorumState: stored.quorumState,
      snapshot: stored.snapshot,
      batches: stored.batches,
      validateSnapshot: isValidSnapshot,
      wallClockOffsetMs: Math.round(world.clock.nowMs() - nowMs),
      log: (line) => world.log(`[raft] ${line}`),
    });
    options.peers?.setReceiver((envelope) => this.#step(envelope));
    this.#learnVoterAddresses();
  }

  /** The voters' controller listeners, from the voter set in force, go into the address book. */
  #learnVoterAddresses(): void {
    const addresses = this.#options.addresses;
    const dynamic = this.#options.dynamic;
    if (addresses === undefined || dynamic === undefined || dynamic === null) return;
    for (const voter of this.node.voters) {
      const endpoint = voter.endpoints.find((candidate) => candidate.name === dynamic.listenerName) ??
        voter.endpoints[0];
      if (endpoint === undefined) continue;
      const known = addresses.get(voter.voterId);
      if (known?.host !== endpoint.host || known.port !== endpoint.port) {
        addresses.set(voter.voterId, { nodeId: voter.voterId, host: endpoint.host, port: endpoint.port });
      }
    }
  }

  /** The voters in force with their directory ids and listeners. */
  get voters(): readonly VoterInfo[] {
    return this.node.voters;
  }

  /** The monotonic clock in whole milliseconds (record batches carry integer times). */
  #now(): number {
    return Math.floor(this.#world.clock.monotonicMs());
  }

  /** Starts the timers (and, for a lone voter, the election). */
  start(): void {
    this.#afterInput();
  }

  /** Whether this node leads the quorum and has applied everything before its epoch. */
  get isActiveController(): boolean {
    return this.node.isLeader && this.#activeEpoch === this.node.epoch;
  }

  get leaderId(): number {
    return this.node.leaderId;
  }

  /** The offset the next proposed batch will land at (a registering broker's epoch). */
  get logEndOffset(): number {
    const last = this.node.batches.at(-1);
    return last === undefined ? this.node.state().logEndOffset : endOffsetOf(last);
  }

  /** Whether this node has applied everything the quorum is known to have committed. */
  get caughtUp(): boolean {
    return this.node.leaderId >= 0 && this.node.highWatermark > 0 &&
      this.appliedOffset >= this.node.highWatermark;
  }

  /**
   * Appends `records` as one batch. Resolves once the batch is committed
   * and applied here; rejects with NOT_CONTROLLER when this node does not
   * lead or loses the batch to a new leader, REQUEST_TIMED_OUT when it does
   * not commit in time.
   */
  propose(records: MetadataRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (!this.isActiveController) {
      return Promise.reject(
        new KafkaError(ErrorCode.NOT_CONTROLLER, "this node is not the active controller"),
      );
    }
    const clock = this.#world.clock;
    const result = this.node.propose(records.map(encodeRecord), this.#now(), Math.floor(clock.nowMs()));
    if (result.errorCode !== ErrorCode.NONE || !("baseOffset" in result)) {
      return Promise.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, "the proposal was refused"));
    }
    const promise = this.#awaitCommit(result, this.#options.proposalTimeoutMs);
    this.#afterInput();
    return promise;
  }

  /**
   * AddRaftVoter (KIP-853) on the active controller: resolves once the
   * VotersRecord with the new voter is committed; rejects with the Kafka
   * error the leader gives (DUPLICATE_VOTER, REQUEST_TIMED_OUT, ...).
   */
  addVoter(request: VoterRequest, timeoutMs: number, ackWhenCommitted = true): Promise<void> {
    return this.#voterChange(() => this.node.addVoter(request, this.#now()), timeoutMs, ackWhenCommitted);
  }

  /** RemoveRaftVoter (KIP-853); `directoryId` null matches any. */
  removeVoter(voterId: number, directoryId: string | null, timeoutMs: number): Promise<void> {
    return this.#voterChange(() => this.node.removeVoter(voterId, directoryId, this.#now()), timeoutMs);
  }

  #voterChange(change: () => VoterChangeResult, timeoutMs: number, ackWhenCommitted = true): Promise<void> {
    if (this.#closed || !this.node.isLeader) {
      return Promise.reject(
        new KafkaError(
          ErrorCode.NOT_LEADER_OR_FOLLOWER,
          "this node is not the leader of the metadata quorum",
        ),
      );
    }
    const result = change();
    if (!("baseOffset" in result)) {
      const message = "errorMessage" in result ? result.errorMessage : undefined;
      return Promise.reject(new KafkaError(result.errorCode, message));
    }
    const waitMs = timeoutMs > 0
      ? Math.min(timeoutMs, this.#options.proposalTimeoutMs)
      : this.#options.proposalTimeoutMs;
    // KIP-1186: a client may ask for the answer once the record is appended rather than committed.
    const promise = ackWhenCommitted ? this.#awaitCommit(result, waitMs) : Promise.resolve();
    this.#afterInput();
    return promise;
  }

  /** Resolves once the batch at `result` is committed and applied here in its epoch. */
  #awaitCommit(
    result: { baseOffset: number; lastOffset: number; epoch: number },
    waitMs: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.#world.clock.setTimer(waitMs, () => {
        this.#proposals.delete(result.baseOffset);
        reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, "the metadata change did not commit in time"));
      });
      this.#proposals.set(result.baseOffset, {
        epoch: result.epoch,
        lastOffset: result.lastOffset,
        resolve,
        reject,
        timer,
      });
    });
  }

  /**
   * A Raft request from a peer (Vote, BeginQuorumEpoch, EndQuorumEpoch,
   * Fetch of the metadata partition, FetchSnapshot, UpdateRaftVoter): resolves to the
   * response body, or null when the core gave no answer in time.
   */
  handleRequest(apiKey: number, version: number, body: Message): Promise<Message | null> {
    const decoded = requestFromWire(apiKey, version, body);
    if ("errorResponse" in decoded) return Promise.resolve(decoded.errorResponse);
    const request = decoded.request;
    const correlationId = this.#nextInboundId++;
    const waitMs = this.#options.timeouts.requestTimeoutMs ?? 2000;
    const answer = new Promise<Message | null>((resolve) => {
      const timer = this.#world.clock.setTimer(
        waitMs + (this.#options.timeouts.fetchMaxWaitMs ?? 500),
        () => {
          this.#inbound.delete(correlationId);
          resolve(null);
        },
      );
      this.#inbound.set(correlationId, { resolve, timer });
    });
    this.#step({ from: senderOf(request), to: this.#options.nodeId, correlationId, body: request });
    return answer;
  }

  /** DescribeQuorum (55), answered from this node's state. */
  describeQuorum(): ResponseInput<typeof describeQuorumApi> {
    const clock = this.#world.clock;
    return describeQuorumToWire(this.node.state(), Math.round(clock.nowMs() - this.#now()));
  }

  /** Resigns leadership (graceful shutdown: see GRACEFUL_RESIGN_MS) and stops. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const wasLeader = this.node.isLeader;
    this.node.resign(this.#now());
    this.#afterInput();
    if (wasLeader && this.#options.peers !== null) {
      // A leader that resigns keeps answering for a moment: its EndQuorumEpoch goes out and the
      // followers' next fetch carries the high watermark, so they elect a successor at once and
      // have applied everything it committed (the controlled shutdown's fencing among it).
      await this.#world.clock.sleep(GRACEFUL_RESIGN_MS);
    }
    this.#closed = true;
    this.#timer?.cancel();
    for (const proposal of this.#proposals.values()) {
      proposal.timer.cancel();
      proposal.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, "the node is shutting down"));
    }
    this.#proposals.clear();
    for (const inbound of this.#inbound.values()) {
      inbound.timer.cancel();
      inbound.resolve(null);
    }
    this.#inbound.clear();
    this.#options.peers?.close();
    this.#store.close();
  }

  #step(envelope: RaftEnvelope): void {
    if (this.#closed) return;
    this.node.step(envelope, this.#now());
    this.#afterInput();
  }

  #afterInput(): void {
    if (this.#closed) return;
    this.#drain();
    this.#armTimer();
  }

  #armTimer(): void {
    const deadline = this.node.nextDeadlineMs();
    if (deadline === Infinity || (this.#timer !== null && this.#timerDeadlineMs <= deadline)) return;
    this.#timer?.cancel();
    this.#timerDeadlineMs = deadline;
    const delayMs = Math.max(0, deadline - this.#now());
    this.#timer = this.#world.clock.setTimer(delayMs, () => {
      this.#timer = null;
      this.#timerDeadlineMs = Infinity;
      if (this.#closed) return;
      this.node.tick(this.#now());
      this.#afterInput();
    });
  }

  /** Does every Ready the core has, in order. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      const wasLeader = this.node.isLeader;
      while (this.node.hasReady()) {
        const ready = this.node.ready();
        this.#store.persist(ready, this.#world.clock.nowMs());
        this.#failTruncatedProposals(ready);
        for (const message of ready.messages) this.#send(message);
        if (ready.snapshot !== null) this.#loadSnapshot(ready.snapshot);
        for (const batch of ready.committed) this.#apply(batch);
        this.#maybeSnapshot();
        this.node.advance(this.#now());
      }
      this.#learnVoterAddresses();
      if (wasLeader !== this.node.isLeader) this.onChange();
    } finally {
      this.#draining = false;
    }
  }

  #send(message: RaftEnvelope): void {
    if (message.body.type.endsWith("Request")) {
      this.#options.peers?.send(message);
      return;
    }
    const inbound = this.#inbound.get(message.correlationId);
    if (inbound === undefined) return;
    this.#inbound.delete(message.correlationId);
    inbound.timer.cancel();
    const body = toWire(message.body).body;
    if (message.body.type === "FetchResponse") {
      this.#addLeaderEndpoint(body, message.body.currentLeader.leaderId);
    }
    inbound.resolve(body);
  }

  /**
   * Fetch v16's NodeEndpoints: where the leader a response names is, so that
   * an observer that asked a bootstrap server can go to the leader itself.
   */
  #addLeaderEndpoint(body: Message, leaderId: number): void {
    const address = leaderId >= 0 ? this.#options.addresses?.get(leaderId) : undefined;
    if (address === undefined) return;
    body.nodeEndpoints = [{ nodeId: leaderId, host: address.host, port: address.port, rack: null }];
  }

  #apply(batch: RaftBatch): void {
    const records: MetadataRecord[] = [];
    let bytes = 0;
    for (const record of batch.records) {
      if (record.type === "data") {
        bytes += record.value.length;
        try {
          records.push(decodeRecord(record.value));
        } catch (error) {
          this.#world.log(
            `skipped metadata record in batch ${batch.baseOffset}: ${(error as Error).message}`,
          );
        }
      } else if (
        record.type === "leaderChange" && record.leaderId === this.#options.nodeId &&
        batch.epoch === this.node.epoch
      ) {
        this.#activeEpoch = batch.epoch;
      }
    }
    const endOffset = endOffsetOf(batch);
    if (records.length > 0) this.#options.applier.apply(records, endOffset);
    this.appliedOffset = endOffset;
    this.#lastAppliedEpoch = batch.epoch;
    this.#lastAppliedTimeMs = batch.appendTimeMs;
    this.#bytesSinceSnapshot += bytes;
    this.#observer?.batchApplied(this, batch);
    const proposal = this.#proposals.get(batch.baseOffset);
    if (proposal !== undefined) {
      this.#proposals.delete(batch.baseOffset);
      proposal.timer.cancel();
      if (proposal.epoch === batch.epoch) proposal.resolve();
      else {proposal.reject(
          new KafkaError(ErrorCode.NOT_CONTROLLER, "leadership moved before the change committed"),
        );}
    }
    this.onChange();
  }

  /** Proposals whose offsets a truncation or an installed snapshot removed will never commit. */
  #failTruncatedProposals(ready: Ready): void {
    const cut = ready.snapshot !== null ? -1 : ready.truncateTo;
    if (cut === null) return;
    for (const [baseOffset, proposal] of this.#proposals) {
      if (baseOffset < cut) continue;
      this.#proposals.delete(baseOffset);
      proposal.timer.cancel();
      proposal.reject(
        new KafkaError(ErrorCode.NOT_CONTROLLER, "leadership moved before the change committed"),
      );
    }
  }

  #loadSnapshot(snapshot: Snapshot): void {
    const records: MetadataRecord[] = [];
    for (const values of readSnapshotValues(snapshot.bytes)) {
      for (const value of values) {
        try {
          records.push(decodeRecord(value));
        } catch (error) {
          this.#world.log(`skipped snapshot record: ${(error as Error).message}`);
        }
      }
    }
    this.#options.applier.loadSnapshot(records);
    this.appliedOffset = snapshot.id.endOffset;
    this.#lastAppliedEpoch = snapshot.id.epoch;
    this.#bytesSinceSnapshot = 0;
    this.#observer?.snapshotLoaded(this, snapshot);
    this.onChange();
  }

  /**
   * Writes a snapshot of the image once enough record bytes were applied
   * since the last one (`metadata.log.max.record.bytes.between.snapshots`),
   * so that start-up replays a bounded log and the log can be cut.
   */
  #maybeSnapshot(): void {
    if (this.#bytesSinceSnapshot < this.#options.snapshotEveryBytes || this.appliedOffset === 0) return;
    const id = { endOffset: this.appliedOffset, epoch: this.#lastAppliedEpoch };
    const values = this.#options.applier.snapshotRecords().map(encodeRecord);
    const quorumConfig = this.node.quorumConfigBefore(id.endOffset);
    const bytes = buildSnapshotBytes({
      snapshotId: id,
      lastContainedLogTimestampMs: this.#lastAppliedTimeMs,
      values: chunk(values, 1000),
      // The voter set in force at the snapshot's end goes with it, so that a log that starts there keeps it.
      quorumConfig: quorumConfig.voters === null
        ? null
        : { kraftVersion: quorumConfig.kraftVersion, voters: quorumConfig.voters.voters },
    });
    writeSnapshot(this.#world.disk, this.#options.directory, { id, bytes });
    this.node.recordSnapshot({ id, bytes });
    this.#bytesSinceSnapshot = 0;
    this.#world.log(`wrote metadata snapshot ${id.endOffset}-${id.epoch}`);
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/** The node a request says it comes from (the transport cannot authenticate it). */
function senderOf(request: RaftRequest): number {
  switch (request.type) {
    case "VoteRequest":
    case "FetchRequest":
    case "FetchSnapshotRequest":
      return request.replicaId;
    case "UpdateRaftVoterRequest":
      return request.voterId;
    case "BeginQuorumEpochRequest":
    case "EndQuorumEpochRequest":
      return request.leaderId;
  }
}
