/**
 * A classic group's state (Kafka's ClassicGroup): members by id, static
 * members by instance id, members that must rejoin with the id they were
 * given (KIP-394), members owing a SyncGroup, the protocol votes, the leader,
 * the generation, and the state with its transition table.
 *
 * It holds no timers and sends nothing itself: owed JoinGroup and SyncGroup
 * responses are handed to the `ReplySink` it was given.
 */
import { ErrorCode } from "../protocol/mod.ts";
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from "./consumer_protocol.ts";
import { canTransition, ClassicGroupState } from "./classic_group_state.ts";
import { ClassicGroupMember, type JoinProtocol, type PendingReply } from "./classic_member.ts";
import type { Group, OffsetCommitIdentity } from "./group.ts";
import type { OffsetCommitValue, OffsetsTopicRecord } from "./offsets_topic_records.ts";
import {
  type JoinGroupMemberEntry,
  type JoinGroupResponse,
  syncGroupError,
  type SyncGroupResponse,
} from "./responses.ts";

/** Where owed responses go (the coordinator's outbox). */
export type ReplySink = (pending: PendingReply, response: JoinGroupResponse | SyncGroupResponse) => void;

/** What a group is created or loaded with. */
export interface ClassicGroupInit {
  groupId: string;
  state?: ClassicGroupState;
  generationId?: number;
  protocolType?: string | null;
  protocolName?: string | null;
  leaderId?: string | null;
  currentStateTimestampMs?: number | null;
}

export class ClassicGroup implements Group {
  readonly type = "classic" as const;
  readonly groupId: string;
  state: ClassicGroupState;
  previousState: ClassicGroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  /** When the group last changed state (wall clock); null when unknown (old records). */
  currentStateTimestampMs: number | null;
  readonly members = new Map<string, ClassicGroupMember>();
  /** Static members: instance id → member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, awaiting the member's second JoinGroup. */
  readonly pendingJoinMembers = new Set<string>();
  /** Members of the new generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** Protocol name → how many members support it. */
  readonly #supportedProtocols = new Map<string, number>();
  #membersAwaitingJoin = 0;
  /** Set when a member joins during the initial rebalance delay, to extend it. */
  newMemberAdded = false;
  /** Topics the members subscribe to (consumer protocol only); null when unknown. */
  subscribedTopics: Set<string> | null = null;
  readonly #sink: ReplySink;

  constructor(init: ClassicGroupInit, sink: ReplySink) {
    this.groupId = init.groupId;
    this.state = init.state ?? ClassicGroupState.Empty;
    this.previousState = this.state;
    this.generationId = init.generationId ?? 0;
    this.protocolType = init.protocolType ?? null;
    this.protocolName = init.protocolName ?? null;
    this.leaderId = init.leaderId ?? null;
    this.currentStateTimestampMs = init.currentStateTimestampMs ?? null;
    this.#sink = sink;
  }

  // ------------------------------------------------------------ state

  is(state: ClassicGroupState): boolean {
    return this.state === state;
  }

  /** Moves along the transition table; any other move is a bug. */
  transitionTo(target: ClassicGroupState, nowMs: number): void {
    if (!canTransition(this.state, target)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${target}`);
    }
    this.previousState = this.state;
    this.state = target;
    this.currentStateTimestampMs = nowMs;
  }

  /** Whether a rebalance may start from the current state. */
  canRebalance(): boolean {
    return canTransition(this.state, ClassicGroupState.PreparingRebalance);
  }

  // ------------------------------------------------------------ members

  get size(): number {
    return this.members.size;
  }

  get membersAwaitingJoin(): number {
    return this.#membersAwaitingJoin;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  member(memberId: string): ClassicGroupMember {
    const member = this.members.get(memberId);
    if (!member) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return member;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  /** Adds a member, waiting on `pending` for its JoinGroup response (or null). */
  add(member: ClassicGroupMember, pending: PendingReply | null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.protocolType !== member.protocolType) {
      throw new Error(`group ${this.groupId}: member protocol type ${member.protocolType} differs`);
    }
    if (!this.supportsProtocols(member.protocolType, member.protocolNames())) {
      throw new Error(`group ${this.groupId}: none of member ${member.memberId}'s protocols is supported`);
    }
    this.leaderId ??= member.memberId;
    this.members.set(member.memberId, member);
    this.#countProtocols(member, 1);
    member.awaitingJoin = pending;
    if (pending !== null) this.#membersAwaitingJoin++;
    this.pendingJoinMembers.delete(member.memberId);
  }

