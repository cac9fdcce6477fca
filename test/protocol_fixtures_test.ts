/**
 * Decodes bytes that other implementations wrote: kafkajs's protocol test
 * fixtures (request bodies kafkajs encodes, response bodies captured from real
 * brokers) and packet captures of real Kafka traffic. Every message must
 * decode with no byte left over, re-encode to the very same bytes, and carry
 * the values the fixture's own tests (or the capture's summary) state.
 */
import assert from "node:assert/strict";
import {
  API_SCHEMAS,
  decodeFields,
  decodeRequestBody,
  encodeFields,
  encodeRequest,
  encodeResponse,
  isFlexible,
  type Message,
  ProtocolError,
  Reader,
  readRequestHeader,
  type RequestHeader,
  responseHeaderIsFlexible,
  skipTaggedFields,
  Writer,
} from "../src/protocol/mod.ts";
import { readPcap, reassembleTcpStreams, splitKafkaFrames } from "./support/pcap.ts";

const KAFKAJS_ROOT = new URL("./fixtures/kafkajs-protocol-bytes/src/protocol/requests/", import.meta.url);
const PCAP_ROOT = new URL("./fixtures/kafka-pcaps/", import.meta.url);

type Kind = "request" | "response";

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

// ---------------------------------------------------------------- kafkajs

/** kafkajs's folder name of each API Dafka describes. */
const KAFKAJS_API_KEYS: Record<string, number> = {
  produce: 0,
  fetch: 1,
  listOffsets: 2,
  metadata: 3,
  offsetCommit: 8,
  offsetFetch: 9,
  findCoordinator: 10,
  joinGroup: 11,
  heartbeat: 12,
  leaveGroup: 13,
  syncGroup: 14,
  describeGroups: 15,
  apiVersions: 18,
  createTopics: 19,
  deleteTopics: 20,
  deleteRecords: 21,
  initProducerId: 22,
  describeConfigs: 32,
  alterConfigs: 33,
  createPartitions: 37,
};

/**
 * kafkajs's tests also read some fixtures at a later version whose layout is
 * the same; those pairs are decoded at that version too.
 */
const LATER_VERSIONS: { folder: string; file: string; version: number }[] = [
  { folder: "alterConfigs", file: "v0_request.json", version: 1 },
  { folder: "alterConfigs", file: "v0_response.json", version: 1 },
  { folder: "apiVersions", file: "v1_response.json", version: 2 },
  { folder: "createTopics", file: "v2_request.json", version: 3 },
  { folder: "createTopics", file: "v2_response.json", version: 3 },
  { folder: "describeConfigs", file: "v1_request.json", version: 2 },
  { folder: "describeConfigs", file: "v1_response.json", version: 2 },
  { folder: "describeGroups", file: "v1_request.json", version: 2 },
  { folder: "describeGroups", file: "v1_response.json", version: 2 },
  { folder: "findCoordinator", file: "v1_request.json", version: 2 },
  { folder: "findCoordinator", file: "v1_response.json", version: 2 },
  { folder: "heartbeat", file: "v1_request.json", version: 2 },
  { folder: "initProducerId", file: "v0_request.json", version: 1 },
  { folder: "initProducerId", file: "v0_response.json", version: 1 },
  { folder: "joinGroup", file: "v2_request.json", version: 3 },
  { folder: "joinGroup", file: "v2_response.json", version: 4 },
  { folder: "listOffsets", file: "v2_request.json", version: 3 },
  { folder: "listOffsets", file: "v2_response.json", version: 3 },
  { folder: "metadata", file: "v5_response.json", version: 6 },
  { folder: "metadata", file: "v5_offline_replicas_response.json", version: 6 },
  { folder: "offsetFetch", file: "v3_request.json", version: 4 },
  { folder: "offsetFetch", file: "v3_response.json", version: 4 },
];

/** A response from a broker that answered v1 in the v0 layout; checked on its own below. */
const V0_LAYOUT_AS_V1 = "v1_response_missing_throttle_time.json";

function kafkajsBytes(folder: string, file: string): Uint8Array {
  const json = JSON.parse(Deno.readTextFileSync(new URL(`${folder}/fixtures/${file}`, KAFKAJS_ROOT)));
  return Uint8Array.from(json.data as number[]);
}

