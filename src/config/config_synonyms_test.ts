import assert from "node:assert/strict";
import { type BrokerConfigSources, describeBrokerConfigs, describeTopicConfigs } from "./config_synonyms.ts";
import { ConfigSource } from "./topic_config_resolver.ts";

const {
  DYNAMIC_TOPIC_CONFIG,
  DYNAMIC_BROKER_CONFIG,
  DYNAMIC_DEFAULT_BROKER_CONFIG,
  STATIC_BROKER_CONFIG,
  DEFAULT_CONFIG,
} = ConfigSource;

function sources(
  parts: Partial<Record<keyof BrokerConfigSources, Record<string, string>>>,
): BrokerConfigSources {
  return {
    staticValues: new Map(Object.entries(parts.staticValues ?? {})),
    clusterDefaults: new Map(Object.entries(parts.clusterDefaults ?? {})),
    perBroker: new Map(Object.entries(parts.perBroker ?? {})),
  };
}

function topicEntry(from: BrokerConfigSources, name: string, overrides: Record<string, string> = {}) {
  return describeTopicConfigs(from, new Map(Object.entries(overrides)), () => "value").find((entry) =>
    entry.name === name
  )!;
}

Deno.test("topic synonyms are named after the broker keys, in Kafka's order", async (t) => {
  await t.step("a default with a broker default", () => {
    const entry = topicEntry(sources({}), "segment.bytes");
    assert.equal(entry.source, DEFAULT_CONFIG);
    assert.deepEqual(entry.synonyms, [{
      name: "log.segment.bytes",
      value: "1073741824",
      source: DEFAULT_CONFIG,
    }]);
  });
  await t.step("no synonym when the first broker key has no value (log.retention.ms, log.roll.ms)", () => {
    assert.deepEqual(topicEntry(sources({}), "retention.ms").synonyms, []);
    assert.deepEqual(
      topicEntry(sources({ staticValues: { "log.retention.hours": "1" } }), "retention.ms").synonyms,
      [],
    );
    assert.deepEqual(topicEntry(sources({}), "segment.ms").synonyms, []);
  });
  await t.step("once log.retention.ms is set, the hours follow it", () => {
    const entry = topicEntry(
      sources({ staticValues: { "log.retention.ms": "5", "log.retention.hours": "1" } }),
      "retention.ms",
    );
    assert.deepEqual(entry.synonyms.map((synonym) => [synonym.name, synonym.source]), [
      ["log.retention.ms", STATIC_BROKER_CONFIG],
      ["log.retention.hours", STATIC_BROKER_CONFIG],
      ["log.retention.hours", DEFAULT_CONFIG],
    ]);
  });
  await t.step("the topic's override, then per-broker, cluster-wide, static and default values", () => {
    const from = sources({
      perBroker: { "log.retention.bytes": "3" },
      clusterDefaults: { "log.retention.bytes": "2" },
      staticValues: { "log.retention.bytes": "1" },
    });
    const entry = topicEntry(from, "retention.bytes", { "retention.bytes": "4" });
    assert.equal(entry.source, DYNAMIC_TOPIC_CONFIG);
    assert.deepEqual(entry.synonyms.map((synonym) => [synonym.name, synonym.value, synonym.source]), [
      ["retention.bytes", "4", DYNAMIC_TOPIC_CONFIG],
      ["log.retention.bytes", "3", DYNAMIC_BROKER_CONFIG],
      ["log.retention.bytes", "2", DYNAMIC_DEFAULT_BROKER_CONFIG],
      ["log.retention.bytes", "1", STATIC_BROKER_CONFIG],
      ["log.retention.bytes", "-1", DEFAULT_CONFIG],
    ]);
  });
});

Deno.test("broker resources: one broker lists every key, the cluster default only its dynamic ones", () => {
  const from = sources({
    clusterDefaults: { "background.threads": "12" },
    staticValues: { "custom.plugin.setting": "x", "ssl.keystore.password": "secret" },
  });
  const perBroker = new Map(describeBrokerConfigs(from, true).map((entry) => [entry.name, entry]));
  assert.ok(perBroker.size > 250);
  assert.equal(perBroker.get("background.threads")!.source, DYNAMIC_DEFAULT_BROKER_CONFIG);
  assert.equal(perBroker.get("background.threads")!.readOnly, false);
  assert.equal(perBroker.get("log.dirs")!.readOnly, true);
  // Keys Kafka does not know are listed as given, hidden as Kafka hides what it cannot type.
  assert.deepEqual([
    perBroker.get("custom.plugin.setting")!.value,
    perBroker.get("custom.plugin.setting")!.isSensitive,
  ], [
    null,
    true,
  ]);
  assert.equal(perBroker.get("ssl.keystore.password")!.value, null);
  assert.ok(!perBroker.has("cluster.id"), "Dafka's own keys are internal");
  const cluster = describeBrokerConfigs(from, false);
  assert.deepEqual(cluster.map((entry) => [entry.name, entry.value, entry.synonyms.length]), [[
    "background.threads",
    "12",
    1,
  ]]);
});

Deno.test("topic values are printed as Kafka prints them", () => {
  const entries = describeTopicConfigs(
    sources({}),
    new Map([["cleanup.policy", "compact, delete"], ["preallocate", "TRUE"]]),
    (name) =>
      ({ "cleanup.policy": "compact, delete", preallocate: "TRUE" } as Record<string, string>)[name] ?? null,
  );
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  assert.equal(byName.get("cleanup.policy")!.value, "compact,delete");
  assert.equal(byName.get("cleanup.policy")!.synonyms[0]!.value, "compact,delete");
  assert.equal(byName.get("preallocate")!.value, "true");
});
