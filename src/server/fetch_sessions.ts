/**
 * Incremental fetch sessions (KIP-227).
 *
 * A client may ask the broker to remember the partitions it fetches, then send
 * only what changed. Epoch -1 is a sessionless full fetch; epoch 0 starts a new
 * session; a positive epoch continues one and must be the next epoch. The cache
 * is bounded by max.incremental.fetch.session.cache.slots: the least recently
 * used session is evicted first, and the client falls back to a full fetch when
 * it hears FETCH_SESSION_ID_NOT_FOUND.
 */
import { ErrorCode } from "../protocol/mod.ts";

export interface SessionPartition {
  topic: string;
  topicId: Uint8Array;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** The epoch of the last record the fetcher has (v12+; -1 when not given). */
  lastFetchedEpoch: number;
  /** What the last response told the client, to send only changes. */
  lastHighWatermark: number;
  lastLogStartOffset: number;
}

export interface FetchSession {
  id: number;
  /** The epoch the next request must carry. */
  nextEpoch: number;
  /** Keyed by "topic:partition". */
  partitions: Map<string, SessionPartition>;
  lastUsedMs: number;
}

export const FINAL_EPOCH = -1;
export const INITIAL_EPOCH = 0;

export function sessionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export class FetchSessionCache {
  readonly #sessions = new Map<number, FetchSession>();
  #nextId = 1;

  constructor(private readonly maxSessions: number) {}

  get size(): number {
    return this.#sessions.size;
  }

  remove(id: number): void {
    this.#sessions.delete(id);
  }

  /** A new session, or null when sessions are disabled (0 slots). */
  create(nowMs: number): FetchSession | null {
    if (this.maxSessions <= 0) return null;
    if (this.#sessions.size >= this.maxSessions) this.#evictOldest();
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0x7fffffff ? 1 : this.#nextId + 1;
    const session: FetchSession = { id, nextEpoch: 1, partitions: new Map(), lastUsedMs: nowMs };
    this.#sessions.set(id, session);
    return session;
  }

  /** Finds the session an incremental request continues, or the error to answer. */
  resume(id: number, epoch: number, nowMs: number): FetchSession | { errorCode: number } {
    const session = this.#sessions.get(id);
    if (!session) return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.nextEpoch !== epoch) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    session.lastUsedMs = nowMs;
    session.nextEpoch = session.nextEpoch >= 0x7fffffff ? 1 : session.nextEpoch + 1;
    return session;
  }

  #evictOldest(): void {
    let oldest: FetchSession | null = null;
    for (const session of this.#sessions.values()) {
      if (!oldest || session.lastUsedMs < oldest.lastUsedMs) oldest = session;
    }
    if (oldest) this.#sessions.delete(oldest.id);
  }
}