/** The version and direction of a fixture named like `v3_response_gzip.json`, or null for other payloads. */
function kafkajsFixtureKind(file: string): { version: number; kind: Kind } | null {
  const version = file.match(/^v(\d+)_/);
  if (!version) return null;
  if (file.includes("request")) return { version: Number(version[1]), kind: "request" };
  if (file.includes("response")) return { version: Number(version[1]), kind: "response" };
  return null;
}

/** Decodes a request or response body; every byte must be used and re-encoding must give the same bytes. */
function decodeBody(apiKey: number, version: number, kind: Kind, bytes: Uint8Array): Message {
  const schema = API_SCHEMAS.get(apiKey)!;
  const fields = kind === "request" ? schema.request : schema.response;
  const flexible = isFlexible(schema, version);
  const reader = new Reader(bytes);
  const body = decodeFields(reader, fields, version, flexible);
  assert.equal(reader.remaining, 0, "bytes left after the body");
  const writer = new Writer();
  encodeFields(writer, fields, version, flexible, body);
  assert.ok(sameBytes(writer.finish(), bytes), "re-encoding gives other bytes");
  return body;
}

function kafkajsBody(folder: string, file: string, version?: number): Message {
  const parsed = kafkajsFixtureKind(file)!;
  return decodeBody(
    KAFKAJS_API_KEYS[folder]!,
    version ?? parsed.version,
    parsed.kind,
    kafkajsBytes(folder, file),
  );
}

Deno.test("kafkajs request and response bodies decode and re-encode byte for byte", async (t) => {
  for (const folder of Object.keys(KAFKAJS_API_KEYS)) {
    await t.step(folder, () => {
      let decoded = 0;
      for (const entry of Deno.readDirSync(new URL(`${folder}/fixtures/`, KAFKAJS_ROOT))) {
        if (!kafkajsFixtureKind(entry.name) || entry.name === V0_LAYOUT_AS_V1) continue;
        try {
          kafkajsBody(folder, entry.name);
        } catch (error) {
          throw new Error(`${folder}/${entry.name}: ${(error as Error).message}`);
        }
        decoded++;
      }
      assert.ok(decoded > 0);
      for (const later of LATER_VERSIONS.filter((item) => item.folder === folder)) {
        kafkajsBody(folder, later.file, later.version);
      }
    });
  }
});

