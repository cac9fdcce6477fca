import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { validateBrokerConfigChange } from "./broker_config_validation.ts";

const change = (name: string, value: string | null) => [{ name, value }];

Deno.test("broker config changes are checked as Kafka's brokers check them", async (t) => {
  await t.step("Kafka's keys Dafka does not act on are accepted, and unknown keys are stored", () => {
    assert.equal(validateBrokerConfigChange(change("background.threads", "4"), false), null);
    assert.equal(
      validateBrokerConfigChange(change("sasl.kerberos.min.time.before.relogin", "1"), true),
      null,
    );
    assert.equal(validateBrokerConfigChange(change("my.reporter.endpoint", "x"), false), null);
    assert.equal(
      validateBrokerConfigChange(change("log.message.format.version", "2.8"), false),
      null,
      "removed in 4",
    );
    assert.equal(
      validateBrokerConfigChange(change("listener.name.internal.ssl.keystore.location", "/k"), true),
      null,
    );
  });
  await t.step("read-only keys, listener-only keys and bad values are INVALID_REQUEST", () => {
    assert.deepEqual(validateBrokerConfigChange(change("log.dirs", "/x"), true), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: "Cannot update these configs dynamically: Set(log.dirs)",
    });
    assert.equal(validateBrokerConfigChange(change("log.dirs", null), true), null, "removing is allowed");
    assert.match(
      validateBrokerConfigChange(change("ssl.keystore.location", "/k"), true)!.errorMessage,
      /per-listener/,
    );
    assert.equal(
      validateBrokerConfigChange(change("background.threads", "0"), true)!.errorCode,
      ErrorCode.INVALID_REQUEST,
    );
  });
  await t.step("per-broker keys need a broker id", () => {
    assert.match(
      validateBrokerConfigChange(change("listener.name.internal.ssl.keystore.location", "/k"), false)!
        .errorMessage,
      /broker id must be specified/,
    );
    assert.equal(
      validateBrokerConfigChange(change("listener.name.internal.max.connections", "5"), false),
      null,
    );
  });
});
