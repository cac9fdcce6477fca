/**
 * A model-based test of the consumer group protocol: a handful of simulated
 * clients join, heartbeat (sometimes losing the response), revoke late,
 * change subscriptions, leave, leave temporarily as static members, crash and
 * restart, stall for a while, while topics grow and time passes (sessions and rebalances time
 * out). After every step:
 *
 * - the coordinator never records a partition as owned by two members;
 * - a live client that the coordinator still counts as a member only
 *   consumes partitions the coordinator records as its own;
 * - hence no two such clients consume the same partition.
 *
 * Clients the coordinator has expired without them knowing yet ("zombies")
 * are left out: Kafka fences their commits by epoch instead.
 *
 * At the end the clients stop failing, and within a bounded number of rounds
 * every subscribed partition is consumed by exactly one client and the group
 * is Stable (liveness). Replaying every record produced rebuilds the same
 * state, and every record survives an encode/decode round trip.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Assignment, assignmentFromWire, assignmentPairs } from "./assignment.ts";
import type { ConsumerGroupCoordinator } from "./coordinator.ts";
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from "./heartbeat_types.ts";
import { type ConsumerGroupRecord, decodeConsumerGroupRecord, encodeConsumerGroupRecord } from "./records.ts";
import { context, heartbeatRequest, makeCoordinator, makeTopics, ownedWire } from "./test_helpers.ts";
import { topicsFromList } from "./topics.ts";
import { ErrorCode } from "../../protocol/mod.ts";

const GROUP = "group";
const SESSION_TIMEOUT_MS = 15_000;
const REBALANCE_TIMEOUT_MS = 8_000;
const TOPIC_NAMES = ["foo", "bar"] as const;

type Action =
  | { kind: "heartbeat"; slot: number; sendOwned: boolean; full: boolean; lose: boolean }
  | { kind: "revoke"; slot: number }
  | { kind: "leave"; slot: number; permanent: boolean }
  | { kind: "crash"; slot: number }
  | { kind: "pause"; slot: number }
  | { kind: "resume"; slot: number }
  | { kind: "restart"; slot: number }
  | { kind: "subscribe"; slot: number; topics: string[] }
  | { kind: "advance"; ms: number }
  | { kind: "grow"; topic: string };

/** One simulated consumer process. */
interface Client {
  slot: number;
  instanceId: string | null;
  assignor: string | null;
  incarnation: number;
  memberId: string;
  alive: boolean;
  /** Alive but stalled (a long garbage collection, a stuck poll loop): it neither heartbeats nor revokes. */
  paused: boolean;
  /** In the group as far as the client knows (it got a successful join response). */
  joined: boolean;
  /** Expired by the coordinator without knowing it. */
  zombie: boolean;
  epoch: number;
  topics: string[];
  /** Partitions the client consumes, as "topicId:partition". */
  owned: Set<string>;
  /** Partitions it was told to give up but still consumes. */
  revoking: Set<string>;
  /** After a lost response the next heartbeat carries every field. */
  needsFullRequest: boolean;
}

const slot = fc.integer({ min: 0, max: 3 });
const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("heartbeat"),
      slot,
      sendOwned: fc.boolean(),
      full: fc.boolean(),
      lose: fc.integer({ min: 0, max: 2 }).map((value) => value === 0),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("revoke"), slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("leave"), slot, permanent: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash"), slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause"), slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("resume"), slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("restart"), slot }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("subscribe"),
      slot,
      topics: fc.subarray([...TOPIC_NAMES], { minLength: 1 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("advance"),
      ms: fc.oneof(fc.integer({ min: 500, max: 6_000 }), fc.integer({ min: 6_000, max: 20_000 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("grow"), topic: fc.constantFrom(...TOPIC_NAMES) }) },
) as fc.Arbitrary<Action>;

const scenarioArbitrary = fc.record({
  initialCounts: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 })),
  assignors: fc.array(fc.constantFrom(null, "uniform", "range"), { minLength: 4, maxLength: 4 }),
  subscriptions: fc.array(fc.subarray([...TOPIC_NAMES], { minLength: 1 }), { minLength: 4, maxLength: 4 }),
  actions: fc.array(actionArbitrary, { maxLength: 150, size: "max" }),
});

type Scenario = typeof scenarioArbitrary extends fc.Arbitrary<infer S> ? S : never;

/** The world of one run: coordinator, clients, topics, clock and the record log. */
class World {
  readonly coordinator: ConsumerGroupCoordinator = makeCoordinator({ sessionTimeoutMs: SESSION_TIMEOUT_MS });
  readonly log: ConsumerGroupRecord[] = [];
  readonly clients: Client[];
  readonly counts: Record<string, number>;
  nowMs = 0;

  constructor(scenario: Scenario) {
    this.counts = { foo: scenario.initialCounts[0], bar: scenario.initialCounts[1] };
    this.clients = [0, 1, 2, 3].map((index) => ({
      slot: index,
      // Slots 2 and 3 are static members.
      instanceId: index >= 2 ? `instance-${index}` : null,
      assignor: scenario.assignors[index]!,
      incarnation: 1,
      memberId: `client-${index}-1`,
      alive: true,
      paused: false,
      joined: false,
      zombie: false,
      epoch: 0,
      topics: scenario.subscriptions[index]!,
      owned: new Set(),
      revoking: new Set(),
      needsFullRequest: true,
    }));
  }