Deno.test("kafkajs fixtures decode to the values kafkajs's tests expect", async (t) => {
  await t.step("Produce v3", () => {
    const request = kafkajsBody("produce", "v3_request.json");
    assert.equal(request.transactionalId, null);
    assert.equal(request.acks, -1);
    assert.equal(request.timeoutMs, 30000);
    assert.equal(request.topicData[0].name, "test-topic-ebba68879c6f5081d8c2");
    const partition = request.topicData[0].partitionData[0];
    assert.equal(partition.index, 0);
    assert.equal(partition.records[16], 2, "a record batch of magic 2");
    const response = kafkajsBody("produce", "v3_response.json");
    assert.deepStrictEqual(response.responses[0].partitionResponses[0], {
      index: 0,
      errorCode: 0,
      baseOffset: 0,
      logAppendTimeMs: -1,
      logStartOffset: -1,
      recordErrors: [],
      errorMessage: null,
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
    });
    assert.equal(response.throttleTimeMs, 0);
  });

  await t.step("Fetch v11", () => {
    const request = kafkajsBody("fetch", "v11_request.json");
    assert.equal(request.replicaId, -1);
    assert.equal(request.maxWaitMs, 100);
    assert.equal(request.minBytes, 1);
    assert.equal(request.maxBytes, 10485760);
    assert.equal(request.rackId, "rack1");
    const topicName = "test-topic-2077b9d2b36c4082e594-4020-b5a52b27-56df-4b87-800d-82c1cf26317d";
    assert.equal(request.topics[0].topic, topicName);
    assert.deepStrictEqual(request.topics[0].partitions[0], {
      partition: 0,
      currentLeaderEpoch: -1,
      fetchOffset: 0,
      lastFetchedEpoch: -1,
      logStartOffset: -1,
      partitionMaxBytes: 1048576,
    });
    const response = kafkajsBody("fetch", "v11_response.json");
    assert.equal(response.errorCode, 0);
    assert.equal(response.sessionId, 0);
    assert.equal(response.responses[0].topic, topicName);
    const partition = response.responses[0].partitions[0];
    assert.equal(partition.highWatermark, 3);
    assert.equal(partition.lastStableOffset, 3);
    assert.equal(partition.logStartOffset, 0);
    assert.equal(partition.preferredReadReplica, 0);
    assert.deepStrictEqual(partition.abortedTransactions, []);
    assert.equal(partition.records[16], 2, "a record batch of magic 2");
  });

  await t.step("Metadata v5 with offline replicas", () => {
    const response = kafkajsBody("metadata", "v5_offline_replicas_response.json");
    assert.deepStrictEqual(response.brokers, [
      { nodeId: 1, host: "10.3.223.121", port: 9095, rack: null },
      { nodeId: 0, host: "10.3.223.121", port: 9092, rack: null },
    ]);
    assert.equal(response.clusterId, "tDr4DgFsS96sOEZu6e-N-Q");
    assert.equal(response.controllerId, 1);
    assert.equal(response.topics[0].name, "topic-test");
    assert.equal(response.topics[0].isInternal, false);
    const offline = response.topics[0].partitions[0];
    assert.equal(offline.errorCode, 5);
    assert.equal(offline.partitionIndex, 2);
    assert.equal(offline.leaderId, -1);
    assert.deepStrictEqual(offline.replicaNodes, [2]);
    assert.deepStrictEqual(offline.isrNodes, []);
    assert.deepStrictEqual(offline.offlineReplicas, [2]);
  });

  await t.step("ListOffsets v2 and OffsetFetch v3", () => {
    const offsets = kafkajsBody("listOffsets", "v2_response.json");
    assert.deepStrictEqual(offsets.topics[0].partitions[0], {
      partitionIndex: 0,
      errorCode: 0,
      oldStyleOffsets: [],
      timestamp: -1,
      offset: 1,
      leaderEpoch: -1,
    });
    const committed = kafkajsBody("offsetFetch", "v3_response.json");
    assert.equal(committed.errorCode, 0);
    assert.deepStrictEqual(committed.topics[0].partitions[0], {
      partitionIndex: 0,
      committedOffset: -1,
      committedLeaderEpoch: -1,
      metadata: "",
      errorCode: 0,
    });
  });

  await t.step("JoinGroup v5 and SyncGroup v3", () => {
    const assignerMetadata = kafkajsBytes("joinGroup", "v2_assignerMetadata.json");
    const request = kafkajsBody("joinGroup", "v5_request.json");
    assert.equal(request.sessionTimeoutMs, 30000);
    assert.equal(request.rebalanceTimeoutMs, 60000);
    assert.equal(request.memberId, "");
    assert.equal(request.groupInstanceId, "group-instance-id");
    assert.equal(request.protocolType, "consumer");
    assert.equal(request.protocols[0].name, "AssignerName");
    assert.deepStrictEqual(request.protocols[0].metadata, assignerMetadata);
    const response = kafkajsBody("joinGroup", "v5_response.json");
    assert.equal(response.errorCode, 0);
    assert.equal(response.generationId, 1);
    assert.equal(response.protocolName, "AssignerName");
    assert.equal(response.leader, response.memberId);
    assert.equal(response.members[0].groupInstanceId, "group-instance-id");
    assert.deepStrictEqual(response.members[0].metadata, assignerMetadata);
    const sync = kafkajsBody("syncGroup", "v3_response.json");
    assert.equal(sync.errorCode, 0);
    assert.deepStrictEqual(sync.assignment, kafkajsBytes("syncGroup", "v1_memberAssignment.json"));
  });

  await t.step("OffsetCommit v5 and LeaveGroup v3", () => {
    const commit = kafkajsBody("offsetCommit", "v5_request.json");
    assert.equal(commit.generationIdOrMemberEpoch, 1);
    assert.deepStrictEqual(commit.topics[0].partitions[0], {
      partitionIndex: 0,
      committedOffset: 0,
      committedLeaderEpoch: -1,
      commitTimestamp: -1,
      committedMetadata: null,
    });
    const withMetadata = kafkajsBody("offsetCommit", "v5_request_metadata.json");
    assert.equal(withMetadata.topics[0].partitions[0].committedMetadata, "test");
    const leave = kafkajsBody("leaveGroup", "v3_response.json");
    assert.deepStrictEqual(leave.members, [
      { memberId: "test-42962f68-e801-4cd8-b359-2d862ebb4d05", groupInstanceId: null, errorCode: 0 },
    ]);
  });

  await t.step("FindCoordinator v1, InitProducerId v0, DeleteRecords v0", () => {
    const coordinator = kafkajsBody("findCoordinator", "v1_response.json");
    assert.equal(coordinator.errorCode, 0);
    assert.equal(coordinator.errorMessage, null);
    assert.equal(coordinator.nodeId, 2);
    assert.equal(coordinator.host, "192.168.50.211");
    assert.equal(coordinator.port, 9098);
    const unsupported = kafkajsBody("findCoordinator", "v1_response_version_error.json");
    assert.equal(unsupported.errorCode, 35, "UNSUPPORTED_VERSION");
    const producer = kafkajsBody("initProducerId", "v0_response.json");
    assert.equal(producer.producerId, 1006);
    assert.equal(producer.producerEpoch, 0);
    const deleted = kafkajsBody("deleteRecords", "v0_response.json");
    assert.equal(deleted.topics[0].partitions[0].lowWatermark, 7);
    assert.equal(deleted.topics[0].partitions[0].errorCode, 0);
  });

  await t.step("CreatePartitions v1 and DescribeConfigs v1", () => {
    const created = kafkajsBody("createPartitions", "v1_response.json");
    assert.equal(created.results.length, 2);
    for (const result of created.results) {
      assert.equal(result.errorCode, 0);
      assert.equal(result.errorMessage, null);
    }
    const described = kafkajsBody("describeConfigs", "v1_request.json");
    assert.equal(described.includeSynonyms, true);
    assert.deepStrictEqual(described.resources, [
      {
        resourceType: 2,
        resourceName: "topic-test1",
        configurationKeys: ["compression.type", "retention.ms"],
      },
    ]);
  });

  await t.step("ApiVersions v1, and a v1 answer in the v0 layout", () => {
    const versions = kafkajsBody("apiVersions", "v1_response.json");
    assert.equal(versions.apiKeys.length, 34);
    assert.deepStrictEqual(versions.apiKeys[0], { apiKey: 0, minVersion: 0, maxVersion: 3 });
    assert.equal(versions.throttleTimeMs, 0);
    const short = kafkajsBytes("apiVersions", V0_LAYOUT_AS_V1);
    assert.throws(() => decodeBody(18, 1, "response", short), ProtocolError);
    assert.equal(decodeBody(18, 0, "response", short).errorCode, 0);
  });
});

