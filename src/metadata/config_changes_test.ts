import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { clusterImage } from "./_broker_test_support.ts";
import { ConfigOperation, decideAlter, decideIncrementalAlter } from "./config_changes.ts";
import { isRefusal } from "./controller.ts";
import { ConfigResourceType, MetadataRecordType } from "./records.ts";

const image = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }]);
const broker = (resourceName: string, name: string, operation: number, value: string | null) =>
  decideIncrementalAlter(image, {
    resourceType: ConfigResourceType.Broker,
    resourceName,
    changes: [{ name, operation, value }],
  });

Deno.test("broker config changes are decided for any registered broker, not only the controller", async (t) => {
  await t.step("every registered broker and the cluster default", () => {
    for (const name of ["", "1", "2", "3"]) {
      const decision = broker(name, "log.retention.bytes", ConfigOperation.SET, "5");
      assert.ok(!isRefusal(decision), `${name}: ${JSON.stringify(decision)}`);
      assert.deepEqual(decision.records.map((record) => "resourceName" in record && record.resourceName), [
        name,
      ]);
    }
  });
  await t.step("an id that names no broker, and a name that is not an id", () => {
    assert.deepEqual(broker("7", "log.retention.bytes", ConfigOperation.SET, "5"), {
      errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
      errorMessage: "No node with id 7 found.",
    });
    assert.equal(
      (broker("one", "log.retention.bytes", ConfigOperation.SET, "5") as { errorCode: number }).errorCode,
      ErrorCode.INVALID_REQUEST,
    );
  });
});

Deno.test("config changes are refused as Kafka refuses them", async (t) => {
  await t.step("APPEND and SUBTRACT only on lists", () => {
    assert.deepEqual(broker("1", "background.threads", ConfigOperation.APPEND, "2"), {
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: "Can't APPEND to key background.threads because its type is not LIST.",
    });
    assert.ok(!isRefusal(broker("", "log.cleanup.policy", ConfigOperation.APPEND, "compact")));
  });
  await t.step("null values only to DELETE, duplicate keys never", () => {
    assert.equal(
      (broker("1", "background.threads", ConfigOperation.SET, null) as { errorMessage: string }).errorMessage,
      "Null value not supported for : background.threads",
    );
    assert.ok(!isRefusal(broker("1", "background.threads", ConfigOperation.DELETE, null)));
    const legacy = decideAlter(image, {
      resourceType: ConfigResourceType.Broker,
      resourceName: "1",
      configs: [{ name: "background.threads", value: null }],
    });
    assert.ok(isRefusal(legacy) && legacy.errorCode === ErrorCode.INVALID_REQUEST);
    const duplicate = decideIncrementalAlter(image, {
      resourceType: ConfigResourceType.Broker,
      resourceName: "1",
      changes: [
        { name: "background.threads", operation: ConfigOperation.SET, value: "2" },
        { name: "background.threads", operation: ConfigOperation.SET, value: "3" },
      ],
    });
    assert.ok(isRefusal(duplicate) && duplicate.errorMessage === "Error due to duplicate config keys");
  });
});

Deno.test("topic changes are validated with the topic's other overrides, as Kafka validates them", () => {
  const topics = clusterImage([{ id: 1 }]);
  topics.apply({ type: MetadataRecordType.Topic, name: "lagged", topicId: new Uint8Array(16).fill(9) });
  topics.apply({
    type: MetadataRecordType.Config,
    resourceType: ConfigResourceType.Topic,
    resourceName: "lagged",
    name: "max.compaction.lag.ms",
    value: "1000",
  });
  // A key removed in Kafka 4, stored by an older version, does not block changes to the others.
  topics.apply({
    type: MetadataRecordType.Config,
    resourceType: ConfigResourceType.Topic,
    resourceName: "lagged",
    name: "message.format.version",
    value: "2.8",
  });
  const set = (name: string, value: string) =>
    decideIncrementalAlter(topics, {
      resourceType: ConfigResourceType.Topic,
      resourceName: "lagged",
      changes: [{ name, operation: ConfigOperation.SET, value }],
    });
  assert.deepEqual(set("min.compaction.lag.ms", "2000"), {
    errorCode: ErrorCode.INVALID_CONFIG,
    errorMessage: "conflict topic config setting min.compaction.lag.ms (2000) > max.compaction.lag.ms (1000)",
  });
  assert.ok(!isRefusal(set("min.compaction.lag.ms", "500")));
  assert.ok(isRefusal(set("message.format.version", "3.0")), "but it cannot be set again");
});
