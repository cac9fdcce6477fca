import assert from "node:assert/strict";
import { epochLookup } from "./_epoch_lookup_test_support.ts";
import { type FollowerFetchAnswer, type FollowerLog, FollowerState } from "./follower_state.ts";

const NONE = 0;
const OFFSET_OUT_OF_RANGE = 1;
const NOT_LEADER_OR_FOLLOWER = 6;
const FENCED_LEADER_EPOCH = 74;

/** A follower log with epoch 0 on [0, 10) and epoch 1 on [10, 15), high watermark 12. */
function followerLog(overrides: Partial<FollowerLog> = {}): FollowerLog {
  return {
    logStartOffset: 0,
    logEndOffset: 15,
    highWatermark: 12,
    endOffsetFor: epochLookup([[0, 0], [1, 10]], 15),
    ...overrides,
  };
}

function answer(overrides: Partial<FollowerFetchAnswer> = {}): FollowerFetchAnswer {
  return {
    errorCode: NONE,
    highWatermark: 14,
    logStartOffset: 0,
    divergingEpoch: null,
    records: null,
    ...overrides,
  };
}

const state = new FollowerState(1, 3);

Deno.test("a plain answer appends its records and carries the leader's high watermark and log start", () => {
  const records = new Uint8Array([1, 2, 3]);
  assert.deepEqual(state.onAnswer(answer({ records, highWatermark: 14, logStartOffset: 2 }), followerLog()), {
    kind: "append",
    records,
    highWatermark: 14,
    logStartOffset: 2,
  });
  const empty = state.onAnswer(answer(), followerLog());
  assert.equal(empty.kind, "append");
  assert.equal(empty.kind === "append" && empty.records.length, 0, "no records: append nothing");
});

Deno.test("a diverging epoch truncates the follower where the logs may differ", async (t) => {
  await t.step("same epoch, ending earlier on the leader", () => {
    const step = state.onAnswer(answer({ divergingEpoch: { epoch: 1, endOffset: 12 } }), followerLog());
    assert.deepEqual(step, { kind: "truncate", offset: 12 });
  });
  await t.step("an epoch the follower lacks: an intermediate cut at the end of its earlier epoch", () => {
    const log = followerLog({ logEndOffset: 25, endOffsetFor: epochLookup([[0, 0], [1, 10], [3, 20]], 25) });
    const step = state.onAnswer(answer({ divergingEpoch: { epoch: 2, endOffset: 18 } }), log);
    assert.deepEqual(step, { kind: "truncate", offset: 20 });
  });
  await t.step("records beside a diverging epoch are not appended", () => {
    const step = state.onAnswer(
      answer({ divergingEpoch: { epoch: 0, endOffset: 10 }, records: new Uint8Array([9]) }),
      followerLog(),
    );
    assert.deepEqual(step, { kind: "truncate", offset: 10 });
  });
});

Deno.test("a diverging epoch of -1 is no divergence", () => {
  const step = state.onAnswer(answer({ divergingEpoch: { epoch: -1, endOffset: -1 } }), followerLog());
  assert.equal(step.kind, "append");
});

Deno.test("offset out of range with the leader's log starting past our end restarts the log at the leader's start", () => {
  // A follower down long enough for retention to delete what it would fetch next.
  const step = state.onAnswer(answer({ errorCode: OFFSET_OUT_OF_RANGE, logStartOffset: 40 }), followerLog());
  assert.deepEqual(step, { kind: "restart-at", offset: 40 });
});

Deno.test("offset out of range with the leader's start within our log truncates to our high watermark", () => {
  // Our end is past the leader's (the leader could not tell by epochs): keep the committed part.
  const step = state.onAnswer(answer({ errorCode: OFFSET_OUT_OF_RANGE, logStartOffset: 5 }), followerLog());
  assert.deepEqual(step, { kind: "truncate", offset: 12 });
  const startedLater = followerLog({ logStartOffset: 13, highWatermark: 12 });
  assert.deepEqual(
    state.onAnswer(answer({ errorCode: OFFSET_OUT_OF_RANGE, logStartOffset: 15 }), startedLater),
    { kind: "truncate", offset: 15 },
    "never below where either log starts",
  );
  // Cut to the high watermark already and still out of range (an unclean election left the leader
  // shorter): the next cut goes back to where the leader's log starts, so the rounds make progress.
  const atHighWatermark = followerLog({ logEndOffset: 12, highWatermark: 12 });
  assert.deepEqual(
    state.onAnswer(answer({ errorCode: OFFSET_OUT_OF_RANGE, logStartOffset: 5 }), atHighWatermark),
    { kind: "truncate", offset: 5 },
  );
});

Deno.test("other errors back off without touching the log", () => {
  for (const errorCode of [NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH]) {
    assert.deepEqual(state.onAnswer(answer({ errorCode, records: new Uint8Array([1]) }), followerLog()), {
      kind: "back-off",
      errorCode,
    });
  }
});

Deno.test("a follower's high watermark is the leader's bounded by its own log end, down too (as Kafka's)", () => {
  assert.equal(FollowerState.highWatermark(14, 20, 0), 14);
  assert.equal(FollowerState.highWatermark(30, 20, 14), 20, "not past the follower's own log end");
  assert.equal(
    FollowerState.highWatermark(10, 20, 14),
    10,
    "a new leader's lower high watermark is taken (it learns the last one from the next fetches)",
  );
  assert.equal(FollowerState.highWatermark(14, 12, 12), 12);
});
