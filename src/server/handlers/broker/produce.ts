/**
 * Produce (key 0), v0-11.
 * v0-2 carry legacy message sets (magic 0/1), converted to one v2 batch on
 * append as Kafka does. v3+: exactly one v2 batch per partition, and a
 * transactional id. v5: logStartOffset in the response. v8: record errors
 * (KIP-467). v9+: flexible. v10: current leader and node endpoints (KIP-951).
 * acks=0 sends no response at all; acks=1 answers after the leader's append;
 * acks=all (-1) answers once the whole ISR has the records (the high
 * watermark passed them), or REQUEST_TIMED_OUT after the request's timeout,
 * as Kafka's DelayedProduce. With fewer ISR members than
 * `min.insync.replicas` an acks=all append is refused (NOT_ENOUGH_REPLICAS),
 * and one whose ISR shrank below it while waiting is answered
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND (the records stay in the log).
 */
import { ErrorCode, type RequestOf, type ResponseInput } from "../../../protocol/mod.ts";
import { produce } from "../../../protocol/messages/mod.ts";
import { type ApiHandler, CloseConnection, type RequestContext } from "../../handler.ts";
import { LeaderHints } from "./_leader_hints.ts";

type PartitionData = RequestOf<typeof produce>["topicData"][number]["partitionData"][number];
type PartitionAnswer = ResponseInput<typeof produce>["responses"][number]["partitionResponses"][number];

function partitionError(
  index: number,
  errorCode: number,
  errorMessage: string | null = null,
): PartitionAnswer {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage,
  };
}

async function producePartition(
  context: RequestContext,
  topicName: string,
  data: PartitionData,
  acks: number,
  timeoutMs: number,
): Promise<PartitionAnswer> {
  const partition = context.services.partitions.partition(topicName, data.index);
  if (!partition) {
    return partitionError(data.index, context.services.partitions.partitionErrorCode(topicName, data.index));
  }
  const records = data.records;
  if (records === null || records.length === 0) {
    return partitionError(data.index, ErrorCode.INVALID_RECORD, "Produce request has no records");
  }
  const result = partition.appendFromClient(records, context.version, acks);
  if (acks === -1 && result.errorCode === ErrorCode.NONE) {
    const outcome = await partition.waitUntilCommitted(result.lastOffset, timeoutMs);
    if (outcome !== "committed") {
      return partitionError(
        data.index,
        outcome === "timeout" ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NOT_LEADER_OR_FOLLOWER,
      );
    }
    if (partition.leaderState?.isUnderMinIsr(partition.minInsyncReplicas) ?? true) {
      return partitionError(data.index, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    }
  }
  return {
    index: data.index,
    errorCode: result.errorCode,
    baseOffset: result.baseOffset,
    logAppendTimeMs: result.logAppendTimeMs,
    logStartOffset: result.logStartOffset,
    recordErrors: result.recordErrors,
    errorMessage: result.errorMessage,
  };
}

export const produceHandler: ApiHandler<typeof produce> = {
  schema: produce,
  async handle(context, body) {
    const acks = body.acks;
    const validAcks = acks === -1 || acks === 0 || acks === 1;
    const responses = await Promise.all(body.topicData.map(async (topic) => ({
      name: topic.name,
      partitionResponses: await Promise.all(
        topic.partitionData.map((data) =>
          validAcks
            ? producePartition(context, topic.name, data, acks, body.timeoutMs)
            : partitionError(data.index, ErrorCode.INVALID_REQUIRED_ACKS)
        ),
      ),
    })));
    if (acks === 0) {
      // With acks=0 there is no response to carry an error, so Kafka closes the connection:
      // the producer notices, refreshes its metadata and reconnects.
      const failed = responses.some((topic) =>
        topic.partitionResponses.some((partition) => partition.errorCode !== 0)
      );
      if (failed) throw new CloseConnection("an acks=0 produce request failed");
      return null;
    }
    // KIP-951: from v10 a partition answered NOT_LEADER_OR_FOLLOWER names its current leader, and the
    // response carries that leader's endpoint (Kafka does this for that error alone on Produce).
    const hints = new LeaderHints(context.services, context.listenerName);
    if (context.version >= 10) {
      for (const topic of responses) {
        for (const partition of topic.partitionResponses) {
          if (partition.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER) continue;
          partition.currentLeader = hints.currentLeader(topic.name, partition.index);
        }
      }
    }
    return { responses, throttleTimeMs: 0, nodeEndpoints: hints.nodeEndpoints() };
  },
};