  /** Removes a member (or pending member); the leadership passes to the next member. */
  remove(memberId: string): void {
    const removed = this.members.get(memberId);
    if (removed) {
      this.members.delete(memberId);
      this.#countProtocols(removed, -1);
      if (removed.isAwaitingJoin) this.#membersAwaitingJoin--;
      if (removed.groupInstanceId !== null) this.staticMembers.delete(removed.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** Changes a member's protocols and timeouts, and what JoinGroup it waits on. */
  updateMember(
    member: ClassicGroupMember,
    update: { protocols: JoinProtocol[]; rebalanceTimeoutMs: number; sessionTimeoutMs: number },
    pending: PendingReply | null,
  ): void {
    this.#countProtocols(member, -1);
    member.protocols = update.protocols;
    this.#countProtocols(member, 1);
    member.rebalanceTimeoutMs = update.rebalanceTimeoutMs;
    member.sessionTimeoutMs = update.sessionTimeoutMs;
    if (pending !== null && !member.isAwaitingJoin) this.#membersAwaitingJoin++;
    else if (pending === null && member.isAwaitingJoin) this.#membersAwaitingJoin--;
    member.awaitingJoin = pending;
  }

  /**
   * Gives a static member's place to a new member id (a restarted static
   * member). Whoever still waits under the old id is fenced.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.members.get(oldMemberId);
    if (!old) throw new Error(`group ${this.groupId}: cannot replace missing member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    this.completeJoin(old, {
      errorCode: ErrorCode.FENCED_INSTANCE_ID,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: "",
      skipAssignment: false,
      memberId: oldMemberId,
      members: [],
    });
    this.completeSync(old, syncGroupError(ErrorCode.FENCED_INSTANCE_ID));
    const replacement = new ClassicGroupMember({
      memberId: newMemberId,
      groupInstanceId: old.groupInstanceId,
      clientId: old.clientId,
      clientHost: old.clientHost,
      rebalanceTimeoutMs: old.rebalanceTimeoutMs,
      sessionTimeoutMs: old.sessionTimeoutMs,
      protocolType: old.protocolType,
      protocols: old.protocols,
      assignment: old.assignment,
    });
    this.members.set(newMemberId, replacement);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    return replacement;
  }

  addPendingMember(memberId: string): void {
    if (this.members.has(memberId)) throw new Error(`pending member ${memberId} is already a member`);
    this.pendingJoinMembers.add(memberId);
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingJoinMembers.has(memberId);
  }

  /** Whether every member has rejoined and no handed-out member id is still outstanding. */
  hasAllMembersJoined(): boolean {
    return this.members.size === this.#membersAwaitingJoin && this.pendingJoinMembers.size === 0;
  }

  notYetRejoinedMembers(): ClassicGroupMember[] {
    return [...this.members.values()].filter((member) => !member.isAwaitingJoin);
  }

  /** The longest rebalance timeout of the members: how long a rebalance may take. */
  rebalanceTimeoutMs(): number {
    let longest = 0;
    for (const member of this.members.values()) longest = Math.max(longest, member.rebalanceTimeoutMs);
    return longest;
  }

  /**
   * Keeps the leader if it rejoined, else elects a member that did. False
   * when no member rejoined at all.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const member of this.members.values()) {
      if (member.isAwaitingJoin) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  /** UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID when `memberId` (with `groupInstanceId`) is not the member; else 0. */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  // ------------------------------------------------------------ protocols

  #countProtocols(member: ClassicGroupMember, delta: number): void {
    for (const name of member.protocolNames()) {
      const count = (this.#supportedProtocols.get(name) ?? 0) + delta;
      if (count === 0) this.#supportedProtocols.delete(name);
      else this.#supportedProtocols.set(name, count);
    }
  }

  /**
   * Whether a member with these protocols may join: any non-empty type and
   * protocol list when the group is empty, else the group's type and at
   * least one protocol every member supports.
   */
  supportsProtocols(protocolType: string, protocolNames: ReadonlySet<string>): boolean {
    if (this.is(ClassicGroupState.Empty)) return protocolType !== "" && protocolNames.size > 0;
    if (this.protocolType !== protocolType) return false;
    for (const name of protocolNames) {
      if ((this.#supportedProtocols.get(name) ?? 0) === this.members.size) return true;
    }
    return false;
  }

  /** The protocol every member supports that most members prefer (Kafka's vote). */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.#supportedProtocols) {
      if (count === this.members.size) candidates.add(name);
    }
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best!;
  }

  usesConsumerProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  /** The union of the members' subscribed topics, when the protocol is the consumer's and readable. */
  computeSubscribedTopics(): Set<string> | null {
    if (!this.usesConsumerProtocol()) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const member of this.members.values()) {
      const subscribed = subscribedTopicsOf(member.metadataFor(this.protocolName));
      if (subscribed === null) return null;
      for (const topic of subscribed) topics.add(topic);
    }
    return topics;
  }

  // ------------------------------------------------------------ generations

  /** Starts the next generation: CompletingRebalance with a selected protocol, or Empty without members. */
  initNextGeneration(nowMs: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(ClassicGroupState.CompletingRebalance, nowMs);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(ClassicGroupState.Empty, nowMs);
    }
    this.pendingSyncMembers.clear();
  }

  /** The members as the leader's JoinGroup response lists them. */
  joinResponseMembers(): JoinGroupMemberEntry[] {
    if (this.is(ClassicGroupState.Dead) || this.is(ClassicGroupState.PreparingRebalance)) {
      throw new Error(`group ${this.groupId} has no member list in state ${this.state}`);
    }
    return [...this.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      metadata: member.metadataFor(this.protocolName!),
    }));
  }

  /** Every member's assignment, by member id. */
  assignments(): Map<string, Uint8Array> {
    return new Map([...this.members.values()].map((member) => [member.memberId, member.assignment]));
  }

  // ------------------------------------------------------------ owed responses

  /** Sends `member` its JoinGroup response if it waits for one. */
  completeJoin(member: ClassicGroupMember, response: JoinGroupResponse): boolean {
    const pending = member.awaitingJoin;
    if (pending === null) return false;
    member.awaitingJoin = null;
    // Counted while it waited, even when already taken out of the map (a replaced static member).
    this.#membersAwaitingJoin--;
    this.#sink(pending, response);
    return true;
  }

  /** Sends `member` its SyncGroup response if it waits for one. */
  completeSync(member: ClassicGroupMember, response: SyncGroupResponse): boolean {
    const pending = member.awaitingSync;
    if (pending === null) return false;
    member.awaitingSync = null;
    this.#sink(pending, response);
    return true;
  }

  // ------------------------------------------------------------ Group

  stateName(): string {
    return this.state;
  }

  protocolTypeName(): string {
    return this.protocolType ?? "";
  }

  isEmpty(): boolean {
    return this.is(ClassicGroupState.Empty);
  }

  isDead(): boolean {
    return this.is(ClassicGroupState.Dead);
  }

  validateOffsetCommit(identity: OffsetCommitIdentity): number {
    if (this.isDead()) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const { memberId, groupInstanceId, generationIdOrMemberEpoch: generationId } = identity;
    // A commit outside group management (generation -1) is taken while the group is empty.
    if (generationId < 0 && this.isEmpty()) return ErrorCode.NONE;
    if (generationId >= 0 || memberId !== "" || groupInstanceId !== null) {
      const memberError = this.validateMember(memberId, groupInstanceId);
      if (memberError !== ErrorCode.NONE) return memberError;
      if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (!this.isEmpty()) {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    // The member knows the new generation but has no assignment yet: let it rejoin gracefully.
    if (this.is(ClassicGroupState.CompletingRebalance)) return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  validateOffsetFetch(): number {
    return this.isDead() ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE;
  }

  validateOffsetDelete(): number {
    if (this.isDead()) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (!this.isEmpty() && !this.usesConsumerProtocol()) return ErrorCode.NON_EMPTY_GROUP;
    return ErrorCode.NONE;
  }

  validateDeleteGroup(): number {
    if (this.isDead()) return ErrorCode.GROUP_ID_NOT_FOUND;
    return this.isEmpty() ? ErrorCode.NONE : ErrorCode.NON_EMPTY_GROUP;
  }

  isSubscribedToTopic(topic: string): boolean {
    if (this.subscribedTopics !== null) return this.subscribedTopics.has(topic);
    // Without a readable subscription, a consumer group's offsets are kept to be safe.
    return this.usesConsumerProtocol();
  }

  offsetRetentionBaseMs(offset: OffsetCommitValue): number | null {
    if (this.protocolType === null || this.protocolType === "") {
      // A simple consumer group (offsets only): retention counts from each commit.
      return offset.commitTimestamp;
    }
    if (this.isEmpty()) {
      // Retention counts from when the group became empty, or from the commit for old records.
      return this.currentStateTimestampMs ?? offset.commitTimestamp;
    }
    if (this.usesConsumerProtocol() && this.subscribedTopics !== null && this.is(ClassicGroupState.Stable)) {
      return offset.commitTimestamp;
    }
    return null;
  }

  tombstones(): OffsetsTopicRecord[] {
    return [{ kind: "group-metadata", groupId: this.groupId, value: null }];
  }

  markDead(errorCode: number): void {
    for (const member of this.members.values()) {
      this.completeJoin(member, {
        errorCode,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: "",
        skipAssignment: false,
        memberId: member.memberId,
        members: [],
      });
      this.completeSync(member, syncGroupError(errorCode));
    }
    this.previousState = this.state;
    this.state = ClassicGroupState.Dead;
  }
}
