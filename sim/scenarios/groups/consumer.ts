/**
 * KIP-848's group protocol in the groups scenario: members speak
 * ConsumerGroupHeartbeat and OffsetCommit (consumer_member.ts), the
 * coordinator assigns, and the ConsumerGroupChecker watches epochs,
 * assignments, acknowledgements and commits, and after every event the
 * coordinator's own state: it never gives a partition to two members.
 */
import type { Assignment } from "../../../src/group/consumer/mod.ts";
import { ErrorCode } from "../../../src/protocol/mod.ts";
import { ConsumerGroupChecker } from "../../checkers/groups/consumer_group_checker.ts";
import { ConsumerGroupMember } from "./consumer_member.ts";
import {
  type ConsumerGroupWorkloadOptions,
  consumerGroupWorkloadOptions,
  describeConsumerGroupOptions,
} from "./consumer_options.ts";
import type { GroupProtocol } from "./protocol.ts";

const GROUP = "sim-consumer-group";

function partitionsOf(assignment: Assignment): number[] {
  return [...assignment.values()].flatMap((partitions) => [...partitions]);
}

export const consumerProtocol: GroupProtocol<ConsumerGroupWorkloadOptions, ConsumerGroupMember> = {
  name: "consumer",
  groupId: GROUP,
  logTag: "consumer-run",
  chaosLabel: "consumer-group-chaos",
  quietPhaseMaxMs: 120_000,
  options: consumerGroupWorkloadOptions,
  describe: describeConsumerGroupOptions,
  brokerSettings: (options) => [
    ["group.consumer.session.timeout.ms", String(options.sessionTimeoutMs)],
    ["group.consumer.heartbeat.interval.ms", String(options.heartbeatIntervalMs)],
  ],
  start(options, cluster) {
    const checker = new ConsumerGroupChecker(options.partitions, () => cluster.scheduler.nowMs);
    return {
      checker,
      startMember: (start) =>
        new ConsumerGroupMember({
          name: start.name,
          world: start.world,
          random: start.random,
          link: start.link,
          checker,
          workload: options,
          groupId: start.groupId,
          topic: start.topic,
          topicId: start.topicId,
          instanceId: start.instanceId,
          log: start.log,
        }),
      // A static member leaves temporarily (epoch -2) and its successor takes its partitions over.
      leave(victim, instanceId, canLose) {
        if (!canLose && instanceId === null) return { left: false, returnWithinMs: null };
        const temporarily = instanceId !== null;
        victim.stop(temporarily);
        return { left: true, returnWithinMs: temporarily ? options.sessionTimeoutMs : null };
      },
      crashed(victim) {
        checker.lost(victim.name);
        return 2 * options.sessionTimeoutMs;
      },
      checkNode(node) {
        const groups = node?.broker.groups;
        if (!groups) return false;
        const group = groups.consumerGroups.coordinatorOf(groups.coordinator.partitionFor(GROUP))?.group(
          GROUP,
        );
        if (!group) return false;
        try {
          checker.coordinatorState(
            [...group.members.values()].map((member) => ({
              memberId: member.memberId,
              assigned: partitionsOf(member.assignedPartitions),
              pendingRevocation: partitionsOf(member.partitionsPendingRevocation),
            })),
          );
        } catch {
          // Recorded in the checker's violations.
        }
        return checker.violations.first !== null;
      },
      settled(alive) {
        const epochs = new Set(alive.map((live) => live.member.epoch));
        const held = alive.reduce((sum, live) => sum + live.member.held.length, 0);
        return epochs.size === 1 && held === options.partitions;
      },
      checkSettled(alive) {
        checker.settled(alive.map((live) => ({
          name: live.host,
          epoch: live.member.epoch,
          stable: live.member.stable,
          held: live.member.held,
        })));
      },
    };
  },
  offsetFetch: (groupId, topic, partitions) => ({
    version: 8,
    body: {
      groups: [{ groupId, topics: [{ name: topic, partitionIndexes: partitions }] }],
      requireStable: true,
    },
  }),
  committedOf(body) {
    const group = body.groups[0]!;
    if (group.errorCode !== ErrorCode.NONE) return null;
    const partitions = group.topics[0]!.partitions;
    return new Map(partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]));
  },
};
