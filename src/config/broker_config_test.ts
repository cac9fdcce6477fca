import assert from "node:assert/strict";
import { BrokerConfig, EMBEDDED_DEFAULTS, parseProperties } from "./broker_config.ts";
import { ConfigError } from "./config_types.ts";
import { parseArguments } from "./command_line.ts";

function config(entries: Record<string, string>): BrokerConfig {
  return new BrokerConfig(new Map(Object.entries({ ...EMBEDDED_DEFAULTS, ...entries })));
}

Deno.test("properties files parse comments, separators and continuations", () => {
  const parsed = parseProperties(
    "# comment\n! also\nnode.id=3\nlisteners : PLAINTEXT://a:1,\\\n  CONTROLLER://a:2\nlog.dirs /x\n",
  );
  assert.equal(parsed.get("node.id"), "3");
  assert.equal(parsed.get("listeners"), "PLAINTEXT://a:1,CONTROLLER://a:2");
  assert.equal(parsed.get("log.dirs"), "/x");
});

Deno.test("the embedded default is a single node on 127.0.0.1:9092", () => {
  const resolved = config({});
  assert.equal(resolved.nodeId, 1);
  assert.deepEqual(resolved.listeners, [{
    name: "PLAINTEXT",
    host: "127.0.0.1",
    port: 9092,
    securityProtocol: "PLAINTEXT",
  }]);
  assert.deepEqual(resolved.logDirs, ["dafka-data"]);
  assert.equal(resolved.int("num.partitions"), 1);
  assert.equal(resolved.int("message.max.bytes"), 1048588);
});

Deno.test("overrides win over the properties file, as kafka-server-start.sh does", () => {
  const given = parseArguments(
    ["server.properties", "--override", "listeners=PLAINTEXT://127.0.0.1:1234", "--override", "log.dirs=/d"],
    () => "node.id=7\nprocess.roles=broker,controller\nlisteners=PLAINTEXT://127.0.0.1:9092\n",
  );
  const resolved = new BrokerConfig(given);
  assert.equal(resolved.nodeId, 7);
  assert.equal(resolved.listeners[0]!.port, 1234);
  assert.deepEqual(resolved.logDirs, ["/d"]);
});

Deno.test("a bad value stops start-up with a message naming the key", async (t) => {
  const cases: Record<string, string>[] = [
    { "num.partitions": "zero" },
    { "num.partitions": "0" },
    { "auto.create.topics.enable": "yes" },
    { "listeners": "127.0.0.1:9092" },
    { "listeners": "SSL://127.0.0.1:9092" },
    { "message.max.bytes": "99999999999" },
    { "log.segment.bytes": "10" },
  ];
  for (const entries of cases) {
    const key = Object.keys(entries)[0]!;
    await t.step(key, () => {
      assert.throws(
        () => config(entries),
        (error: unknown) => error instanceof ConfigError && error.message.includes(key),
      );
    });
  }
});

Deno.test("a missing node.id or process.roles in a properties file stops start-up", () => {
  assert.throws(() => new BrokerConfig(new Map([["process.roles", "broker,controller"]])), /node\.id/);
  assert.throws(() => new BrokerConfig(new Map([["node.id", "1"]])), /process\.roles/);
});

Deno.test("unknown keys are warned about, not fatal", () => {
  const resolved = config({ "made.up.key": "1" });
  assert.equal(resolved.warnings.length, 1);
  assert.match(resolved.warnings[0]!, /made\.up\.key/);
});

Deno.test("derived settings follow Kafka's precedence", () => {
  assert.equal(config({}).logRollMs, 168 * 3600000);
  assert.equal(config({ "log.roll.hours": "2" }).logRollMs, 7200000);
  assert.equal(config({ "log.roll.hours": "2", "log.roll.ms": "5" }).logRollMs, 5);
  assert.equal(config({ "log.retention.minutes": "3" }).logRetentionMs, 180000);
});