// ---------------------------------------------------------------- packet captures

/** The capture's broker ports (ORIGIN.txt); the other side of each connection is a client. */
const BROKER_PORTS = new Set([9092, 36333]);

interface Exchange {
  header: RequestHeader;
  request: Message;
  response: Message | null;
}

function decodeRequestFrame(frame: Uint8Array): { header: RequestHeader; body: Message } {
  const reader = new Reader(frame);
  const header = readRequestHeader(reader);
  const schema = API_SCHEMAS.get(header.apiKey);
  assert.ok(schema, `api key ${header.apiKey} is described`);
  if (isFlexible(schema, header.apiVersion)) skipTaggedFields(reader);
  const body = decodeRequestBody(schema, header.apiVersion, reader);
  assert.equal(reader.remaining, 0, "bytes left after the request");
  assert.ok(sameBytes(encodeRequest(header, body).subarray(4), frame), "re-encoding gives other bytes");
  return { header, body };
}

function decodeResponseFrame(header: RequestHeader, frame: Uint8Array): Message {
  const schema = API_SCHEMAS.get(header.apiKey)!;
  const reader = new Reader(frame);
  assert.equal(reader.int32(), header.correlationId);
  if (responseHeaderIsFlexible(schema, header.apiVersion)) skipTaggedFields(reader);
  const body = decodeFields(
    reader,
    schema.response,
    header.apiVersion,
    isFlexible(schema, header.apiVersion),
  );
  assert.equal(reader.remaining, 0, "bytes left after the response");
  const again = concat(encodeResponse(schema, header.apiVersion, header.correlationId, body)).subarray(4);
  assert.ok(sameBytes(again, frame), "re-encoding gives other bytes");
  return body;
}

