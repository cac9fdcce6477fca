/**
 * The per-node functions of spec/raft.qnt, written again in TypeScript, one
 * function for each Quint definition and under the same name, so that traces
 * of the implementation can be checked against the spec quickly.
 *
 * That this mirror says what the Quint spec says is itself checked:
 * spec_model_test.ts replays traces that `quint run` generated from the spec
 * (ITF) through these functions and compares every state. Change both files
 * together.
 *
 * Sets of node ids are sorted arrays; `endOffsets` is a record keyed by voter.
 */

export const NO_NODE = -1;
export const NO_OFFSET = -1;

export const Role = {
  unattached: "Unattached",
  prospective: "Prospective",
  candidate: "Candidate",
  leader: "Leader",
  follower: "Follower",
  resigned: "Resigned",
  illegal: "Illegal",
} as const;

export const Kind = {
  voteRequest: "VoteRequest",
  voteResponse: "VoteResponse",
  beginQuorumEpochRequest: "BeginQuorumEpochRequest",
  beginQuorumEpochResponse: "BeginQuorumEpochResponse",
  endQuorumEpochRequest: "EndQuorumEpochRequest",
  endQuorumEpochResponse: "EndQuorumEpochResponse",
  fetchRequest: "FetchRequest",
  fetchResponse: "FetchResponse",
} as const;

export const SpecError = {
  none: "",
  fencedLeaderEpoch: "FENCED_LEADER_EPOCH",
  unknownLeaderEpoch: "UNKNOWN_LEADER_EPOCH",
  notLeaderOrFollower: "NOT_LEADER_OR_FOLLOWER",
  invalidRequest: "INVALID_REQUEST",
} as const;

/** raft.qnt's NodeState. */
export interface SpecNode {
  role: string;
  epoch: number;
  votedFor: number;
  leader: number;
  log: number[];
  flushedLength: number;
  highWatermark: number;
  leaderHighWatermark: number;
  granted: number[];
  rejected: number[];
  hasFetchedFromLeader: boolean;
  epochStartOffset: number;
  endOffsets: Record<number, number>;
}

/** raft.qnt's Message. */
export interface SpecMessage {
  kind: string;
  source: number;
  dest: number;
  epoch: number;
  leader: number;
  error: string;
  preVote: boolean;
  granted: boolean;
  lastEpoch: number;
  offset: number;
  entries: number[];
  divergingEpoch: number;
  divergingEndOffset: number;
  highWatermark: number;
}

/** raft.qnt's constants. */
export interface SpecParameters {
  voters: number[];
  maxEpoch: number;
  maxLogLength: number;
  maxMessagesInFlight: number;
  bugDoubleVote: boolean;
  bugCommitPreviousEpoch: boolean;
}

/** raft.qnt's Step. */
export interface SpecStep {
  state: SpecNode;
  replies: SpecMessage[];
}

/** A value written with sorted keys, so that equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

function withMember(set: readonly number[], member: number): number[] {
  return set.includes(member) ? [...set] : [...set, member].sort((left, right) => left - right);
}

function lastEpochOf(log: readonly number[]): number {
  return log.length === 0 ? 0 : log[log.length - 1]!;
}

/** The spec's pure functions for one set of constants. */
export class SpecModel {
  readonly majority: number;
  readonly noEndOffsets: Record<number, number>;

  constructor(readonly parameters: SpecParameters) {
    this.majority = Math.floor(parameters.voters.length / 2) + 1;
    this.noEndOffsets = Object.fromEntries(parameters.voters.map((voter) => [voter, NO_OFFSET]));
  }

  get initialNode(): SpecNode {
    return {
      role: Role.unattached,
      epoch: 0,
      votedFor: NO_NODE,
      leader: NO_NODE,
      log: [],
      flushedLength: 0,
      highWatermark: NO_OFFSET,
      leaderHighWatermark: NO_OFFSET,
      granted: [],
      rejected: [],
      hasFetchedFromLeader: false,
      epochStartOffset: NO_OFFSET,
      endOffsets: { ...this.noEndOffsets },
    };
  }

  // -------------------------------------------------------------- log helpers

  endOffsetForEpoch(log: readonly number[], epoch: number): { epoch: number; offset: number } {
    const last = lastEpochOf(log);
    if (log.length === 0) return { epoch: 0, offset: 0 };
    if (epoch >= last) return { epoch: last, offset: log.length };
    const prefix = log.filter((entry) => entry <= epoch).length;
    return prefix === 0 ? { epoch, offset: 0 } : { epoch: log[prefix - 1]!, offset: prefix };
  }

