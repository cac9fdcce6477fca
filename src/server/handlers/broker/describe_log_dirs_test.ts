import assert from "node:assert/strict";
import { BrokerConfig } from "../../../config/mod.ts";
import { decodeResponse, encodeResponse, ErrorCode } from "../../../protocol/mod.ts";
import { describeLogDirs } from "../../../protocol/messages/mod.ts";
import { fakeContext, fakeServices } from "../../_handler_test_support.ts";
import { replicatedPartition } from "../../_partition_test_support.ts";
import { describeLogDirsHandler } from "./describe_log_dirs.ts";

const config = new BrokerConfig(
  new Map([["node.id", "1"], ["process.roles", "broker"], ["log.dirs", "/var/kafka-logs"]]),
);

/** A leader with 5 records committed by follower 2; follower 3 (out of the ISR) has one of them. */
function cluster() {
  const replication = replicatedPartition([1, 2]);
  replication.produce(5);
  replication.replicate(2);
  replication.replicate(2);
  replication.replicate(3, 1);
  return replication;
}

function servicesOver(replicas: ReturnType<typeof cluster>["leader"][]) {
  return fakeServices({ settings: { config }, partitions: { replicas: () => replicas.values() } });
}

Deno.test("DescribeLogDirs: each replica's size and offset lag, in the configured log dir", async () => {
  const { leader, followers } = cluster();
  assert.equal(leader.highWatermark, 5);
  const follower3 = followers.get(3)!;
  const answer = await describeLogDirsHandler.handle(
    fakeContext(35, 4, servicesOver([leader, follower3])),
    { topics: null },
  );
  assert.equal(answer!.errorCode, ErrorCode.NONE);
  assert.equal(answer!.results.length, 1);
  const result = answer!.results[0]!;
  assert.equal(result.logDir, "/var/kafka-logs");
  assert.equal(result.totalBytes, -1);
  const partitions = result.topics[0]!.partitions;
  assert.equal(result.topics[0]!.name, "orders");
  // (Both replicas are orders-0 from two brokers, listed here as given.) The leader holds every committed record; follower 3 has 1 of the 5 its leader said were committed.
  assert.deepEqual(partitions.map((partition) => partition.offsetLag), [0, 4]);
  assert.equal(partitions[0]!.partitionSize, leader.log.sizeInBytes());
  assert.ok(partitions[0]!.partitionSize > partitions[1]!.partitionSize && partitions[1]!.partitionSize > 0);
  assert.ok(partitions.every((partition) => partition.isFutureKey === false));
});

Deno.test("DescribeLogDirs: a follower that caught up lags 0; named partitions not here are left out", async () => {
  const { followers } = cluster();
  const follower2 = followers.get(2)!;
  assert.equal(follower2.offsetLag, 0);
  const answer = await describeLogDirsHandler.handle(fakeContext(35, 1, servicesOver([follower2])), {
    topics: [{ topic: "orders", partitions: [0, 7] }, { topic: "other", partitions: [0] }],
  });
  assert.deepEqual(answer!.results[0]!.topics, [{
    name: "orders",
    partitions: [{
      partitionIndex: 0,
      partitionSize: follower2.sizeInBytes,
      offsetLag: 0,
      isFutureKey: false,
    }],
  }]);
  const none = await describeLogDirsHandler.handle(fakeContext(35, 2, servicesOver([follower2])), {
    topics: [{ topic: "other", partitions: [0] }],
  });
  assert.deepEqual(none!.results[0]!.topics, []);
});

Deno.test("DescribeLogDirs answers encode and decode at every version, v1-4", () => {
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    results: [{ errorCode: 0, logDir: "/d", topics: [], totalBytes: -1, usableBytes: -1 }],
  };
  for (const version of [1, 2, 3, 4]) {
    const chunks = encodeResponse(describeLogDirs, version, 7, body);
    const frame = new Uint8Array(chunks.slice(1).reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks.slice(1)) frame.set(chunk, (offset += chunk.length) - chunk.length);
    const decoded = decodeResponse(35, version, frame).body;
    assert.equal(decoded.results[0]!.logDir, "/d");
    assert.equal(decoded.results[0]!.totalBytes, -1);
  }
});