/** Every request in a capture with its response (matched by correlation id), in request order. */
function exchangesOf(file: string): Exchange[] {
  const capture = readPcap(Deno.readFileSync(new URL(file, PCAP_ROOT)));
  const streams = reassembleTcpStreams(capture);
  const exchanges = new Map<string, Exchange>();
  for (const stream of streams.filter((candidate) => BROKER_PORTS.has(candidate.destinationPort))) {
    const { frames, rest } = splitKafkaFrames(stream.bytes);
    assert.equal(rest.length, 0, "a request frame is cut short");
    for (const frame of frames) {
      const { header, body } = decodeRequestFrame(frame);
      const connection = `${stream.source}:${stream.sourcePort}`;
      exchanges.set(`${connection}#${header.correlationId}`, { header, request: body, response: null });
    }
  }
  for (const stream of streams.filter((candidate) => BROKER_PORTS.has(candidate.sourcePort))) {
    const { frames, rest } = splitKafkaFrames(stream.bytes);
    assert.equal(rest.length, 0, "a response frame is cut short");
    for (const frame of frames) {
      const correlationId = new DataView(frame.buffer, frame.byteOffset).getInt32(0);
      const exchange = exchanges.get(`${stream.destination}:${stream.destinationPort}#${correlationId}`);
      assert.ok(exchange, `a request for response ${correlationId}`);
      exchange.response = decodeResponseFrame(exchange.header, frame);
    }
  }
  return [...exchanges.values()];
}

/** The one exchange of a capture of one request and its response. */
function onlyExchange(file: string): { header: RequestHeader; request: Message; response: Message } {
  const exchanges = exchangesOf(file);
  assert.equal(exchanges.length, 1);
  const [exchange] = exchanges;
  assert.ok(exchange?.response);
  return { header: exchange.header, request: exchange.request, response: exchange.response };
}

Deno.test("every frame of the packet captures decodes and re-encodes byte for byte", async (t) => {
  for (const entry of Deno.readDirSync(PCAP_ROOT)) {
    if (!entry.name.endsWith(".pcap")) continue;
    await t.step(entry.name, () => {
      const exchanges = exchangesOf(entry.name);
      assert.ok(exchanges.length > 0);
      for (const exchange of exchanges) assert.ok(exchange.response, "every request was answered");
    });
  }
});

Deno.test("captured Produce requests and responses carry the captured values", async (t) => {
  await t.step("v2 from the console producer (message set)", () => {
    const { header, request, response } = onlyExchange("00-produce-v2.pcap");
    assert.deepStrictEqual(header, {
      apiKey: 0,
      apiVersion: 2,
      correlationId: 1,
      clientId: "console-producer",
    });
    assert.equal(request.acks, 1);
    assert.equal(request.topicData[0].name, "topic2");
    assert.equal(request.topicData[0].partitionData[0].index, 0);
    assert.equal(request.topicData[0].partitionData[0].records[16], 1, "a message set of magic 1");
    const partition = response.responses[0].partitionResponses[0];
    assert.equal(partition.errorCode, 0);
    assert.equal(partition.baseOffset, 0);
  });
  await t.step("v7 from kafka-python", () => {
    const { header, request, response } = onlyExchange("00-produce-v7-sw8.pcap");
    assert.equal(header.clientId, "kafka-python-producer-1");
    assert.equal(request.topicData[0].name, "quickstart-events");
    const partition = response.responses[0].partitionResponses[0];
    assert.equal(partition.errorCode, 0);
    assert.equal(partition.baseOffset, 7);
    assert.equal(partition.logStartOffset, 0);
  });
  await t.step("v9 (flexible)", () => {
    const { header, request, response } = onlyExchange("00-produce-v9.pcap");
    assert.equal(header.correlationId, 47);
    assert.equal(request.topicData[0].name, "zqy-test");
    assert.equal(request.topicData[0].partitionData[0].records[16], 2, "a record batch of magic 2");
    const partition = response.responses[0].partitionResponses[0];
    assert.equal(partition.baseOffset, 35);
    assert.equal(partition.logStartOffset, 16);
  });
});

