/**
 * confluent-kafka-python (librdkafka) consumer groups against a real node:
 * eager assignment (range and roundrobin), cooperative-sticky (incremental
 * rebalances), and static membership (KIP-345), each through the scenario of
 * test/clients/group_scenario.ts: a member crashes, another joins, nothing is
 * skipped, and after a clean stop and restart nothing is read twice.
 */
import assert from "node:assert/strict";
import { type MemberCommand, type MemberProcess, runGroupScenario } from "./clients/group_scenario.ts";
import { NodeProcess, waitFor } from "./support/node_process.ts";
import { PYTHON } from "./support/python_client.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

const SCRIPT = new URL("./clients/group_consumer.py", import.meta.url).pathname;

function confluentMember(options: Record<string, unknown>): MemberCommand {
  return {
    command: PYTHON,
    args: [SCRIPT, JSON.stringify({ library: "confluent", session_timeout_ms: 3000, ...options })],
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  };
}

const NODE_OVERRIDES = {
  "group.initial.rebalance.delay.ms": "0",
  "group.min.session.timeout.ms": "1000",
  "offsets.topic.num.partitions": "10",
};

Deno.test("confluent-kafka consumer groups survive a crash and a join with every assignment strategy", async () => {
  const node = await new NodeProcess({ overrides: NODE_OVERRIDES }).start();
  try {
    const bootstrap = node.bootstrap;
    await Promise.all(["range", "roundrobin", "cooperative-sticky"].map((strategy) =>
      runGroupScenario({
        port: node.port,
        topic: `events-${strategy}`,
        group: `group-${strategy}`,
        member: (index) =>
          confluentMember({
            bootstrap,
            topic: `events-${strategy}`,
            group: `group-${strategy}`,
            strategy,
            client_id: `member-${index}`,
          }),
      })
    ));
  } finally {
    await node.dispose();
  }
});

Deno.test("a static member restarting within its session keeps its partitions without a rebalance", async () => {
  const node = await new NodeProcess({ overrides: NODE_OVERRIDES }).start();
  try {
    const bootstrap = node.bootstrap;
    // Members 4-6 restart as pods 1-3 (static members come back under their instance ids); 7 is pod 1.
    const instance = (index: number) => `pod-${index === 7 ? 1 : index > 3 ? index - 3 : index}`;
    const member = (index: number) =>
      confluentMember({
        bootstrap,
        topic: "static-events",
        group: "static-group",
        instance: instance(index),
        client_id: `member-${index}`,
        session_timeout_ms: 6000,
      });
    await runGroupScenario({
      port: node.port,
      topic: "static-events",
      group: "static-group",
      member,
      whileStable: async (members, restart) => {
        const [crashing, restarting, other] = members as [MemberProcess, MemberProcess, MemberProcess];
        const owned = restarting.currentPartitions();
        const otherEvents = other.events.length;
        await restarting.kill();
        // The same instance id again (index 7 is pod-1): within the session, nothing moves.
        const again = restart(7);
        await waitFor(
          () => again.currentPartitions().size > 0,
          20000,
          "the restarted static member's assignment",
        );
        assert.deepEqual(again.currentPartitions(), owned, "the same partitions as before the restart");
        assert.equal(other.events.length, otherEvents, "no rebalance for the other members");
        return [crashing, again, other];
      },
    });
  } finally {
    await node.dispose();
  }
});
