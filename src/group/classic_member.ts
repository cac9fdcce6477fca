/**
 * One member of a classic group: who it is, its timeouts, the protocols it
 * supports (in its order of preference), its assignment, and the JoinGroup or
 * SyncGroup response it is waiting for, if any.
 */

/** One protocol a member supports, with its metadata (a consumer's subscription). */
export interface JoinProtocol {
  name: string;
  metadata: Uint8Array;
}

/** A response the coordinator owes and will send later: which request, and at which version it came. */
export interface PendingReply {
  replyId: number;
  apiVersion: number;
}

/** What a member is made from. */
export interface ClassicMemberInit {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinProtocol[];
  assignment?: Uint8Array;
}

const EMPTY_BYTES = new Uint8Array(0);

export class ClassicGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly protocolType: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocols: JoinProtocol[];
  assignment: Uint8Array;
  /** The JoinGroup response this member waits for. */
  awaitingJoin: PendingReply | null = null;
  /** The SyncGroup response this member waits for. */
  awaitingSync: PendingReply | null = null;
  /**
   * A member added by the rebalance in progress. It has no member id the
   * client knows of yet, so it cannot heartbeat; it is timed out by the
   * new-member join timeout instead of by heartbeats.
   */
  isNew = false;

  constructor(init: ClassicMemberInit) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
    this.assignment = init.assignment ?? EMPTY_BYTES;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  /**
   * Whether a heartbeat expiry should spare this member: an existing member
   * waiting in a rebalance counts as alive, a new one does not.
   */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.isAwaitingJoin || this.isAwaitingSync;
  }

  /** Whether `protocols` are exactly the member's (names, metadata and order). */
  matches(protocols: readonly JoinProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((protocol, index) => {
      const mine = this.protocols[index]!;
      return mine.name === protocol.name && sameBytes(mine.metadata, protocol.metadata);
    });
  }

  /** The member's most preferred protocol among `candidates`. */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((protocol) => candidates.has(protocol.name));
    if (!choice) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }

  /** The member's metadata for `protocolName`. */
  metadataFor(protocolName: string): Uint8Array {
    const protocol = this.protocols.find((candidate) => candidate.name === protocolName);
    if (!protocol) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return protocol.metadata;
  }

  /** The distinct protocol names the member supports. */
  protocolNames(): Set<string> {
    return new Set(this.protocols.map((protocol) => protocol.name));
  }
}

export function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}