  isUpToDate(lastEpoch: number, endOffset: number, log: readonly number[]): boolean {
    return lastEpoch > lastEpochOf(log) || (lastEpoch === lastEpochOf(log) && endOffset >= log.length);
  }

  truncationOffset(log: readonly number[], divergingEpoch: number, divergingEndOffset: number): number {
    if (divergingEpoch === 0) return Math.min(divergingEndOffset, log.length);
    const local = this.endOffsetForEpoch(log, divergingEpoch);
    return local.epoch === divergingEpoch ? Math.min(local.offset, divergingEndOffset) : local.offset;
  }

  // -------------------------------------------------------------- role transitions

  clearRoleState(s: SpecNode): SpecNode {
    return {
      ...s,
      granted: [],
      rejected: [],
      hasFetchedFromLeader: false,
      epochStartOffset: NO_OFFSET,
      endOffsets: { ...this.noEndOffsets },
      leaderHighWatermark: NO_OFFSET,
    };
  }

  illegal(s: SpecNode): SpecNode {
    return { ...s, role: Role.illegal };
  }

  toUnattached(s: SpecNode, epoch: number): SpecNode {
    return {
      ...this.clearRoleState(s),
      role: Role.unattached,
      epoch,
      leader: NO_NODE,
      votedFor: epoch === s.epoch ? s.votedFor : NO_NODE,
    };
  }

  toFollower(self: number, s: SpecNode, epoch: number, leader: number): SpecNode {
    if (
      leader === self || epoch < s.epoch ||
      (epoch === s.epoch && (s.role === Role.leader || s.role === Role.follower))
    ) {
      return this.illegal(s);
    }
    return {
      ...this.clearRoleState(s),
      role: Role.follower,
      epoch,
      leader,
      votedFor: epoch === s.epoch ? s.votedFor : NO_NODE,
    };
  }

  toProspective(self: number, s: SpecNode): SpecNode {
    return { ...this.clearRoleState(s), role: Role.prospective, granted: [self] };
  }

  toCandidate(self: number, s: SpecNode): SpecNode {
    return {
      ...this.clearRoleState(s),
      role: Role.candidate,
      epoch: s.epoch + 1,
      votedFor: self,
      leader: NO_NODE,
      granted: [self],
    };
  }

  toLeader(self: number, s: SpecNode): SpecNode {
    return {
      ...this.clearRoleState(s),
      role: Role.leader,
      leader: self,
      epochStartOffset: s.log.length,
      log: [...s.log, s.epoch],
    };
  }

  toResigned(s: SpecNode): SpecNode {
    return { ...this.clearRoleState(s), role: Role.resigned };
  }

  hasConsistentLeader(self: number, s: SpecNode, epoch: number, leader: number): boolean {
    if (leader === self) return s.role === Role.leader || s.role === Role.resigned;
    return epoch !== s.epoch || leader === NO_NODE || s.leader === NO_NODE || leader === s.leader;
  }

  maybeTransition(self: number, s: SpecNode, leader: number, epoch: number): SpecNode {
    if (!this.hasConsistentLeader(self, s, epoch, leader)) return this.illegal(s);
    if (epoch > s.epoch) {
      return leader !== NO_NODE && leader !== self
        ? this.toFollower(self, s, epoch, leader)
        : this.toUnattached(s, epoch);
    }
    if (leader !== NO_NODE && s.leader === NO_NODE) return this.toFollower(self, s, epoch, leader);
    return s;
  }

  // -------------------------------------------------------------- leader high watermark

  majorityOffset(self: number, s: SpecNode): number {
    const offsetOf = (voter: number) => voter === self ? s.flushedLength : s.endOffsets[voter]!;
    const voters = this.parameters.voters;
    return voters.map(offsetOf)
      .filter((offset) => voters.filter((voter) => offsetOf(voter) >= offset).length >= this.majority)
      .reduce((best, offset) => Math.max(best, offset), NO_OFFSET);
  }

  updateLeaderHighWatermark(self: number, s: SpecNode): SpecNode {
    const candidate = this.majorityOffset(self, s);
    const ownEpochCommitted = this.parameters.bugCommitPreviousEpoch
      ? candidate > 0
      : candidate > s.epochStartOffset;
    if (!ownEpochCommitted || candidate <= s.leaderHighWatermark) return s;
    return { ...s, leaderHighWatermark: candidate, highWatermark: Math.max(s.highWatermark, candidate) };
  }

  // -------------------------------------------------------------- messages