  topics() {
    return topicsFromList(makeTopics(this.counts));
  }

  apply(action: Action): void {
    switch (action.kind) {
      case "heartbeat":
        return this.heartbeat(this.clients[action.slot]!, action);
      case "revoke": {
        const client = this.clients[action.slot]!;
        if (client.paused) return;
        for (const partition of client.revoking) client.owned.delete(partition);
        client.revoking.clear();
        return;
      }
      case "leave":
        return this.leave(this.clients[action.slot]!, action.permanent);
      case "crash":
        return this.crash(this.clients[action.slot]!);
      case "pause":
        this.clients[action.slot]!.paused = true;
        return;
      case "resume":
        this.clients[action.slot]!.paused = false;
        return;
      case "restart": {
        const client = this.clients[action.slot]!;
        if (client.alive) return;
        this.newIncarnation(client);
        client.alive = true;
        return;
      }
      case "subscribe": {
        const client = this.clients[action.slot]!;
        client.topics = action.topics;
        client.needsFullRequest = true;
        return this.heartbeat(client, { sendOwned: true, full: true, lose: false });
      }
      case "advance":
        this.nowMs += action.ms;
        return this.tick();
      case "grow":
        this.counts[action.topic]! += 1 + (this.counts[action.topic]! % 2);
        return;
    }
  }

  tick(): void {
    const { records, expired } = this.coordinator.tick(this.nowMs);
    this.log.push(...records);
    for (const { memberId } of expired) {
      const client = this.clients.find((candidate) => candidate.memberId === memberId);
      if (client?.alive && client.joined) client.zombie = true;
    }
  }

  heartbeat(client: Client, options: { sendOwned: boolean; full: boolean; lose: boolean }): void {
    if (!client.alive || client.paused) return;
    const request = this.requestFor(client, options);
    const { response, records } = this.coordinator.heartbeat(request, context(this.nowMs, this.topics()));
    this.log.push(...records);
    if (options.lose) {
      client.needsFullRequest = true;
      return;
    }
    this.handleResponse(client, request, response);
  }

  requestFor(client: Client, options: { sendOwned: boolean; full: boolean }): ConsumerGroupHeartbeatRequest {
    if (!client.joined) {
      // A client (re)joins owning nothing.
      client.owned.clear();
      client.revoking.clear();
      return heartbeatRequest({
        groupId: GROUP,
        memberId: client.memberId,
        memberEpoch: 0,
        instanceId: client.instanceId,
        rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
        subscribedTopicNames: client.topics,
        serverAssignor: client.assignor,
        topicPartitions: [],
      });
    }
    const full = options.full || client.needsFullRequest;
    return heartbeatRequest({
      groupId: GROUP,
      memberId: client.memberId,
      memberEpoch: client.epoch,
      instanceId: client.instanceId,
      rebalanceTimeoutMs: full ? REBALANCE_TIMEOUT_MS : -1,
      subscribedTopicNames: full ? client.topics : null,
      topicPartitions: full || options.sendOwned ? ownedWire([...client.owned].map(parsePartition)) : null,
    });
  }

  handleResponse(
    client: Client,
    request: ConsumerGroupHeartbeatRequest,
    response: ConsumerGroupHeartbeatResponse,
  ): void {
    switch (response.errorCode) {
      case ErrorCode.NONE:
        client.joined = true;
        client.zombie = false;
        client.needsFullRequest = false;
        client.epoch = response.memberEpoch;
        if (response.assignment) {
          this.receiveAssignment(client, assignmentFromWire(response.assignment.topicPartitions));
        }
        return;
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID:
        // The client abandons its partitions and rejoins.
        this.resetMembership(client);
        return;
      case ErrorCode.UNRELEASED_INSTANCE_ID:
        // A previous incarnation still holds the instance id: retry later.
        assert.equal(request.memberEpoch, 0);
        this.resetMembership(client);
        return;
      default:
        assert.fail(`unexpected error ${response.errorCode}: ${response.errorMessage}`);
    }
  }

  receiveAssignment(client: Client, assignment: Assignment): void {
    const target = new Set(assignmentPairs(assignment).map(formatPartition));
    for (const partition of target) client.owned.add(partition);
    client.revoking = new Set([...client.owned].filter((partition) => !target.has(partition)));
  }

  resetMembership(client: Client): void {
    client.joined = false;
    client.zombie = false;
    client.epoch = 0;
    client.owned.clear();
    client.revoking.clear();
  }

  leave(client: Client, permanent: boolean): void {
    if (!client.alive || client.paused || !client.joined) return;
    const temporary = client.instanceId !== null && !permanent;
    // The client stops consuming before it says goodbye.
    this.resetMembership(client);
    const { records } = this.coordinator.heartbeat(
      heartbeatRequest({
        groupId: GROUP,
        memberId: client.memberId,
        memberEpoch: temporary ? -2 : -1,
        instanceId: client.instanceId,
      }),
      context(this.nowMs, this.topics()),
    );
    this.log.push(...records);
    // A static member comes back as a new process: a new member id, the same instance id.
    if (client.instanceId !== null) this.newIncarnation(client);
  }

