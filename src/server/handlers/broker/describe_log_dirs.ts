/**
 * DescribeLogDirs (key 35), v1-4: for each log directory (`log.dirs`; Dafka
 * has one), the partitions with a replica here, each with the bytes of its
 * segments, its offset lag (partition.ts `offsetLag`) and isFutureKey false
 * (Dafka has no AlterReplicaLogDirs, so no future logs). Null topics ask for
 * every replica here; named partitions this node holds no replica of are left
 * out, as Kafka does. v3 adds the top-level error code, v4 the volume's total
 * and usable bytes: the seam has no file-system statistics, so they are -1,
 * the schema's "unknown".
 *
 * Without an authorizer every client may describe the cluster (Kafka asks
 * for DESCRIBE on CLUSTER).
 */
import { ErrorCode, type ResponseInput } from "../../../protocol/mod.ts";
import { describeLogDirs } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import type { Partition } from "../../partition.ts";

type TopicAnswer = ResponseInput<typeof describeLogDirs>["results"][number]["topics"][number];
type PartitionAnswer = TopicAnswer["partitions"][number];

export const describeLogDirsHandler: ApiHandler<typeof describeLogDirs> = {
  schema: describeLogDirs,
  handle(context, body) {
    const services = context.services;
    let wanted: ((partition: Partition) => boolean) | null = null;
    if (body.topics !== null) {
      const keys = new Set(
        body.topics.flatMap((topic) => topic.partitions.map((index) => `${topic.topic}:${index}`)),
      );
      wanted = (partition) => keys.has(partition.key);
    }
    const byTopic = new Map<string, PartitionAnswer[]>();
    const replicas = [...services.partitions.replicas()]
      .filter((partition) => wanted === null || wanted(partition))
      .sort((left, right) =>
        left.topic < right.topic ? -1 : left.topic > right.topic ? 1 : left.partition - right.partition
      );
    for (const partition of replicas) {
      let topic = byTopic.get(partition.topic);
      if (topic === undefined) {
        byTopic.set(partition.topic, topic = []);
      }
      topic.push({
        partitionIndex: partition.partition,
        partitionSize: partition.sizeInBytes,
        offsetLag: partition.offsetLag,
        isFutureKey: false,
      });
    }
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: services.settings.config.logDirs.map((logDir) => ({
        errorCode: ErrorCode.NONE,
        logDir,
        topics,
        totalBytes: -1,
        usableBytes: -1,
      })),
    };
  },
};
