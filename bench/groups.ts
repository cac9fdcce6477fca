/**
 * Group coordinator throughput with 1,000 groups of 3 members:
 *
 * 1. the pure state machine (src/group/), writes completed at once: JoinGroup
 *    requests (each member's two, KIP-394), SyncGroup, Heartbeat and
 *    OffsetCommit handled per second;
 * 2. a real node over TCP (the driver syncs `__consumer_offsets` before
 *    every acknowledgement): the same requests from 20 pipelined
 *    connections.
 *
 *   deno run -A bench/groups.ts [--groups 1000] [--rounds 5]
 */
import { GroupCoordinator, type GroupCoordinatorConfig, type JoinGroupResponse } from "../src/group/mod.ts";

import { type RequestInput, Writer } from "../src/protocol/mod.ts";
import type { joinGroup } from "../src/protocol/messages/mod.ts";
import type { KafkaClient } from "../sim/clients/kafka_client.ts";
import { NodeProcess } from "../test/support/node_process.ts";
import { connectClient, createTopics } from "../test/support/raw_kafka.ts";

const args = Deno.args;
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const GROUPS = option("--groups", 1000);
const ROUNDS = option("--rounds", 5);
const MEMBERS = 3;
const PARTITIONS = 6;
const CONNECTIONS = 20;
/** The node's group.initial.rebalance.delay.ms in the TCP bench. */
const INITIAL_DELAY_MS = 1000;

const SUBSCRIPTION = new Writer(32).int16(0).int32(1).nullableString("bench").nullableBytes(null).finish();

function rate(count: number, ms: number): string {
  return `${Math.round(count / (ms / 1000)).toLocaleString("en-US")}/s`;
}

// ---------------------------------------------------------------- the state machine alone

function benchStateMachine(): Record<string, string> {
  let suffix = 0;
  const config: GroupCoordinatorConfig = {
    partitionCount: 50,
    minSessionTimeoutMs: 6000,
    maxSessionTimeoutMs: 1_800_000,
    initialRebalanceDelayMs: 0,
    maxGroupSize: 1000,
    offsetsRetentionMs: 7 * 24 * 3600_000,
    offsetsRetentionCheckIntervalMs: 600_000,
    offsetMetadataMaxBytes: 4096,
    newMemberJoinTimeoutMs: 300_000,
    newMemberIdSuffix: () => String(++suffix),
  };
  const coordinator = new GroupCoordinator(config);
  let nowMs = 1_700_000_000_000;
  for (let partition = 0; partition < 50; partition++) {
    coordinator.beginLoading(partition);
    coordinator.finishLoading(partition, nowMs);
  }
  // Only the joins' replies are read back; the outbox hands every reply out untyped.
  const replies = new Map<number, JoinGroupResponse>();
  let nextReplyId = 1;
  const drain = () => {
    for (
      let ready = coordinator.ready();
      ready.writes.length + ready.replies.length > 0;
      ready = coordinator.ready()
    ) {
      for (const write of ready.writes) coordinator.writeCompleted(write.writeId, 0, nowMs);
      for (const reply of ready.replies) replies.set(reply.replyId, reply.response as JoinGroupResponse);
    }
  };
  const context = (apiVersion: number) => ({
    nowMs,
    clientId: "bench",
    clientHost: "/127.0.0.1",
    apiVersion,
  });
  const join = (groupId: string, memberId: string) => {
    const replyId = nextReplyId++;
    coordinator.joinGroup(replyId, {
      groupId,
      sessionTimeoutMs: 45_000,
      rebalanceTimeoutMs: 60_000,
      memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: SUBSCRIPTION }],
      reason: null,
    }, context(9));
    drain();
    return replyId;
  };

  const joinsStart = performance.now();
  const secondJoins: { groupId: string; replyId: number }[] = [];
  for (let group = 0; group < GROUPS; group++) {
    const groupId = `group-${group}`;
    for (let member = 0; member < MEMBERS; member++) {
      const first = replies.get(join(groupId, ""))!;
      secondJoins.push({ groupId, replyId: join(groupId, first.memberId) });
    }
  }
  for (let rounds = 0; rounds < 10 && secondJoins.some((entry) => !replies.has(entry.replyId)); rounds++) {
    coordinator.tick(nowMs);
    drain();
  }
  const joinsMs = performance.now() - joinsStart;
  const joined = secondJoins.map((entry) => ({
    groupId: entry.groupId,
    response: replies.get(entry.replyId)!,
  }));

  const syncStart = performance.now();
  for (const { groupId, response } of joined) {
    const isLeader = response.leader === response.memberId;
    const replyId = nextReplyId++;
    coordinator.syncGroup(replyId, {
      groupId,
      generationId: response.generationId,
      memberId: response.memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "range",
      assignments: isLeader
        ? response.members.map((member) => ({
          memberId: member.memberId,
          assignment: new Uint8Array(20),
        }))
        : [],
    }, context(5));
    drain();
  }
  const syncMs = performance.now() - syncStart;

  const heartbeatStart = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    nowMs += 1000;
    for (const { groupId, response } of joined) {
      coordinator.heartbeat({
        groupId,
        generationId: response.generationId,
        memberId: response.memberId,
        groupInstanceId: null,
      }, context(4));
    }
  }
  const heartbeatMs = performance.now() - heartbeatStart;

  const commitStart = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    nowMs += 1000;
    joined.forEach(({ groupId, response }, index) => {
      const replyId = nextReplyId++;
      const first = (index % MEMBERS) * 2;
      coordinator.commitOffsets(replyId, {
        groupId,
        generationIdOrMemberEpoch: response.generationId,
        memberId: response.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [{
          name: "bench",
          partitions: [first, first + 1].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: round * 100,
            committedLeaderEpoch: -1,
            commitTimestamp: -1,
            committedMetadata: "",
          })),
        }],
      }, context(8));
      drain();
    });
  }
  const commitMs = performance.now() - commitStart;
  const members = GROUPS * MEMBERS;
  return {
    "JoinGroup requests": rate(members * 2, joinsMs),
    "groups formed": rate(GROUPS, joinsMs),
    "SyncGroup requests": rate(members, syncMs),
    "Heartbeat requests": rate(members * ROUNDS, heartbeatMs),
    "OffsetCommit requests (2 partitions)": rate(members * ROUNDS, commitMs),
  };
}

