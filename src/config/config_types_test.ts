import assert from "node:assert/strict";
import { BROKER_CONFIGS } from "./broker_configs.ts";
import { ConfigError, parseConfigValue } from "./config_types.ts";
import { TOPIC_CONFIGS } from "./topic_configs.ts";

const broker = (name: string) => BROKER_CONFIGS.get(name)!;
const topic = (name: string) => TOPIC_CONFIGS.get(name)!;

Deno.test("longs become numbers only where they are exact", async (t) => {
  await t.step("Long.MAX_VALUE and MIN_VALUE mean no limit: the safe extremes", () => {
    assert.equal(parseConfigValue(topic("flush.ms"), "9223372036854775807"), Number.MAX_SAFE_INTEGER);
    assert.equal(parseConfigValue(topic("retention.bytes"), "-9223372036854775808"), Number.MIN_SAFE_INTEGER);
  });
  await t.step("the safe range is kept, beyond it is refused rather than rounded", () => {
    assert.equal(parseConfigValue(topic("retention.ms"), "9007199254740991"), 9007199254740991);
    assert.throws(() => parseConfigValue(topic("retention.ms"), "9007199254740993"), ConfigError);
    assert.throws(() => parseConfigValue(topic("retention.ms"), "9223372036854775808"), ConfigError);
  });
  await t.step("ints and shorts keep Java's ranges", () => {
    assert.throws(() => parseConfigValue(topic("segment.bytes"), "2147483648"), ConfigError);
    assert.equal(parseConfigValue(broker("offsets.topic.replication.factor"), "3"), 3);
    assert.throws(() => parseConfigValue(broker("offsets.topic.replication.factor"), "32768"), ConfigError);
  });
});

Deno.test("Kafka's validators beyond bounds", async (t) => {
  await t.step("throttled replica lists are '*' or partition:broker pairs", () => {
    const key = topic("leader.replication.throttled.replicas");
    assert.deepEqual(parseConfigValue(key, "*"), ["*"]);
    assert.deepEqual(parseConfigValue(key, "0:1, 1:2"), ["0:1", "1:2"]);
    assert.throws(() => parseConfigValue(key, "0:1,*"), ConfigError);
    assert.throws(() => parseConfigValue(key, "broker-1"), ConfigError);
  });
  await t.step("compression levels have each codec's range", () => {
    assert.throws(() => parseConfigValue(topic("compression.gzip.level"), "42"), ConfigError);
    assert.equal(parseConfigValue(topic("compression.zstd.level"), "-5"), -5);
  });
  await t.step("case-insensitive choices", () => {
    assert.equal(parseConfigValue(broker("group.consumer.migration.policy"), "UPGRADE"), "UPGRADE");
    assert.throws(() => parseConfigValue(broker("group.consumer.migration.policy"), "sideways"), ConfigError);
  });
});

Deno.test("the tables hold Kafka 4.0's keys and not the ones it removed", () => {
  for (
    const key of ["background.threads", "sasl.kerberos.min.time.before.relogin", "ssl.keystore.location"]
  ) {
    assert.ok(BROKER_CONFIGS.has(key), key);
  }
  for (
    const key of [
      "log.message.format.version",
      "log.message.timestamp.difference.max.ms",
      "zookeeper.connect",
    ]
  ) {
    assert.ok(!BROKER_CONFIGS.has(key), key);
  }
  assert.ok(TOPIC_CONFIGS.has("follower.replication.throttled.replicas"));
  assert.ok(!TOPIC_CONFIGS.has("message.format.version"));
  assert.ok(!TOPIC_CONFIGS.has("message.downconversion.enable"));
  // Every topic key's broker synonym is a broker key.
  for (const definition of TOPIC_CONFIGS.values()) {
    if (definition.brokerSynonym) assert.ok(BROKER_CONFIGS.has(definition.brokerSynonym), definition.name);
  }
});