  static readonly noMessage: SpecMessage = {
    kind: "",
    source: NO_NODE,
    dest: NO_NODE,
    epoch: 0,
    leader: NO_NODE,
    error: SpecError.none,
    preVote: false,
    granted: false,
    lastEpoch: 0,
    offset: NO_OFFSET,
    entries: [],
    divergingEpoch: -1,
    divergingEndOffset: -1,
    highWatermark: NO_OFFSET,
  };

  responseTo(request: SpecMessage, kind: string, s: SpecNode, error: string): SpecMessage {
    return {
      ...SpecModel.noMessage,
      kind,
      source: request.dest,
      dest: request.source,
      epoch: s.epoch,
      leader: s.leader,
      error,
    };
  }

  noReply(s: SpecNode): SpecStep {
    return { state: s, replies: [] };
  }

  // -------------------------------------------------------------- Vote

  canGrantVote(s: SpecNode, candidate: number, logUpToDate: boolean, preVote: boolean): boolean {
    if (s.role === Role.unattached || s.role === Role.prospective) {
      if (preVote) return logUpToDate;
      if (s.votedFor !== NO_NODE) {
        return s.votedFor === candidate || (this.parameters.bugDoubleVote && logUpToDate);
      }
      if (s.leader !== NO_NODE) return false;
      return logUpToDate;
    }
    if (s.role === Role.follower) return preVote && !s.hasFetchedFromLeader && logUpToDate;
    if (s.role === Role.candidate) return preVote && logUpToDate;
    return false;
  }

  isIllegalVoteRequest(m: SpecMessage): boolean {
    return m.preVote ? m.lastEpoch > m.epoch : m.lastEpoch >= m.epoch;
  }

  handleVoteRequest(_self: number, s: SpecNode, m: SpecMessage): SpecStep {
    if (this.isIllegalVoteRequest(m)) {
      return {
        state: s,
        replies: [{
          ...this.responseTo(m, Kind.voteResponse, s, SpecError.invalidRequest),
          preVote: m.preVote,
        }],
      };
    }
    if (m.epoch < s.epoch) {
      return {
        state: s,
        replies: [{
          ...this.responseTo(m, Kind.voteResponse, s, SpecError.fencedLeaderEpoch),
          preVote: m.preVote,
        }],
      };
    }
    const s1 = m.epoch > s.epoch ? this.toUnattached(s, m.epoch) : s;
    const granted = this.canGrantVote(
      s1,
      m.source,
      this.isUpToDate(m.lastEpoch, m.offset, s1.log),
      m.preVote,
    );
    const recordsVote = !m.preVote && granted && s1.votedFor === NO_NODE &&
      (s1.role === Role.unattached || s1.role === Role.prospective);
    const s2 = recordsVote ? { ...s1, votedFor: m.source } : s1;
    return {
      state: s2,
      replies: [{
        ...this.responseTo(m, Kind.voteResponse, s2, SpecError.none),
        preVote: m.preVote,
        granted,
      }],
    };
  }

  handleCommonResponse(self: number, s: SpecNode, m: SpecMessage): { state: SpecNode; handled: boolean } {
    if (m.epoch < s.epoch || m.error === SpecError.unknownLeaderEpoch) return { state: s, handled: true };
    if (
      m.epoch > s.epoch || m.error === SpecError.fencedLeaderEpoch ||
      m.error === SpecError.notLeaderOrFollower
    ) {
      return { state: this.maybeTransition(self, s, m.leader, m.epoch), handled: true };
    }
    if (m.leader !== NO_NODE && s.leader === NO_NODE) {
      return { state: this.toFollower(self, s, m.epoch, m.leader), handled: m.error !== SpecError.none };
    }
    return { state: s, handled: m.error !== SpecError.none };
  }

  advanceElection(self: number, s: SpecNode): SpecNode {
    const s1 = s.role === Role.prospective && s.granted.length >= this.majority
      ? this.toCandidate(self, s)
      : s;
    return s1.role === Role.candidate && s1.granted.length >= this.majority ? this.toLeader(self, s1) : s1;
  }

  handleVoteResponse(self: number, s: SpecNode, m: SpecMessage): SpecNode {
    const common = this.handleCommonResponse(self, s, m);
    const s1 = common.state;
    const expected = (s1.role === Role.prospective && m.preVote) ||
      (s1.role === Role.candidate && !m.preVote);
    if (common.handled || !expected) return s1;
    if (m.granted) return this.advanceElection(self, { ...s1, granted: withMember(s1.granted, m.source) });
    return { ...s1, rejected: withMember(s1.rejected, m.source) };
  }

