/**
 * Fetch (key 1), v0-16.
 * v0-3 answer with legacy message sets (magic 0 for v0-1, magic 1 for v2-3),
 * down-converted from the stored v2 batches. v3: a response-wide maxBytes,
 * and at least one whole batch for the first partition with data (KIP-74).
 * v4: isolation level, last stable offset. v5: log start offset. v7: fetch
 * sessions (KIP-227). v9: current leader epoch (KIP-320). v11: rack id and
 * preferred read replica (KIP-392: with `replica.selector.class` set, a
 * leader sends a consumer to a follower on its rack; followers serve v11+
 * consumers up to their high watermark).
 * v12: flexible, diverging epoch. v13: topic ids. v15: replica state. v16:
 * node endpoints (KIP-951).
 *
 * A fetch that finds fewer than minBytes waits on the log for an append to
 * any of its partitions, up to maxWaitMs, then answers with what is there.
 */
import {
  ErrorCode,
  type RequestOf,
  type ResponseInput,
  uuidToString,
  ZERO_UUID,
} from "../../../protocol/mod.ts";
import { fetchApi } from "../../../protocol/messages/mod.ts";
import type { ApiHandler, NodeServices, RequestContext } from "../../handler.ts";
import {
  type FetchSession,
  FINAL_EPOCH,
  INITIAL_EPOCH,
  sessionKey,
  type SessionPartition,
} from "../../fetch_sessions.ts";
import type { Partition } from "../../partition.ts";
import { preferredReadReplica, type ReplicaView } from "../../../replication/mod.ts";
import { LeaderHints } from "./_leader_hints.ts";

type FetchRequest = RequestOf<typeof fetchApi>;
type FetchResponse = ResponseInput<typeof fetchApi>;
type PartitionAnswer = FetchResponse["responses"][number]["partitions"][number];

interface Wanted {
  entry: SessionPartition;
  /** Why this partition cannot be read, or NONE. */
  errorCode: number;
}

interface FetchPlan {
  wanted: Wanted[];
  session: FetchSession | null;
  incremental: boolean;
}

/** Resolves the request's partitions, applying the fetch session if any. */
function plan(context: RequestContext, body: FetchRequest): FetchPlan | { errorCode: number } {
  const services = context.services;
  const now = services.clock.nowMs();
  const sessionId = context.version >= 7 ? body.sessionId : 0;
  const epoch = context.version >= 7 ? body.sessionEpoch : FINAL_EPOCH;
  const requested = requestedPartitions(services, context.version, body.topics);
  if (epoch === FINAL_EPOCH || epoch === INITIAL_EPOCH) {
    if (sessionId !== 0) services.fetch.sessions.remove(sessionId);
    const session = epoch === INITIAL_EPOCH ? services.fetch.sessions.create(now) : null;
    if (session) { for (const item of requested) session.partitions.set(keyOf(item.entry), item.entry); }
    return { wanted: requested, session, incremental: false };
  }
  const resumed = services.fetch.sessions.resume(sessionId, epoch, now);
  if ("errorCode" in resumed) return resumed;
  for (const item of requested) {
    const existing = resumed.partitions.get(keyOf(item.entry));
    if (existing) {
      existing.fetchOffset = item.entry.fetchOffset;
      existing.partitionMaxBytes = item.entry.partitionMaxBytes;
      existing.currentLeaderEpoch = item.entry.currentLeaderEpoch;
      existing.lastFetchedEpoch = item.entry.lastFetchedEpoch;
    } else resumed.partitions.set(keyOf(item.entry), item.entry);
  }
  for (const forgotten of body.forgottenTopicsData) {
    const topic = context.version >= 13
      ? services.metadata.image.topicsById.get(uuidToString(forgotten.topicId))?.name
      : forgotten.topic;
    for (const index of forgotten.partitions) {
      resumed.partitions.delete(sessionKey(topic ?? "", index));
    }
  }
  const wanted = [...resumed.partitions.values()].map((entry) => ({ entry, errorCode: ErrorCode.NONE }));
  return { wanted, session: resumed, incremental: true };
}

