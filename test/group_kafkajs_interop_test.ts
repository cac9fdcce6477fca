/**
 * kafkajs consumer groups against a real node, through the scenario of
 * test/clients/group_scenario.ts: a group of 3 on 6 partitions, one member
 * crashes and another joins, nothing is skipped, and after a clean stop and
 * restart nothing is read twice.
 */
import { runGroupScenario } from "./clients/group_scenario.ts";
import { NodeProcess } from "./support/node_process.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

const SCRIPT = new URL("./clients/kafkajs_group_consumer.ts", import.meta.url).pathname;
const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("a kafkajs consumer group survives a crash and a join, and resumes from its commits", async () => {
  const node = await new NodeProcess({
    overrides: { "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000" },
  }).start();
  try {
    await runGroupScenario({
      port: node.port,
      topic: "kafkajs-events",
      group: "kafkajs-group",
      member: (index) => ({
        command: Deno.execPath(),
        args: [
          "run",
          "--allow-all",
          `--config=${ROOT}deno.json`,
          SCRIPT,
          JSON.stringify({
            bootstrap: node.bootstrap,
            topic: "kafkajs-events",
            group: "kafkajs-group",
            clientId: `member-${index}`,
          }),
        ],
      }),
    });
  } finally {
    await node.dispose();
  }
});
