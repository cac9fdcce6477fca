/**
 * Real partitions for tests, on an in-memory disk and a manual clock: a
 * leader takes clients' appends, and `replicate` carries its log to a
 * follower the way the replica fetcher does (the follower's fetch read by
 * the leader, the answer applied by the follower), without a network.
 */
import { BrokerConfig, TopicConfigResolver } from "../config/mod.ts";
import { ManualClock, MemoryDisk } from "../io/sim/mod.ts";
import { PartitionLog } from "../log/mod.ts";
import { buildBatch, ErrorCode } from "../protocol/mod.ts";
import { Partition, type PartitionRole } from "./partition.ts";

const CONFIG = new BrokerConfig(
  new Map([["node.id", "1"], ["process.roles", "broker"], ["log.dirs", "/data"]]),
);

export function testPartition(clock: ManualClock, name: string): Partition {
  const log = PartitionLog.open({
    disk: new MemoryDisk(),
    clock,
    directory: `/data/${name}/orders-0`,
    topic: "orders",
    partition: 0,
  });
  return new Partition({
    topic: "orders",
    partition: 0,
    topicId: new Uint8Array(16).fill(1),
    leaderEpoch: 0,
    log,
    clock,
    configs: new TopicConfigResolver(CONFIG, () => new Map()),
    overrides: () => new Map(),
    onAppend: () => {},
    highWatermark: 0,
    replication: () => ({ replicaLagTimeMaxMs: 30_000, eligible: () => true }),
  });
}

/** Replicas on brokers 1, 2 and 3 (by default all in the ISR), at leader epoch 1. */
export function roleLedBy(leader: number, isr: number[] = [1, 2, 3]): PartitionRole {
  return { leader, leaderEpoch: 1, partitionEpoch: 0, replicas: [1, 2, 3], isr };
}

/** A leader (broker 1) and followers 2 and 3, all empty; the ISR as given. */
export function replicatedPartition(isr: number[] = [1, 2, 3]) {
  const clock = new ManualClock();
  const leader = testPartition(clock, "leader");
  const followers = new Map([[2, testPartition(clock, "follower-2")], [
    3,
    testPartition(clock, "follower-3"),
  ]]);
  const role = roleLedBy(1, isr);
  leader.makeLeader(role, clock.now);
  for (const follower of followers.values()) follower.makeFollower(role);
  /** Appends `count` one-record batches to the leader. */
  const produce = (count: number) => {
    for (let index = 0; index < count; index++) {
      const batch = buildBatch({
        records: [{ timestamp: clock.now, key: null, value: new TextEncoder().encode(`v${index}`) }],
      });
      const appended = leader.appendFromClient(batch, 9, 1);
      if (appended.errorCode !== ErrorCode.NONE) throw new Error(`append failed: ${appended.errorCode}`);
    }
  };
  /** One fetch round of follower `brokerId`: its fetch to the leader, the leader's answer applied. */
  const replicate = (brokerId: number, maxBytes = 1 << 20) => {
    const follower = followers.get(brokerId)!;
    const fetchOffset = follower.log.logEndOffset;
    const read = leader.readForReplica({
      replicaId: brokerId,
      brokerEpoch: -1,
      fetchOffset,
      lastFetchedEpoch: -1,
      maxBytes,
      minOneBatch: true,
    });
    follower.applyLeaderAnswer(fetchOffset, 1, read);
  };
  return { clock, leader, followers, produce, replicate };
}
