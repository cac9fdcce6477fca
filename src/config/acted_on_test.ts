import assert from "node:assert/strict";
import { BROKER_KEYS_ACTED_ON_DYNAMICALLY, inertKeyWarning } from "./acted_on.ts";
import { BrokerConfig, EMBEDDED_DEFAULTS } from "./broker_config.ts";

Deno.test("Kafka's keys Dafka does not act on are warned about, at start and on change", async (t) => {
  await t.step("at start, once per key given", () => {
    const config = new BrokerConfig(
      new Map(Object.entries({ ...EMBEDDED_DEFAULTS, "background.threads": "4", "num.partitions": "3" })),
    );
    assert.equal(config.warnings.length, 1);
    assert.match(config.warnings[0]!, /'background.threads'.*does not act on it yet/);
    const throttled = new BrokerConfig(
      new Map(Object.entries({ ...EMBEDDED_DEFAULTS, "leader.replication.throttled.rate": "100" })),
    );
    assert.match(throttled.warnings[0]!, /isn't a known config/, "a dynamic-only key, as Kafka warns");
  });
  await t.step("on change, where only the defaults of topic keys take effect at once", () => {
    assert.ok(BROKER_KEYS_ACTED_ON_DYNAMICALLY.has("log.retention.ms"));
    assert.ok(BROKER_KEYS_ACTED_ON_DYNAMICALLY.has("message.max.bytes"));
    assert.equal(inertKeyWarning("broker", "log.retention.bytes", "changed", true), null);
    assert.notEqual(inertKeyWarning("broker", "log.retention.check.interval.ms", "changed", true), null);
    assert.equal(inertKeyWarning("broker", "log.retention.check.interval.ms", "server.properties"), null);
    assert.notEqual(inertKeyWarning("topic", "compression.gzip.level", "changed"), null);
    assert.equal(inertKeyWarning("topic", "no.such.key", "changed"), null, "unknown keys are not Kafka's");
  });
});

Deno.test("replica.selector.class names one of Kafka's two selectors; another class refuses to start, as in Kafka", () => {
  const withSelector = (value: string) =>
    new BrokerConfig(new Map(Object.entries({ ...EMBEDDED_DEFAULTS, "replica.selector.class": value })));
  const rackAware = "org.apache.kafka.common.replica.RackAwareReplicaSelector";
  assert.equal(withSelector(rackAware).string("replica.selector.class"), rackAware);
  assert.deepEqual(withSelector(rackAware).warnings, []);
  assert.throws(() => withSelector("com.example.MySelector"), /replica.selector.class/);
});