  crash(client: Client): void {
    if (!client.alive) return;
    this.resetMembership(client);
    client.alive = false;
    client.paused = false;
  }

  newIncarnation(client: Client): void {
    client.incarnation++;
    client.memberId = `client-${client.slot}-${client.incarnation}`;
    client.needsFullRequest = true;
    this.resetMembership(client);
  }

  /** The safety invariants, checked after every step. */
  checkSafety(): void {
    const group = this.coordinator.group(GROUP);
    const serverOwner = new Map<string, string>();
    for (const member of group?.members.values() ?? []) {
      for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
        for (const pair of assignmentPairs(assignment)) {
          const key = formatPartition(pair);
          assert.equal(
            serverOwner.get(key),
            undefined,
            `${key} owned by ${serverOwner.get(key)} and ${member.memberId}`,
          );
          serverOwner.set(key, member.memberId);
        }
      }
    }
    assert.equal(group?.ownedPartitionCount() ?? 0, serverOwner.size);
    const clientOwner = new Map<string, number>();
    for (const client of this.clients) {
      if (!client.alive || !client.joined || client.zombie) continue;
      assert.ok(group?.members.has(client.memberId), `client ${client.memberId} is not a member`);
      for (const partition of client.owned) {
        assert.equal(
          serverOwner.get(partition),
          client.memberId,
          `${client.memberId} consumes ${partition} it does not own`,
        );
        assert.equal(clientOwner.get(partition), undefined, `${partition} consumed twice`);
        clientOwner.set(partition, client.slot);
      }
    }
  }

  /** Every client behaves from now on; returns once the group has settled. */
  settle(): void {
    for (const client of this.clients) {
      client.paused = false;
      if (!client.alive) {
        this.newIncarnation(client);
        client.alive = true;
      }
    }
    for (let round = 0; round < 30; round++) {
      this.nowMs += 1_000;
      this.tick();
      for (const client of this.clients) {
        this.apply({ kind: "revoke", slot: client.slot });
        this.heartbeat(client, { sendOwned: true, full: false, lose: false });
        this.checkSafety();
      }
      if (this.settled()) return;
    }
    assert.fail(`group did not settle: ${JSON.stringify(this.coordinator.describe([GROUP], this.topics()))}`);
  }

  settled(): boolean {
    const group = this.coordinator.group(GROUP);
    if (!group || group.state() !== "Stable") return false;
    if (!this.clients.every((client) => client.joined && !client.zombie)) return false;
    const consumed = new Set(this.clients.flatMap((client) => [...client.owned]));
    if (consumed.size !== this.clients.reduce((sum, client) => sum + client.owned.size, 0)) return false;
    for (const topic of group.subscriptionMetadata.values()) {
      for (let partition = 0; partition < topic.partitionCount; partition++) {
        if (!consumed.has(`${topic.topicId}:${partition}`)) return false;
      }
    }
    return true;
  }
}

function formatPartition([topicId, partition]: readonly [string, number]): string {
  return `${topicId}:${partition}`;
}

function parsePartition(text: string): [string, number] {
  const separator = text.lastIndexOf(":");
  return [text.slice(0, separator), Number(text.slice(separator + 1))];
}

/** A canonical dump of a coordinator's groups, for comparing a replayed one. */
function dump(coordinator: ConsumerGroupCoordinator): string {
  return JSON.stringify(
    coordinator.groupIds().sort().map((groupId) => {
      const group = coordinator.group(groupId)!;
      return {
        groupId,
        groupEpoch: group.groupEpoch,
        assignmentEpoch: group.assignmentEpoch,
        metadata: [...group.subscriptionMetadata.values()],
        members: [...group.members.values()].sort((left, right) => left.memberId < right.memberId ? -1 : 1)
          .map(
            (member) => ({
              ...member,
              subscribedTopicNames: [...member.subscribedTopicNames],
              assignedPartitions: assignmentPairs(member.assignedPartitions),
              partitionsPendingRevocation: assignmentPairs(member.partitionsPendingRevocation),
              target: assignmentPairs(group.targetAssignment.get(member.memberId) ?? new Map()),
            }),
          ),
        staticMembers: [...group.staticMembers].sort(),
      };
    }),
  );
}

Deno.test("no partition is ever consumed by two members, and the group settles", () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const world = new World(scenario);
      for (const action of scenario.actions) {
        world.apply(action);
        world.checkSafety();
      }
      world.settle();

      const rebuilt = makeCoordinator({ sessionTimeoutMs: SESSION_TIMEOUT_MS });
      for (const record of world.log) {
        const encoded = encodeConsumerGroupRecord(record);
        rebuilt.replay(decodeConsumerGroupRecord(encoded.key, encoded.value)!);
      }
      assert.equal(dump(rebuilt), dump(world.coordinator));
    }),
    { numRuns: 300 },
  );
});