// ---------------------------------------------------------------- a real node over TCP

interface RemoteMember {
  client: KafkaClient;
  groupId: string;
  memberId: string;
  generationId: number;
  leader: string;
  members: string[];
}

function joinBody(groupId: string, memberId: string): RequestInput<typeof joinGroup> {
  return {
    groupId,
    sessionTimeoutMs: 45_000,
    rebalanceTimeoutMs: 60_000,
    memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: SUBSCRIPTION }],
    reason: null,
  };
}

async function benchNode(): Promise<Record<string, string>> {
  // Members of a group must all join within the initial delay, or the first would have to rejoin.
  const node = await new NodeProcess({
    overrides: { "group.initial.rebalance.delay.ms": String(INITIAL_DELAY_MS) },
  }).start();
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => connectClient(node.port)));
  try {
    await createTopics(clients[0]!, [{ name: "bench", partitions: PARTITIONS }]);
    await clients[0]!.request(10, 3, { key: "warm-up", keyType: 0 });
    const slots = Array.from({ length: GROUPS * MEMBERS }, (_, index) => ({
      client: clients[index % CONNECTIONS]!,
      groupId: `group-${Math.floor(index / MEMBERS)}`,
    }));
    const joinsStart = performance.now();
    const first = await Promise.all(
      slots.map((slot) => slot.client.request(11, 9, joinBody(slot.groupId, ""))),
    );
    const firstJoinsMs = performance.now() - joinsStart;
    const secondStart = performance.now();
    const joined = await Promise.all(
      slots.map((slot, index) => slot.client.request(11, 9, joinBody(slot.groupId, first[index]!.memberId))),
    );
    // The second joins wait out the initial delay (once more when a member arrives during it).
    const rebalanceMs = performance.now() - secondStart;
    const failed = joined.filter((answer) => answer.errorCode !== 0).length;
    if (failed > 0) throw new Error(`${failed} joins failed`);
    const members: RemoteMember[] = slots.map((slot, index) => ({
      ...slot,
      memberId: joined[index]!.memberId,
      generationId: joined[index]!.generationId,
      leader: joined[index]!.leader,
      members: joined[index]!.members.map((member) => member.memberId),
    }));
    const syncStart = performance.now();
    await Promise.all(members.map((member) =>
      member.client.request(14, 5, {
        groupId: member.groupId,
        generationId: member.generationId,
        memberId: member.memberId,
        protocolType: "consumer",
        protocolName: "range",
        assignments: member.leader === member.memberId
          ? member.members.map((memberId) => ({ memberId, assignment: new Uint8Array(20) }))
          : [],
      })
    ));
    const syncMs = performance.now() - syncStart;
    const heartbeatStart = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(members.map((member) =>
        member.client.request(12, 4, {
          groupId: member.groupId,
          generationId: member.generationId,
          memberId: member.memberId,
          groupInstanceId: null,
        })
      ));
    }
    const heartbeatMs = performance.now() - heartbeatStart;
    const commitStart = performance.now();
    let refused = 0;
    let lastRefusal: unknown = null;
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(members.map((member, index) => {
        const first = (index % MEMBERS) * 2;
        return member.client.request(8, 8, {
          groupId: member.groupId,
          generationIdOrMemberEpoch: member.generationId,
          memberId: member.memberId,
          groupInstanceId: null,
          topics: [{
            name: "bench",
            partitions: [first, first + 1].map((partitionIndex) => ({
              partitionIndex,
              committedOffset: round * 100,
              committedLeaderEpoch: -1,
              committedMetadata: "",
            })),
          }],
        });
      }));
      lastRefusal = answers.find((answer) => answer.topics[0]!.partitions.some((p) => p.errorCode !== 0)) ??
        lastRefusal;
      refused += answers.filter((answer) =>
        answer.topics[0]!.partitions.some((partition) =>
          partition.errorCode !== 0
        )
      ).length;
    }
    const commitMs = performance.now() - commitStart;
    if (refused > 0) throw new Error(`${refused} commits were refused: ${JSON.stringify(lastRefusal)}`);
    const count = GROUPS * MEMBERS;
    return {
      "JoinGroup requests": `${rate(count, firstJoinsMs)} (first joins)`,
      "groups formed": `${GROUPS} in ${Math.round(rebalanceMs)} ms (initial delay ${INITIAL_DELAY_MS} ms)`,
      "SyncGroup requests": rate(count, syncMs),
      "Heartbeat requests": rate(count * ROUNDS, heartbeatMs),
      "OffsetCommit requests (2 partitions)": rate(count * ROUNDS, commitMs),
    };
  } finally {
    for (const client of clients) client.close();
    await node.dispose();
  }
}

if (import.meta.main) {
  console.log(`${GROUPS} groups x ${MEMBERS} members, ${ROUNDS} rounds of heartbeats and commits`);
  const machine = benchStateMachine();
  const node = await benchNode();
  console.log(`| measure | state machine | node over TCP |`);
  console.log(`| --- | ---: | ---: |`);
  for (const key of Object.keys(machine)) console.log(`| ${key} | ${machine[key]} | ${node[key]} |`);
}
