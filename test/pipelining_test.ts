/**
 * Pipelined requests on one connection against a real node: responses come
 * back in request order even when an earlier request (a long-poll Fetch)
 * finishes last, and an append wakes a waiting Fetch at once.
 */
import assert from "node:assert/strict";
import { buildBatch } from "../src/protocol/mod.ts";
import { NodeProcess } from "./support/node_process.ts";
import { connectClient } from "./support/raw_kafka.ts";

const encoder = new TextEncoder();

Deno.test("pipelined responses keep request order and an append wakes a long-poll fetch", async () => {
  const node = await new NodeProcess().start();
  const client = await connectClient(node.port);
  try {
    const created = await client.request(19, 7, {
      topics: [{ name: "pipe", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(created.topics[0]!.errorCode, 0);
    const order: string[] = [];
    const fetchStarted = Date.now();
    const fetch = client.request(1, 12, {
      maxWaitMs: 20000,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: "pipe", partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: "",
    }).then((response) => {
      order.push("fetch");
      return response;
    });
    const versions = client.request(18, 3, { clientSoftwareName: "test", clientSoftwareVersion: "1" }).then(
      () => {
        order.push("apiVersions");
      },
    );
    const batch = buildBatch({
      records: [{ timestamp: Date.now(), key: null, value: encoder.encode("wake up") }],
    });
    const produced = client.request(0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: "pipe", partitionData: [{ index: 0, records: batch }] }],
    }).then((response) => {
      order.push("produce");
      return response;
    });
    const [fetched, , produceResponse] = await Promise.all([fetch, versions, produced]);
    assert.deepEqual(order, ["fetch", "apiVersions", "produce"]);
    assert.equal(produceResponse.responses[0]!.partitionResponses[0]!.errorCode, 0);
    // The fetch ahead of the produce in the pipeline was woken by the append, long before its 20 s wait.
    const partition = fetched.responses[0]!.partitions[0]!;
    assert.equal(partition.errorCode, 0);
    assert.ok(
      partition.records !== null && partition.records.length > 0,
      "the woken fetch returned the appended batch",
    );
    assert.ok(Date.now() - fetchStarted < 15000, "the fetch waited for its whole maxWaitMs");
  } finally {
    client.close();
    await node.dispose();
  }
});

Deno.test("a failed acks=0 produce closes the connection, as Kafka does, and the node keeps serving", async () => {
  const node = await new NodeProcess({ overrides: { "auto.create.topics.enable": "false" } }).start();
  try {
    const client = await connectClient(node.port);
    const batch = buildBatch({
      records: [{ timestamp: Date.now(), key: null, value: encoder.encode("lost") }],
    });
    await client.send(0, 9, {
      transactionalId: null,
      acks: 0,
      timeoutMs: 5000,
      topicData: [{ name: "no-such-topic", partitionData: [{ index: 0, records: batch }] }],
    });
    await assert.rejects(
      client.request(18, 3, { clientSoftwareName: "test", clientSoftwareVersion: "1" }),
      "the connection was not closed",
    );
    client.close();
    const fresh = await connectClient(node.port);
    const versions = await fresh.request(18, 3, { clientSoftwareName: "test", clientSoftwareVersion: "1" });
    assert.equal(versions.errorCode, 0);
    fresh.close();
  } finally {
    await node.dispose();
  }
});