  // -------------------------------------------------------------- BeginQuorumEpoch, EndQuorumEpoch

  handleLeaderAnnouncement(self: number, s: SpecNode, m: SpecMessage, responseKind: string): SpecStep {
    if (m.epoch < s.epoch) {
      return { state: s, replies: [this.responseTo(m, responseKind, s, SpecError.fencedLeaderEpoch)] };
    }
    const s1 = this.maybeTransition(self, s, m.leader, m.epoch);
    return { state: s1, replies: [this.responseTo(m, responseKind, s1, SpecError.none)] };
  }

  // -------------------------------------------------------------- Fetch

  handleFetchRequest(self: number, s: SpecNode, m: SpecMessage, entryCount: number): SpecStep {
    const error = m.epoch < s.epoch
      ? SpecError.fencedLeaderEpoch
      : m.epoch > s.epoch
      ? SpecError.unknownLeaderEpoch
      : s.role !== Role.leader
      ? SpecError.notLeaderOrFollower
      : SpecError.none;
    const base = {
      ...this.responseTo(m, Kind.fetchResponse, s, error),
      lastEpoch: m.lastEpoch,
      offset: m.offset,
    };
    if (error !== SpecError.none) return { state: s, replies: [base] };
    const end = this.endOffsetForEpoch(s.log, m.lastEpoch);
    const valid = m.offset === 0 || (end.epoch === m.lastEpoch && end.offset >= m.offset);
    if (!valid) {
      return {
        state: s,
        replies: [{
          ...base,
          highWatermark: s.leaderHighWatermark,
          divergingEpoch: end.epoch,
          divergingEndOffset: end.offset,
        }],
      };
    }
    const s1 = this.updateLeaderHighWatermark(self, {
      ...s,
      endOffsets: { ...s.endOffsets, [m.source]: m.offset },
    });
    const entries = s.log.slice(m.offset, m.offset + entryCount);
    return { state: s1, replies: [{ ...base, highWatermark: s1.leaderHighWatermark, entries }] };
  }

  fetchEntryCounts(s: SpecNode, offset: number): number[] {
    const available = Math.max(0, s.log.length - offset);
    return available === 0 ? [0] : Array.from({ length: available }, (_, index) => index + 1);
  }

  applyFetchedEntries(s: SpecNode, m: SpecMessage): SpecNode {
    const log = [...s.log, ...m.entries];
    const learned = m.highWatermark < 0 ? s.highWatermark : Math.min(log.length, m.highWatermark);
    return { ...s, log, highWatermark: Math.max(s.highWatermark, learned), hasFetchedFromLeader: true };
  }

  handleFetchResponse(self: number, s: SpecNode, m: SpecMessage): SpecNode {
    const common = this.handleCommonResponse(self, s, m);
    const s1 = common.state;
    const expected = s1.role === Role.follower && s1.leader === m.source && m.offset === s1.log.length &&
      m.lastEpoch === lastEpochOf(s1.log);
    if (common.handled || !expected) return s1;
    if (m.divergingEpoch >= 0) {
      if (s1.highWatermark >= 0 && m.divergingEndOffset < s1.highWatermark) return this.illegal(s1);
      const cut = this.truncationOffset(s1.log, m.divergingEpoch, m.divergingEndOffset);
      return {
        ...s1,
        log: s1.log.slice(0, cut),
        flushedLength: Math.min(s1.flushedLength, cut),
        hasFetchedFromLeader: true,
      };
    }
    return this.applyFetchedEntries(s1, m);
  }

  // -------------------------------------------------------------- one input, one node

  handleMessage(self: number, s: SpecNode, m: SpecMessage, entryCount: number): SpecStep {
    switch (m.kind) {
      case Kind.voteRequest:
        return this.handleVoteRequest(self, s, m);
      case Kind.voteResponse:
        return this.noReply(this.handleVoteResponse(self, s, m));
      case Kind.beginQuorumEpochRequest:
        return this.handleLeaderAnnouncement(self, s, m, Kind.beginQuorumEpochResponse);
      case Kind.endQuorumEpochRequest:
        return this.handleLeaderAnnouncement(self, s, m, Kind.endQuorumEpochResponse);
      case Kind.fetchRequest:
        return this.handleFetchRequest(self, s, m, entryCount);
      case Kind.fetchResponse:
        return this.noReply(this.handleFetchResponse(self, s, m));
      default:
        return this.noReply(this.handleCommonResponse(self, s, m).state);
    }
  }

