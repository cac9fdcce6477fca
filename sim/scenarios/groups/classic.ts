/**
 * The classic group protocol in the groups scenario: members speak
 * JoinGroup, SyncGroup, Heartbeat, OffsetCommit and LeaveGroup
 * (classic_member.ts), the leader assigns ranges, and the GroupChecker
 * watches generations, assignments and commits.
 */
import { ErrorCode } from "../../../src/protocol/mod.ts";
import { GroupChecker } from "../../checkers/groups/group_checker.ts";
import { GroupMember } from "./classic_member.ts";
import { describeGroupOptions, type GroupWorkloadOptions, groupWorkloadOptions } from "./classic_options.ts";
import type { GroupProtocol } from "./protocol.ts";

export const classicProtocol: GroupProtocol<GroupWorkloadOptions, GroupMember> = {
  name: "classic",
  groupId: "sim-group",
  logTag: "group-run",
  chaosLabel: "group-chaos",
  quietPhaseMaxMs: 180_000,
  options: groupWorkloadOptions,
  describe: describeGroupOptions,
  brokerSettings: (options) => [
    ["group.min.session.timeout.ms", "1000"],
    ["group.initial.rebalance.delay.ms", String(options.initialRebalanceDelayMs)],
  ],
  start(options) {
    const checker = new GroupChecker(options.partitions);
    return {
      checker,
      startMember: (start) =>
        new GroupMember({
          name: start.name,
          world: start.world,
          random: start.random,
          link: start.link,
          checker,
          settings: options.member,
          groupId: start.groupId,
          topic: start.topic,
          partitions: options.partitions,
          instanceId: start.instanceId,
          log: start.log,
        }),
      // A classic member leaves for good (LeaveGroup), and only while others remain.
      leave(victim, _instanceId, canLose) {
        if (!canLose) return { left: false, returnWithinMs: null };
        victim.stop();
        return { left: true, returnWithinMs: null };
      },
      crashed: () => options.member.sessionTimeoutMs,
      checkNode: () => false,
      settled(alive) {
        const generations = new Set(alive.map((live) => live.member.generationId));
        const owned = alive.reduce((sum, live) => sum + live.member.assignment.length, 0);
        return generations.size === 1 && owned === options.partitions;
      },
      checkSettled(alive) {
        checker.settled(alive.map((live) => ({
          name: live.host,
          memberId: live.member.memberId,
          generation: live.member.generationId,
          stable: live.member.stable,
          assignment: live.member.assignment,
        })));
      },
    };
  },
  offsetFetch: (groupId, topic, partitions) => ({
    version: 7,
    body: { groupId, topics: [{ name: topic, partitionIndexes: partitions }], requireStable: true },
  }),
  committedOf(body) {
    if (body.errorCode !== ErrorCode.NONE) return null;
    const partitions = body.topics[0]!.partitions;
    return new Map(partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]));
  },
};
