/**
 * kafka-python consumer groups (its own group client, range and roundrobin
 * assignors) against a real node, through the scenario of
 * test/clients/group_scenario.ts: a member crashes, another joins, nothing is
 * skipped, and after a clean stop and restart nothing is read twice.
 */
import { runGroupScenario } from "./clients/group_scenario.ts";
import { NodeProcess } from "./support/node_process.ts";
import { PYTHON } from "./support/python_client.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

const SCRIPT = new URL("./clients/group_consumer.py", import.meta.url).pathname;

Deno.test("kafka-python consumer groups survive a crash and a join, and resume from their commits", async () => {
  const node = await new NodeProcess({
    overrides: { "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000" },
  }).start();
  try {
    await Promise.all(["range", "roundrobin"].map((strategy) =>
      runGroupScenario({
        port: node.port,
        topic: `python-${strategy}`,
        group: `python-${strategy}`,
        member: (index) => ({
          command: PYTHON,
          args: [
            SCRIPT,
            JSON.stringify({
              library: "kafka-python",
              bootstrap: node.bootstrap,
              topic: `python-${strategy}`,
              group: `python-${strategy}`,
              strategy,
              client_id: `member-${index}`,
              session_timeout_ms: 3000,
            }),
          ],
          env: { PYTHONDONTWRITEBYTECODE: "1" },
        }),
      })
    ));
  } finally {
    await node.dispose();
  }
});