  isRequest(m: SpecMessage): boolean {
    return m.kind === Kind.voteRequest || m.kind === Kind.beginQuorumEpochRequest ||
      m.kind === Kind.endQuorumEpochRequest || m.kind === Kind.fetchRequest;
  }

  canTimeout(s: SpecNode): boolean {
    if (s.role === Role.prospective || s.role === Role.leader) return true;
    if (s.role === Role.illegal) return false;
    return s.epoch < this.parameters.maxEpoch;
  }

  onTimeout(self: number, s: SpecNode): SpecNode {
    if (s.role === Role.leader) return this.toResigned(s);
    if (s.role === Role.resigned) return this.toUnattached(s, s.epoch + 1);
    if (s.role === Role.prospective) {
      return s.leader !== NO_NODE
        ? this.toFollower(self, s, s.epoch, s.leader)
        : this.toUnattached(s, s.epoch);
    }
    return this.advanceElection(self, this.toProspective(self, s));
  }

  appendClientEntries(s: SpecNode, count: number): SpecNode {
    return { ...s, log: [...s.log, ...Array.from({ length: count }, () => s.epoch)] };
  }

  flush(self: number, s: SpecNode, flushedLength: number): SpecNode {
    const s1 = { ...s, flushedLength };
    return s.role === Role.leader ? this.updateLeaderHighWatermark(self, s1) : s1;
  }

  restart(self: number, s: SpecNode): SpecNode {
    const log = s.log.slice(0, s.flushedLength);
    const persisted = { ...this.clearRoleState(s), log, highWatermark: NO_OFFSET };
    if (lastEpochOf(log) > s.epoch) return this.toUnattached(persisted, lastEpochOf(log));
    if (s.leader === self) return { ...persisted, role: Role.resigned };
    if (s.votedFor === self) {
      return this.advanceElection(self, {
        ...persisted,
        role: Role.candidate,
        leader: NO_NODE,
        granted: [self],
      });
    }
    if (s.leader !== NO_NODE) return { ...persisted, role: Role.follower };
    return { ...persisted, role: Role.unattached };
  }

  // -------------------------------------------------------------- what a node may send

  lastEpochAndOffset(s: SpecNode, m: SpecMessage): SpecMessage {
    return { ...m, lastEpoch: lastEpochOf(s.log), offset: s.log.length };
  }

  requestsToSend(self: number, s: SpecNode): SpecMessage[] {
    const others = this.parameters.voters.filter((voter) => voter !== self);
    const base = { ...SpecModel.noMessage, source: self, epoch: s.epoch };
    const logFlushed = s.flushedLength === s.log.length;
    const sendsLogEnd = s.role === Role.prospective || s.role === Role.candidate ||
      s.role === Role.follower ||
      s.role === Role.unattached;
    if (sendsLogEnd && !logFlushed) return [];
    if (s.role === Role.prospective || s.role === Role.candidate) {
      if (s.rejected.length > this.parameters.voters.length - this.majority) return [];
      return others.filter((voter) => !s.granted.includes(voter) && !s.rejected.includes(voter)).map((
        voter,
      ) =>
        this.lastEpochAndOffset(s, {
          ...base,
          kind: Kind.voteRequest,
          dest: voter,
          preVote: s.role === Role.prospective,
        })
      );
    }
    if (s.role === Role.leader) {
      return others.map((voter) => ({
        ...base,
        kind: Kind.beginQuorumEpochRequest,
        dest: voter,
        leader: self,
      }));
    }
    if (s.role === Role.resigned) {
      return others.map((voter) => ({
        ...base,
        kind: Kind.endQuorumEpochRequest,
        dest: voter,
        leader: self,
      }));
    }
    if (s.role === Role.follower || s.role === Role.unattached) {
      return others.map((voter) =>
        this.lastEpochAndOffset(s, { ...base, kind: Kind.fetchRequest, dest: voter })
      );
    }
    return [];
  }

  /** raft.qnt's requestsAfter, given the number of messages in flight before the step. */
  requestsAfter(self: number, before: SpecNode, after: SpecNode, inFlight: number): SpecMessage[] {
    if (inFlight >= this.parameters.maxMessagesInFlight) return [];
    const changed = after.role !== before.role || after.epoch !== before.epoch ||
      canonical(after.log) !== canonical(before.log) ||
      canonical(after.granted) !== canonical(before.granted) ||
      after.leader !== before.leader || after.flushedLength !== before.flushedLength;
    return changed ? this.requestsToSend(self, after) : [];
  }
}
