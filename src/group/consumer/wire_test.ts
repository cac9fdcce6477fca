import assert from "node:assert/strict";
import { decodeFields, encodeFields, type Field, type Message, Reader, Writer } from "../../protocol/mod.ts";
import { consumerGroupDescribe, consumerGroupHeartbeat } from "../../protocol/messages/mod.ts";
import type { ConsumerGroupHeartbeatRequest } from "./heartbeat_types.ts";
import { context, joinRequest, makeCoordinator, topicSource } from "./test_helpers.ts";

function roundTrip(fields: readonly Field[], version: number, value: object): Message {
  const writer = new Writer(256);
  encodeFields(writer, fields, version, true, value as Message);
  return decodeFields(new Reader(writer.finish()), fields, version, true);
}

const topics = topicSource({ foo: 3 });

Deno.test("decoded heartbeat requests of both versions drive the coordinator", () => {
  for (const version of [0, 1]) {
    const coordinator = makeCoordinator();
    const request = roundTrip(consumerGroupHeartbeat.request, version, joinRequest("member", ["foo"]));
    const { response } = coordinator.heartbeat(
      request as ConsumerGroupHeartbeatRequest,
      context(0, topics, version),
    );
    assert.equal(response.errorCode, 0);
    assert.equal(response.memberEpoch, 1);
  }
});

Deno.test("heartbeat and describe responses encode with the message schemas", () => {
  const coordinator = makeCoordinator();
  const { response } = coordinator.heartbeat(joinRequest("member", ["foo"]), context(0, topics));
  for (const version of [0, 1]) {
    assert.deepEqual(roundTrip(consumerGroupHeartbeat.response, version, response), { ...response });
    const groups = coordinator.describe(["group", "missing"], topics);
    const decoded = roundTrip(consumerGroupDescribe.response, version, { throttleTimeMs: 0, groups });
    const expected = version === 0
      ? groups.map((group) => ({
        ...group,
        members: group.members.map((member) => ({ ...member, memberType: -1 })),
      }))
      : groups;
    assert.deepEqual(JSON.stringify(decoded.groups), JSON.stringify(expected));
  }
});
