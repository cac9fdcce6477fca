/**
 * The cluster's metadata survives crashes: after every recovery, Metadata
 * lists every topic the run created, with the id and partition count it was
 * created with, led by the node, under the same cluster id. (A node that
 * lost its metadata log and rebuilt topics from their folders would hand out
 * new topic ids, and clients that name topics by id would fail.)
 */
import { ErrorCode, type ResponseOf, uuidToString } from "../../../src/protocol/mod.ts";
import type { Violations } from "../violation.ts";
import type { metadata } from "../../../src/protocol/messages/mod.ts";

/** A topic as the run created it. */
export interface CreatedTopic {
  name: string;
  topicId: Uint8Array;
  partitions: number;
}

/** What a Metadata answer must show. */
export interface ExpectedMetadata {
  clusterId: string | null;
  nodeId: number;
  topics: CreatedTopic[];
}

/** Checks a Metadata (v10+) answer for all topics; `where` names the moment for the report. */
export function checkMetadata(
  expected: ExpectedMetadata,
  answer: ResponseOf<typeof metadata>,
  violations: Violations,
  where: string,
): void {
  const fail = (message: string) => violations.report("metadata survives crashes", `${where}: ${message}`);
  if (answer.clusterId !== expected.clusterId) {
    throw fail(`cluster id ${answer.clusterId}, was ${expected.clusterId}`);
  }
  const listed = new Map(answer.topics.map((topic) => [topic.name, topic]));
  for (const topic of expected.topics) {
    const found = listed.get(topic.name);
    if (found === undefined) throw fail(`topic ${topic.name} is gone`);
    if (found.errorCode !== ErrorCode.NONE) throw fail(`topic ${topic.name}: error ${found.errorCode}`);
    const id = uuidToString(found.topicId);
    if (id !== uuidToString(topic.topicId)) {
      throw fail(`topic ${topic.name} has id ${id}, it was created with ${uuidToString(topic.topicId)}`);
    }
    const partitions = found.partitions;
    if (partitions.length !== topic.partitions) {
      throw fail(
        `topic ${topic.name} has ${partitions.length} partitions, it was created with ${topic.partitions}`,
      );
    }
    for (const partition of partitions) {
      if (partition.errorCode !== ErrorCode.NONE || partition.leaderId !== expected.nodeId) {
        throw fail(
          `${topic.name}-${partition.partitionIndex}: error ${partition.errorCode}, leader ${partition.leaderId}`,
        );
      }
    }
  }
}