Deno.test("captured Fetch v12/v13 exchanges carry the captured values", async (t) => {
  await t.step("a full fetch of one partition", () => {
    const { header, request, response } = onlyExchange("01-fetch-v12-ok.pcap");
    assert.equal(header.correlationId, 15603);
    assert.equal(request.replicaId, -1);
    assert.equal(request.topics[0].topic, "zqy-test");
    assert.equal(request.topics[0].partitions[0].fetchOffset, 36);
    assert.equal(request.topics[0].partitions[0].partitionMaxBytes, 1048576);
    assert.equal(response.errorCode, 0);
    assert.equal(response.sessionId, request.sessionId);
  });
  await t.step("an incremental fetch with no changed partition", () => {
    const { request, response } = onlyExchange("01-fetch-v12-perf.pcap");
    assert.deepStrictEqual(request.topics, []);
    assert.equal(request.sessionEpoch, 9);
    assert.equal(response.errorCode, 0);
  });
  await t.step("an error code Kafka does not define passes through", () => {
    const { response } = onlyExchange("01-fetch-v12-unknown.pcap");
    assert.equal(response.errorCode, 5120);
  });
  await t.step("Fetch v13, OffsetCommit v8 and Heartbeat v4 of one consumer", () => {
    const exchanges = exchangesOf("mixed-with-unsupported.pcap");
    assert.deepStrictEqual(
      exchanges.map((exchange) => [exchange.header.apiKey, exchange.header.apiVersion]),
      [
        [1, 13],
        [8, 8],
        [12, 4],
      ],
    );
    const [, commit, heartbeat] = exchanges;
    assert.equal(commit!.request.groupId, "frauddetectionservice");
    assert.equal(commit!.request.topics[0].name, "orders");
    assert.deepStrictEqual(commit!.response!.topics[0].partitions, [{ partitionIndex: 0, errorCode: 0 }]);
    assert.equal(heartbeat!.request.generationId, 1);
    assert.equal(heartbeat!.response!.errorCode, 0);
  });
});

Deno.test("captured group and ApiVersions exchanges carry the captured values", async (t) => {
  await t.step("JoinGroup v7", () => {
    const { request, response } = onlyExchange("11-join-group-v7.pcap");
    assert.equal(request.groupId, "zzzz12");
    assert.equal(request.sessionTimeoutMs, 45000);
    assert.equal(request.rebalanceTimeoutMs, 300000);
    assert.deepStrictEqual(request.protocols.map((protocol: Message) => protocol.name), [
      "range",
      "cooperative-sticky",
    ]);
    assert.equal(response.errorCode, -1);
    assert.equal(response.protocolType, null);
    assert.equal(response.memberId, "consumer-zzzz12-1-d8e04a09-9f69-4efe-8f78-617db03d8090");
  });
  await t.step("SyncGroup v5", () => {
    const { request, response } = onlyExchange("14-sync-group-v5.pcap");
    assert.equal(request.generationId, 7);
    assert.equal(request.protocolType, "consumer");
    assert.equal(request.protocolName, "range");
    assert.equal(response.protocolName, "range");
    assert.deepStrictEqual(response.assignment, request.assignments[0].assignment);
  });
  await t.step("LeaveGroup v4", () => {
    const { request, response } = onlyExchange("13-leave-group-v4.pcap");
    const memberId = "consumer-zzzz12-1-a8623cc8-5472-4736-812e-d9817d27dfca";
    assert.deepStrictEqual(request.members, [{ memberId, groupInstanceId: null, reason: null }]);
    assert.equal(response.errorCode, 0);
    assert.deepStrictEqual(response.members, [{ memberId, groupInstanceId: null, errorCode: 0 }]);
  });
  await t.step("ApiVersions v3 (response header v0)", () => {
    const { request, response } = onlyExchange("18-api-versions-v3.pcap");
    assert.equal(request.clientSoftwareName, "apache-kafka-java");
    assert.equal(request.clientSoftwareVersion, "3.0.0");
    assert.equal(response.errorCode, 0);
    const apiVersions = response.apiKeys.find((api: Message) => api.apiKey === 18);
    assert.deepStrictEqual(apiVersions, { apiKey: 18, minVersion: 0, maxVersion: 3 });
  });
});