function keyOf(entry: SessionPartition): string {
  return sessionKey(entry.topic, entry.partition);
}

function requestedPartitions(
  services: NodeServices,
  version: number,
  topics: FetchRequest["topics"],
): Wanted[] {
  const out: Wanted[] = [];
  for (const topic of topics) {
    let name: string = topic.topic;
    let topicId: Uint8Array = topic.topicId;
    let errorCode: number = ErrorCode.NONE;
    if (version >= 13) {
      const image = services.metadata.image.topicsById.get(uuidToString(topicId));
      name = image?.name ?? "";
      if (!image) errorCode = ErrorCode.UNKNOWN_TOPIC_ID;
    } else {
      topicId = services.metadata.image.topicsByName.get(name)?.topicId ?? ZERO_UUID;
    }
    for (const partition of topic.partitions) {
      out.push({
        errorCode,
        entry: {
          topic: name,
          topicId,
          partition: partition.partition,
          fetchOffset: partition.fetchOffset,
          partitionMaxBytes: partition.partitionMaxBytes,
          currentLeaderEpoch: partition.currentLeaderEpoch,
          lastFetchedEpoch: partition.lastFetchedEpoch,
          lastHighWatermark: -1,
          lastLogStartOffset: -1,
        },
      });
    }
  }
  return out;
}

interface PartitionResult {
  entry: SessionPartition;
  response: PartitionAnswer;
  bytes: number;
  /** Whether the answer differs from what an incremental session last sent. */
  changed: boolean;
}

function emptyAnswer(entry: SessionPartition, errorCode: number): PartitionResult {
  return {
    entry,
    bytes: 0,
    changed: true,
    response: {
      partitionIndex: entry.partition,
      errorCode,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: null,
    },
  };
}

/** The broker a follower's fetch comes from: v15 names it in replicaState, older versions in replicaId. */
interface Replica {
  replicaId: number;
  brokerEpoch: number;
}

/** The replica a fetch claims to be, or null for a consumer's fetch (replica id below 0). */
function replicaOf(version: number, body: FetchRequest): Replica | null {
  const replicaId = version >= 15 ? body.replicaState.replicaId : body.replicaId;
  if (replicaId < 0) return null;
  return { replicaId, brokerEpoch: version >= 15 ? body.replicaState.replicaEpoch : -1 };
}

/**
 * Reads every wanted partition once, honouring the per-partition and
 * response limits. A follower (`replica`) reads up to the log end, and its
 * fetch offset tells the leader how far its log reaches.
 */
