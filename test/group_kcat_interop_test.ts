/**
 * kcat's balanced consumer (`kcat -G`, librdkafka's high-level consumer)
 * against a real node, through the scenario of test/clients/group_scenario.ts:
 * a group of 3 on 6 partitions, one member crashes and another joins,
 * nothing is skipped, and after a clean stop and restart nothing is read
 * twice. Records come as "partition offset" lines; kcat reports rebalances on
 * stderr.
 */
import { type MemberEvent, runGroupScenario } from "./clients/group_scenario.ts";
import { NodeProcess } from "./support/node_process.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

function parseKcat(line: string, stream: "stdout" | "stderr"): MemberEvent | null {
  if (stream === "stdout") {
    const match = /^(\d+) (\d+)$/.exec(line);
    return match ? { p: Number(match[1]), o: Number(match[2]) } : null;
  }
  const rebalance = /rebalanced \(memberid [^)]*\): (assigned|revoked): (.*)$/.exec(line);
  if (!rebalance) return null;
  const partitions = [...rebalance[2]!.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
  return { event: rebalance[1]!, partitions };
}

Deno.test("kcat -G consumers survive a crash and a join, and resume from their commits", async () => {
  const node = await new NodeProcess({
    overrides: { "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000" },
  }).start();
  try {
    await runGroupScenario({
      port: node.port,
      topic: "kcat-events",
      group: "kcat-group",
      member: (index) => ({
        command: "kcat",
        args: [
          "-b",
          node.bootstrap,
          "-G",
          "kcat-group",
          "kcat-events",
          "-f",
          "%p %o\\n",
          "-u",
          "-X",
          `client.id=member-${index}`,
          "-X",
          "session.timeout.ms=3000",
          "-X",
          "heartbeat.interval.ms=500",
          "-X",
          "auto.commit.interval.ms=200",
          "-X",
          "auto.offset.reset=earliest",
        ],
        parse: parseKcat,
      }),
    });
  } finally {
    await node.dispose();
  }
});
