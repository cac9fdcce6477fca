/**
 * The coordinator's request and response types (`requests.ts`,
 * `responses.ts`, `consumer/heartbeat_types.ts`) agree with the message
 * schemas, checked by the compiler (`deno check`): a decoded request (newest
 * version) is what the coordinator takes, and what it answers is what the
 * encoder takes, so a field misspelt on either side stops compiling. A failing
 * check names the pair in the error.
 */
import assert from "node:assert/strict";
import type { ElementOf, RequestOf, ResponseInput, UnknownFields } from "../protocol/mod.ts";
import type {
  consumerGroupDescribe,
  consumerGroupHeartbeat,
  deleteGroups,
  describeGroups,
  heartbeat,
  joinGroup,
  leaveGroup,
  listGroups,
  offsetCommit,
  offsetDelete,
  offsetFetch,
  syncGroup,
} from "../protocol/messages/mod.ts";
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribedGroup as ConsumerDescribedGroup,
} from "./consumer/mod.ts";
import type {
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetFetchGroupRequest,
  SyncGroupRequest,
} from "./requests.ts";
import type {
  DeleteGroupsResult,
  DescribedGroup,
  HeartbeatResponse,
  JoinGroupResponse,
  LeaveGroupResponse,
  ListGroupsResponse,
  OffsetCommitResponse,
  OffsetDeleteResponse,
  OffsetFetchGroupResponse,
  SyncGroupResponse,
} from "./responses.ts";

/** Compiles only when `From` is assignable to `To`. */
function expectAssignable<From extends To, To>(): void {}

/**
 * Compiles only when `From` fits the message shape `To`: assignable, and
 * without a field `To` lacks (a misspelt one); the error names such fields.
 */
function expectFits<From extends To, To>(
  ..._noUnknownFields: [UnknownFields<From, To>] extends [never] ? []
    : [unknownFields: UnknownFields<From, To>]
): void {}

// Decoded requests are what the coordinator takes.
expectAssignable<RequestOf<typeof joinGroup>, JoinGroupRequest>();
expectAssignable<RequestOf<typeof syncGroup>, SyncGroupRequest>();
expectAssignable<RequestOf<typeof heartbeat>, HeartbeatRequest>();
expectAssignable<RequestOf<typeof leaveGroup>, LeaveGroupRequest>();
expectAssignable<RequestOf<typeof offsetCommit>, OffsetCommitRequest>();
expectAssignable<ElementOf<RequestOf<typeof offsetFetch>["groups"]>, OffsetFetchGroupRequest>();
expectAssignable<RequestOf<typeof offsetDelete>, OffsetDeleteRequest>();
expectAssignable<RequestOf<typeof consumerGroupHeartbeat>, ConsumerGroupHeartbeatRequest>();

// What the coordinator answers is what the encoder takes.
expectFits<JoinGroupResponse, ResponseInput<typeof joinGroup>>();
expectFits<SyncGroupResponse, ResponseInput<typeof syncGroup>>();
expectFits<HeartbeatResponse, ResponseInput<typeof heartbeat>>();
expectFits<LeaveGroupResponse, ResponseInput<typeof leaveGroup>>();
expectFits<OffsetCommitResponse, ResponseInput<typeof offsetCommit>>();
expectFits<OffsetFetchGroupResponse, ElementOf<ResponseInput<typeof offsetFetch>["groups"]>>();
// The handler adds the throttle time, which OffsetDelete has in every version.
expectFits<OffsetDeleteResponse, Omit<ResponseInput<typeof offsetDelete>, "throttleTimeMs">>();
expectFits<DeleteGroupsResult, ElementOf<ResponseInput<typeof deleteGroups>["results"]>>();
expectFits<ListGroupsResponse, ResponseInput<typeof listGroups>>();
expectFits<DescribedGroup, ElementOf<ResponseInput<typeof describeGroups>["groups"]>>();
expectFits<ConsumerGroupHeartbeatResponse, ResponseInput<typeof consumerGroupHeartbeat>>();
expectFits<ConsumerDescribedGroup, ElementOf<ResponseInput<typeof consumerGroupDescribe>["groups"]>>();

Deno.test("the coordinator's wire types are checked against the schemas at compile time", () => {
  assert.equal(typeof expectAssignable, "function");
  assert.equal(typeof expectFits, "function");
});
