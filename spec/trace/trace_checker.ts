/**
 * Checks traces of Dafka's Raft core (src/raft/trace.ts) step by step
 * against the spec's actions (spec/raft.qnt, through its TypeScript mirror
 * spec_model.ts).
 *
 * Entries come in the order they happened, from all nodes. For each node
 * the checker keeps the spec's view of its state (the adapter's projection
 * of the last state) and demands that every input leads where the spec
 * allows:
 *
 * - a message (`step`): the spec handles it, or drops it (a response the
 *   node no longer expects, as the network may lose any message), and then
 *   any number of timeouts fire (the core's poll);
 * - a timer (`tick`), a resignation (`resign`): timeouts only;
 * - a proposal: the leader appends that many entries (or nothing, refused);
 * - `advance`: the log is flushed up to the persisted end, then timeouts;
 * - `ready`: nothing changes, and every message it sends must be one the
 *   spec sends: each request one the node may send in a state it had since
 *   the last Ready (with its log flushed, as the core sends only after
 *   syncing), each response the spec's answer to the request it answers
 *   (in the state the node was in when it handled the request, or later:
 *   a leader may hold a fetch and answer it later);
 * - a restart (`start` of a new incarnation): the spec's restart from the
 *   last state whose quorum state and some prefix of whose log were on disk.
 *
 * The first step that fits none of these is returned as a divergence.
 */
import type { RaftEnvelope, RaftMessage, TraceEntry } from "../../src/raft/mod.ts";
import { NotModelled, specMessageOf, specNodeOf } from "./code_adapter.ts";
import { canonical, Kind, SpecError, type SpecMessage, type SpecModel, type SpecNode } from "./spec_model.ts";

/** A trace entry, with the incarnation of the node when the driver restarts nodes. */
export type CheckedEntry = TraceEntry & { incarnation?: number };

/** Where the implementation did something the spec does not allow. */
export interface Divergence {
  nodeId: number;
  sequence: number;
  incarnation: number;
  input: string;
  reason: string;
  /** What the spec allowed (states or messages, as text). */
  expected: string[];
  actual: string;
}

/** Timeouts one input may chain (the core's poll chains at most 8 moves). */
const TIMEOUTS_PER_INPUT_MAX = 8;
/** Moves (timeouts, held fetches answered) one input may chain, at most. */
const MOVES_PER_INPUT_MAX = 12;

interface PendingResponse {
  /** The request as it came, and as the spec's message. */
  body: RaftMessage;
  request: SpecMessage;
  /** States in which the spec may compute the answer: when handled, and after (a held fetch). */
  states: SpecNode[];
}

interface NodeTrack {
  incarnation: number;
  current: SpecNode;
  /** States since the last Ready: a request in the next Ready was made in one of them. */
  sinceReady: SpecNode[];
  /**
   * This incarnation's states from the last Ready that was synced (advanced) on: a crash keeps
   * the quorum state of one of them, and a prefix of its log.
   */
  sinceDurable: SpecNode[];
  /** How many states of `sinceDurable` precede the Ready handed out and not yet advanced. */
  readyIndex: number | null;
  /** Requests handled and not answered yet, by key (a duplicated request is handled twice). */
  pending: Map<string, PendingResponse[]>;
}

function responseKey(responder: number, requester: number, correlationId: number): string {
  return `${responder}->${requester}#${correlationId}`;
}

function describeInput(entry: CheckedEntry): string {
  const input = entry.input;
  if (input.kind === "step") {
    const envelope = input.message;
    return `step ${envelope.body.type} from ${envelope.from} #${envelope.correlationId}`;
  }
  return input.kind;
}

export class TraceChecker {
  readonly #nodes = new Map<number, NodeTrack>();
  /** What each response sent answers (the network delivers the very envelope that was sent). */
  readonly #answers = new WeakMap<RaftEnvelope, RaftMessage>();
  /**
   * The requests handled, by responder, requester and correlation id: what a response answers,
   * for a driver that copies envelopes (a restarted node reuses correlation ids, so this may err).
   */
  readonly #requests = new Map<string, RaftMessage>();
  /** Inputs checked so far. */
  steps = 0;
  /** How many steps of each input kind were checked. */
  readonly kinds = new Map<string, number>();

  constructor(readonly model: SpecModel) {}

  /** The spec's states reachable from `state` by timeouts alone (the first is `state`). */
  timeoutChain(self: number, state: SpecNode): SpecNode[] {
    const chain = [state];
    let last = state;
    for (let hop = 0; hop < TIMEOUTS_PER_INPUT_MAX && this.model.canTimeout(last); hop++) {
      last = this.model.onTimeout(self, last);
      chain.push(last);
    }
    return chain;
  }