function readAll(
  context: RequestContext,
  body: FetchRequest,
  wanted: Wanted[],
  replica: Replica | null,
): PartitionResult[] {
  const services = context.services;
  const hardLimit = context.version < 3;
  let remaining = context.version >= 3 ? Math.max(0, body.maxBytes) : Number.MAX_SAFE_INTEGER;
  let total = 0;
  const readCommitted = context.version >= 4 && body.isolationLevel === 1;
  return wanted.map(({ entry, errorCode }) => {
    if (errorCode !== ErrorCode.NONE) return emptyAnswer(entry, errorCode);
    const partition = servingPartition(context, replica, entry);
    if (!partition) {
      const missing = services.partitions.partitionErrorCode(entry.topic, entry.partition);
      return emptyAnswer(
        entry,
        missing === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && context.version >= 13
          ? ErrorCode.UNKNOWN_TOPIC_ID
          : missing,
      );
    }
    const epochError = partition.checkLeaderEpoch(entry.currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return emptyAnswer(entry, epochError);
    const limit = Math.min(Math.max(0, entry.partitionMaxBytes), remaining);
    if (replica !== null) {
      const replicaRead = partition.readForReplica({
        replicaId: replica.replicaId,
        brokerEpoch: replica.brokerEpoch,
        fetchOffset: entry.fetchOffset,
        lastFetchedEpoch: entry.lastFetchedEpoch,
        maxBytes: limit,
        minOneBatch: total === 0,
      });
      services.partitions.afterReplicaFetch(partition);
      const size = replicaRead.records?.length ?? 0;
      remaining -= size;
      total += size;
      return {
        entry,
        bytes: size,
        changed: true,
        response: {
          partitionIndex: entry.partition,
          errorCode: replicaRead.errorCode,
          highWatermark: replicaRead.highWatermark,
          lastStableOffset: replicaRead.highWatermark,
          logStartOffset: replicaRead.logStartOffset,
          divergingEpoch: replicaRead.divergingEpoch ?? undefined,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: replicaRead.records ?? new Uint8Array(0),
        },
      };
    }
    const preferred = partition.isLeader && context.version >= 11
      ? preferredReplicaFor(context, body.rackId, partition, entry.fetchOffset)
      : -1;
    if (preferred >= 0) {
      // KIP-392: the consumer is sent to a replica on its rack; it gets no records here.
      entry.lastHighWatermark = partition.highWatermark;
      entry.lastLogStartOffset = partition.logStartOffset;
      return {
        entry,
        bytes: 0,
        changed: true,
        response: {
          partitionIndex: entry.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: partition.highWatermark,
          lastStableOffset: partition.lastStableOffset,
          logStartOffset: partition.logStartOffset,
          abortedTransactions: readCommitted ? [] : null,
          preferredReadReplica: preferred,
          records: new Uint8Array(0),
        },
      };
    }
    const read = partition.readForFetch({
      fetchOffset: entry.fetchOffset,
      maxBytes: limit,
      minOneBatch: !hardLimit && total === 0,
      readCommitted,
      magic: context.version <= 1 ? 0 : context.version <= 3 ? 1 : 2,
      onFollower: context.version >= 11,
    });
    const records = read.records;
    const size = records?.length ?? 0;
    remaining -= size;
    total += size;
    const changed = size > 0 || read.errorCode !== ErrorCode.NONE ||
      read.highWatermark !== entry.lastHighWatermark || read.logStartOffset !== entry.lastLogStartOffset;
    entry.lastHighWatermark = read.highWatermark;
    entry.lastLogStartOffset = read.logStartOffset;
    return {
      entry,
      bytes: size,
      changed,
      response: {
        partitionIndex: entry.partition,
        errorCode: read.errorCode,
        highWatermark: read.highWatermark,
        lastStableOffset: read.lastStableOffset,
        logStartOffset: read.logStartOffset,
        abortedTransactions: readCommitted ? [] : null,
        preferredReadReplica: -1,
        records: records ?? new Uint8Array(0),
      },
    };
  });
}

/**
 * The partition that serves this fetch here: the leader for a follower's
 * fetch and for consumers before v11; from v11 (KIP-392) a consumer may read
 * a follower too, as Kafka lets it (any replica, up to its high watermark).
 */
function servingPartition(
  context: RequestContext,
  replica: Replica | null,
  entry: SessionPartition,
): Partition | undefined {
  const partitions = context.services.partitions;
  return replica === null && context.version >= 11
    ? partitions.replica(entry.topic, entry.partition)
    : partitions.partition(entry.topic, entry.partition);
}

/**
 * KIP-392 on the leader: the replica `replica.selector.class` picks for a
 * consumer on `rackId`, or -1 to read here. Racks and liveness are the
 * image's (brokers without an endpoint on this listener are not candidates,
 * as in Kafka).
 */
function preferredReplicaFor(
  context: RequestContext,
  rackId: string,
  partition: Partition,
  fetchOffset: number,
): number {
  const services = context.services;
  const selector = services.settings.config.string("replica.selector.class");
  if (selector === null || rackId === "") return -1;
  const endpoints = new Map(
    services.metadata.brokerEndpoints(context.listenerName).map((endpoint) => [endpoint.nodeId, endpoint]),
  );
  const leader: ReplicaView = {
    brokerId: services.metadata.nodeId,
    rack: endpoints.get(services.metadata.nodeId)?.rack ?? null,
    logEndOffset: partition.log.logEndOffset,
    timeSinceLastCaughtUpMs: 0,
  };
  const followers = partition.readReplicaCandidates(fetchOffset, services.clock.nowMs())
    .filter((candidate) => endpoints.has(candidate.brokerId))
    .map((candidate) => ({ ...candidate, rack: endpoints.get(candidate.brokerId)!.rack }));
  return preferredReadReplica(selector, rackId, leader, followers);
}

function respond(context: RequestContext, results: PartitionResult[], fetchPlan: FetchPlan): FetchResponse {
  // KIP-951: from v16 a partition this node cannot serve (not its leader, or the client's epoch is old)
  // names its current leader, and the response carries that leader's endpoint.
  const hints = new LeaderHints(context.services, context.listenerName);
  const byTopic = new Map<string, { topic: string; topicId: Uint8Array; partitions: PartitionAnswer[] }>();
  for (const result of results) {
    if (fetchPlan.incremental && !result.changed) continue;
    let topic = byTopic.get(result.entry.topic);
    if (!topic) {
      topic = { topic: result.entry.topic, topicId: result.entry.topicId, partitions: [] };
      byTopic.set(result.entry.topic, topic);
    }
    const code = result.response.errorCode;
    if (
      context.version >= 16 &&
      (code === ErrorCode.NOT_LEADER_OR_FOLLOWER || code === ErrorCode.FENCED_LEADER_EPOCH)
    ) {
      result.response.currentLeader = hints.currentLeader(result.entry.topic, result.entry.partition);
    }
    topic.partitions.push(result.response);
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: fetchPlan.session?.id ?? 0,
    responses: [...byTopic.values()],
    nodeEndpoints: hints.nodeEndpoints(),
  };
}

export const fetchHandler: ApiHandler<typeof fetchApi> = {
  schema: fetchApi,
  async handle(context, body) {
    const services = context.services;
    const replica = replicaOf(context.version, body);
    if (replica !== null && !services.metadata.image.brokers.has(replica.replicaId)) {
      // Only a broker of the cluster may fetch as a replica (reads past the high watermark, moves it:
      // CVE-2018-1288); Kafka's answer to a client without ClusterAction.
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        sessionId: 0,
        responses: [],
      };
    }
    const fetchPlan = plan(context, body);
    if ("errorCode" in fetchPlan) {
      return { throttleTimeMs: 0, errorCode: fetchPlan.errorCode, sessionId: 0, responses: [] };
    }
    const minBytes = Math.max(0, body.minBytes);
    const deadline = services.clock.monotonicMs() + Math.max(0, body.maxWaitMs);
    while (true) {
      const results = readAll(context, body, fetchPlan.wanted, replica);
      const bytes = results.reduce((sum, result) => sum + result.bytes, 0);
      // An error, or a consumer sent to another replica (KIP-392), is answered at once, as Kafka does.
      const failed = results.some((result) =>
        result.response.errorCode !== ErrorCode.NONE || (result.response.preferredReadReplica ?? -1) >= 0
      );
      const waitMs = deadline - services.clock.monotonicMs();
      const enough = minBytes === 0 || bytes >= minBytes;
      if (enough || failed || waitMs <= 0 || fetchPlan.wanted.length === 0) {
        return respond(context, results, fetchPlan);
      }
      const partitions = fetchPlan.wanted
        .map(({ entry }) => servingPartition(context, replica, entry))
        .filter((partition): partition is Partition => partition !== undefined);
      const appended = await services.fetch.appendWaiters.wait(partitions, waitMs, replica !== null);
      if (!appended) return respond(context, readAll(context, body, fetchPlan.wanted, replica), fetchPlan);
    }
  },
};
