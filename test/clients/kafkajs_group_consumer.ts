/**
 * A kafkajs consumer group member for the group interop tests, configured by
 * one JSON argument ({bootstrap, topic, group, clientId, sessionTimeoutMs}).
 * It prints one JSON line per record processed ({"p", "o"}) and per
 * assignment ({"event": "assigned", "partitions"}); offsets are committed
 * after processing. SIGTERM disconnects cleanly (commit, leave).
 */
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;
const config = JSON.parse(Deno.args[0]!);
const encoder = new TextEncoder();
const emit = (line: unknown) => Deno.stdout.writeSync(encoder.encode(JSON.stringify(line) + "\n"));

const kafka = new Kafka({
  clientId: config.clientId ?? "kafkajs-member",
  brokers: [config.bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { initialRetryTime: 100, retries: 20 },
});
const consumer = kafka.consumer({
  groupId: config.group,
  sessionTimeout: config.sessionTimeoutMs ?? 3000,
  heartbeatInterval: 500,
  rebalanceTimeout: 10000,
  maxWaitTimeInMs: 200,
});
consumer.on(consumer.events.GROUP_JOIN, (event) => {
  const assignment = event.payload.memberAssignment[config.topic] ?? [];
  emit({ event: "assigned", partitions: [...assignment].sort((a, b) => a - b) });
});
let stopping = false;
Deno.addSignalListener("SIGTERM", async () => {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect();
  emit({ event: "closed" });
  Deno.exit(0);
});
await consumer.connect();
await consumer.subscribe({ topic: config.topic, fromBeginning: true });
await consumer.run({
  autoCommitInterval: 200,
  eachMessage: ({ partition, message }) => {
    emit({ p: partition, o: Number(message.offset) });
    return Promise.resolve();
  },
});
