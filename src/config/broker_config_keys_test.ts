/**
 * BrokerConfig's and TopicConfigResolver's accessors take keys typed from the settings tables: these lines must not compile (deno
 * check fails if a @ts-expect-error line compiles), and at runtime they read nothing useful.
 */
import assert from "node:assert/strict";
import { BrokerConfig, EMBEDDED_DEFAULTS } from "./broker_config.ts";
import { TopicConfigResolver } from "./topic_config_resolver.ts";

Deno.test("misspelt keys and keys of another type do not compile", () => {
  const config = new BrokerConfig(new Map(Object.entries(EMBEDDED_DEFAULTS)));
  // @ts-expect-error: a misspelt key
  assert.equal(config.int("log.retention.msx"), null);
  // @ts-expect-error: log.dirs is not a number
  config.int("log.dirs");
  // @ts-expect-error: num.partitions is not a boolean
  config.bool("num.partitions");
  assert.equal(config.int("log.retention.check.interval.ms"), 300000);
});

Deno.test("topic keys are typed the same way", () => {
  const config = new BrokerConfig(new Map(Object.entries(EMBEDDED_DEFAULTS)));
  const topics = new TopicConfigResolver(config, () => new Map());
  const overrides = new Map([["retention.ms", "5"]]);
  assert.equal(topics.number("retention.ms", overrides), 5);
  // @ts-expect-error: a misspelt key
  assert.throws(() => topics.number("retention.msx", overrides));
  // @ts-expect-error: cleanup.policy is not a number
  topics.number("cleanup.policy", overrides);
});