  /**
   * The states reachable from `starts` by the moves that may follow any input: timeouts, and
   * a leader answering a fetch it held (which handles that fetch again, as a retried request).
   */
  #afterInput(self: number, track: NodeTrack, starts: SpecNode[]): SpecNode[] {
    const heldFetches: SpecMessage[] = [];
    for (const list of track.pending.values()) {
      for (const pending of list) {
        if (pending.request.kind === Kind.fetchRequest) heldFetches.push(pending.request);
      }
    }
    const seen = new Map<string, SpecNode>();
    let frontier = starts;
    for (let depth = 0; depth <= MOVES_PER_INPUT_MAX && frontier.length > 0; depth++) {
      const next: SpecNode[] = [];
      for (const state of frontier) {
        const key = canonical(state);
        if (seen.has(key)) continue;
        seen.set(key, state);
        if (this.model.canTimeout(state)) next.push(this.model.onTimeout(self, state));
        if (state.role === "Leader") {
          for (const fetch of heldFetches) {
            next.push(this.model.handleFetchRequest(self, state, fetch, 0).state);
          }
        }
      }
      frontier = next;
    }
    return [...seen.values()];
  }

  /** Checks the next entry; returns the divergence if it has one. */
  check(entry: CheckedEntry): Divergence | null {
    try {
      return this.#check(entry);
    } catch (error) {
      if (error instanceof NotModelled) {
        return this.#divergence(entry, `not modelled by the spec: ${error.message}`, [], "");
      }
      throw error;
    }
  }

  #check(entry: CheckedEntry): Divergence | null {
    this.steps++;
    this.kinds.set(entry.input.kind, (this.kinds.get(entry.input.kind) ?? 0) + 1);
    const self = entry.nodeId;
    const actual = specNodeOf(entry.state, this.model.parameters.voters);
    const incarnation = entry.incarnation ?? 0;
    const track = this.#nodes.get(self);
    if (entry.input.kind === "start") return this.#start(entry, actual, track);
    if (track === undefined || track.incarnation !== incarnation) {
      return this.#divergence(entry, "an entry before the node's start", [], canonical(actual));
    }
    const pre = track.current;
    const input = entry.input;
    let allowed: SpecNode[];
    switch (input.kind) {
      case "step":
        this.#stepMessage(track, input.message);
        allowed = this.#afterInput(self, track, this.#afterMessage(self, pre, input.message));
        break;
      case "tick":
      case "resign":
        allowed = this.#afterInput(self, track, [pre]);
        break;
      case "propose":
        allowed = this.#afterInput(self, track, [
          input.errorCode === 0 ? this.model.appendClientEntries(pre, input.values.length) : pre,
        ]);
        break;
      case "ready": {
        const divergence = this.#ready(entry, track, input.ready.messages);
        if (divergence !== null) return divergence;
        allowed = [pre];
        break;
      }
      case "advance": {
        const flushed = actual.flushedLength;
        if (flushed > pre.log.length) {
          return this.#divergence(entry, "flushed beyond the log", [], canonical(actual));
        }
        allowed = this.#afterInput(self, track, [this.model.flush(self, pre, flushed)]);
        break;
      }
      case "recordSnapshot":
        throw new NotModelled("local snapshots are not modelled");
      case "voterChange":
        throw new NotModelled("voter changes (KIP-853) are not modelled");
    }
    const actualText = canonical(actual);
    if (!allowed.some((state) => canonical(state) === actualText)) {
      return this.#divergence(
        entry,
        "the state after this input is none the spec allows",
        allowed.map(canonical),
        actualText,
      );
    }
    this.#advanceTrack(track, actual, input.kind);
    return null;
  }

  #advanceTrack(track: NodeTrack, state: SpecNode, kind: string): void {
    track.current = state;
    for (const list of track.pending.values()) for (const pending of list) pending.states.push(state);
    if (kind === "advance" && track.readyIndex !== null) {
      // What the advanced Ready wrote (the state when it was handed out) is now on disk.
      track.sinceDurable = track.sinceDurable.slice(track.readyIndex);
      track.readyIndex = null;
    }
    if (kind === "ready") {
      track.readyIndex = track.sinceDurable.length;
      track.sinceReady = [state];
    } else track.sinceReady.push(state);
    track.sinceDurable.push(state);
  }

  #start(entry: CheckedEntry, actual: SpecNode, previous: NodeTrack | undefined): Divergence | null {
    const self = entry.nodeId;
    const actualText = canonical(actual);
    let allowed: SpecNode[];
    if (previous === undefined) {
      allowed = this.timeoutChain(self, this.model.initialNode);
    } else {
      // A restart keeps the quorum state of some state since the last synced Ready and a prefix
      // of its log (what was written may or may not have reached the disk).
      allowed = [];
      for (const before of previous.sinceDurable) {
        for (let kept = 0; kept <= before.log.length; kept++) {
          allowed.push(this.model.restart(self, { ...before, flushedLength: kept }));
        }
      }
    }
    if (!allowed.some((state) => canonical(state) === actualText)) {
      return this.#divergence(
        entry,
        previous === undefined ? "the first start" : "the restart",
        allowed.map(canonical),
        actualText,
      );
    }
    this.#nodes.set(self, {
      incarnation: entry.incarnation ?? 0,
      current: actual,
      sinceReady: [actual],
      sinceDurable: [actual],
      readyIndex: null,
      pending: new Map(),
    });
    return null;
  }

  /** Remembers a request, so that its response can be checked against it. */
  #stepMessage(track: NodeTrack, envelope: RaftEnvelope): void {
    const body = envelope.body;
    if (!body.type.endsWith("Request")) return;
    const key = responseKey(envelope.to, envelope.from, envelope.correlationId);
    this.#requests.set(key, body);
    const list = track.pending.get(key) ?? [];
    list.push({ body, request: specMessageOf(envelope), states: [track.current] });
    track.pending.set(key, list);
  }

  /** States a node may be in right after handling `envelope` from `pre`. */
  #afterMessage(self: number, pre: SpecNode, envelope: RaftEnvelope): SpecNode[] {
    const request = this.#answers.get(envelope) ??
      this.#requests.get(responseKey(envelope.from, envelope.to, envelope.correlationId)) ?? null;
    const message = specMessageOf(envelope, request);
    const handled = this.model.handleMessage(self, pre, message, 0).state;
    const isResponse = !envelope.body.type.endsWith("Request");
    // A response may be one the node no longer expects: as if the network had lost it.
    return isResponse ? [handled, pre] : [handled];
  }

  #ready(entry: CheckedEntry, track: NodeTrack, messages: readonly RaftEnvelope[]): Divergence | null {
    const self = entry.nodeId;
    for (const envelope of messages) {
      if (envelope.from !== self) {
        return this.#divergence(entry, "a message from another node", [], JSON.stringify(envelope));
      }
      if (envelope.body.type.endsWith("Request")) {
        const divergence = this.#checkRequest(entry, track, envelope);
        if (divergence !== null) return divergence;
      } else {
        const divergence = this.#checkResponse(entry, track, envelope);
        if (divergence !== null) return divergence;
      }
    }
    return null;
  }

  #checkRequest(entry: CheckedEntry, track: NodeTrack, envelope: RaftEnvelope): Divergence | null {
    const self = entry.nodeId;
    const message = canonical(specMessageOf(envelope));
    const allowed = new Set<string>();
    for (const state of track.sinceReady) {
      // The core sends only once the Ready is synced: the log is then flushed.
      const flushed = { ...state, flushedLength: state.log.length };
      for (const request of this.model.requestsToSend(self, flushed)) allowed.add(canonical(request));
    }
    if (allowed.has(message)) return null;
    return this.#divergence(entry, `a request the spec does not send`, [...allowed], message);
  }

  #checkResponse(entry: CheckedEntry, track: NodeTrack, envelope: RaftEnvelope): Divergence | null {
    const self = entry.nodeId;
    const key = responseKey(self, envelope.to, envelope.correlationId);
    const pending = track.pending.get(key)?.shift();
    if (pending === undefined) {
      return this.#divergence(
        entry,
        "a response to no request this node handled",
        [],
        JSON.stringify(envelope.body),
      );
    }
    if (track.pending.get(key)?.length === 0) track.pending.delete(key);
    this.#answers.set(envelope, pending.body);
    const actual = specMessageOf(envelope, pending.body);
    const allowed = new Set<string>();
    for (const state of pending.states) {
      for (
        const reply of this.model.handleMessage(self, state, pending.request, actual.entries.length).replies
      ) {
        // A leader sends at least one entry of a valid fetch when it has any (how many is its choice).
        const validFetch = reply.kind === Kind.fetchResponse && reply.error === SpecError.none &&
          reply.divergingEpoch < 0;
        if (
          validFetch &&
          !this.model.fetchEntryCounts(state, pending.request.offset).includes(actual.entries.length)
        ) {
          continue;
        }
        allowed.add(canonical(reply));
      }
    }
    const actualText = canonical(actual);
    if (allowed.has(actualText)) return null;
    return this.#divergence(entry, "a response the spec does not give", [...allowed], actualText);
  }

  #divergence(entry: CheckedEntry, reason: string, expected: string[], actual: string): Divergence {
    return {
      nodeId: entry.nodeId,
      sequence: entry.sequence,
      incarnation: entry.incarnation ?? 0,
      input: describeInput(entry),
      reason,
      expected,
      actual,
    };
  }
}

/** A divergence as readable lines. */
export function describeDivergence(divergence: Divergence): string {
  return [
    `node ${divergence.nodeId} (incarnation ${divergence.incarnation}) entry ${divergence.sequence}: ${divergence.input}`,
    `  ${divergence.reason}`,
    `  actual:   ${divergence.actual}`,
    ...divergence.expected.slice(0, 6).map((expected) => `  allowed:  ${expected}`),
  ].join("\n");
}
