import assert from "node:assert/strict";
import { epochEntries, epochLookup, lookupOf, recordEpochs } from "./_epoch_lookup_test_support.ts";
import { divergingEpoch, type EpochLookup, truncationOffset, UNDEFINED_EPOCH } from "./divergence.ts";

// The leader's log in these tests: epoch 0 on [0, 10), epoch 2 on [10, 20).
const leader = epochLookup([[0, 0], [2, 10]], 20);

Deno.test("a follower that sent no last fetched epoch never diverges", () => {
  assert.equal(divergingEpoch(0, UNDEFINED_EPOCH, leader), null);
  assert.equal(
    divergingEpoch(25, UNDEFINED_EPOCH, leader),
    null,
    "an end past the leader's is out of range instead",
  );
});

Deno.test("a follower whose log is a prefix of the leader's does not diverge", async (t) => {
  await t.step("inside the leader's current epoch", () => {
    assert.equal(divergingEpoch(15, 2, leader), null);
    assert.equal(divergingEpoch(20, 2, leader), null, "at the leader's end");
  });
  await t.step("inside an older epoch, up to where it ends on the leader", () => {
    assert.equal(divergingEpoch(4, 0, leader), null);
    assert.equal(divergingEpoch(10, 0, leader), null, "the whole of epoch 0");
  });
});

Deno.test("a follower with an epoch the leader never had diverges at the leader's epoch below it", () => {
  // The follower wrote epoch 1 as a leader nobody followed: the leader has
  // epoch 0 up to 10 and then its own epoch 2.
  assert.deepEqual(divergingEpoch(14, 1, leader), { epoch: 0, endOffset: 10 });
  assert.deepEqual(divergingEpoch(10, 1, leader), { epoch: 0, endOffset: 10 });
});

Deno.test("a follower whose epoch ends earlier on the leader diverges at the leader's end of it", () => {
  const leaderWithShortEpoch = epochLookup([[0, 0], [1, 10], [3, 12]], 30);
  assert.deepEqual(divergingEpoch(15, 1, leaderWithShortEpoch), { epoch: 1, endOffset: 12 });
  assert.equal(divergingEpoch(12, 1, leaderWithShortEpoch), null, "ending where the leader's epoch 1 ends");
});

Deno.test("a follower past the leader's end in the leader's own epoch diverges at the leader's end", () => {
  assert.deepEqual(divergingEpoch(25, 2, leader), { epoch: 2, endOffset: 20 });
});

Deno.test("the follower cuts at the smaller end when it has the leader's epoch", async (t) => {
  await t.step("the leader's epoch ends first", () => {
    const follower = epochLookup([[0, 0], [1, 10]], 15);
    assert.deepEqual(truncationOffset({ epoch: 1, endOffset: 12 }, 15, follower), {
      offset: 12,
      complete: true,
    });
  });
  await t.step("the follower's epoch ends first", () => {
    const follower = epochLookup([[0, 0], [1, 10], [2, 11]], 15);
    assert.deepEqual(truncationOffset({ epoch: 1, endOffset: 12 }, 15, follower), {
      offset: 11,
      complete: true,
    });
  });
  await t.step("never past its own log end", () => {
    const follower = epochLookup([[1, 0]], 20);
    assert.deepEqual(truncationOffset({ epoch: 1, endOffset: 50 }, 20, follower), {
      offset: 20,
      complete: true,
    });
  });
});

Deno.test("a follower lacking the leader's epoch cuts to the end of its own earlier epoch, not complete", () => {
  // The follower has epochs 1 and 3; the leader answered epoch 2, which the
  // follower never saw: everything from the end of its epoch 1 may differ,
  // and the next fetch (with last epoch 1) tells how much of epoch 1 agrees.
  const follower = epochLookup([[0, 0], [1, 10], [3, 20]], 25);
  assert.deepEqual(truncationOffset({ epoch: 2, endOffset: 18 }, 25, follower), {
    offset: 20,
    complete: false,
  });
});

Deno.test("a follower with no epochs cuts at the leader's end of the diverging epoch", () => {
  const noEpochs: EpochLookup = () => ({ epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH });
  assert.deepEqual(truncationOffset({ epoch: 2, endOffset: 8 }, 30, noEpochs), { offset: 8, complete: true });
  assert.deepEqual(truncationOffset({ epoch: 2, endOffset: 40 }, 30, noEpochs), {
    offset: 30,
    complete: true,
  });
});

Deno.test("a follower whose epochs all come after the leader's answer cuts at the leader's end", () => {
  // Kafka's cache answers an epoch below every entry with that epoch ending
  // at the first entry's start (the older records are gone).
  const follower = epochLookup([[3, 5]], 10);
  assert.deepEqual(truncationOffset({ epoch: 1, endOffset: 4 }, 10, follower), { offset: 4, complete: true });
});

/** Fetch rounds until the leader finds no divergence (bounded): the follower's log end at the end. */
function converge(
  leaderEpochs: readonly number[],
  followerEpochs: number[],
): { logEnd: number; rounds: number } {
  const leaderLookup = lookupOf(leaderEpochs);
  for (let round = 0; round < 10; round++) {
    const lastFetchedEpoch = followerEpochs[followerEpochs.length - 1] ?? UNDEFINED_EPOCH;
    const diverging = divergingEpoch(followerEpochs.length, lastFetchedEpoch, leaderLookup);
    if (diverging === null) return { logEnd: followerEpochs.length, rounds: round };
    const cut = truncationOffset(diverging, followerEpochs.length, lookupOf(followerEpochs));
    assert.ok(cut.offset < followerEpochs.length, "each diverging answer removes something");
    followerEpochs.length = cut.offset;
  }
  throw new Error("truncation did not converge in 10 rounds");
}

/** Where two logs, given as record epochs, first differ (a record is its offset and epoch). */
function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let offset = 0;
  while (offset < a.length && offset < b.length && a[offset] === b[offset]) offset++;
  return offset;
}

Deno.test("fetching converges on the longest common prefix over several leader changes", async (t) => {
  const cases: Array<{ name: string; leader: number[]; follower: number[]; rounds: number }> = [
    {
      name: "one diverging epoch",
      leader: recordEpochs([0, 10], [2, 10]),
      follower: recordEpochs([0, 10], [1, 5]),
      rounds: 1,
    },
    {
      name: "an epoch the follower never saw between two it has (an intermediate cut first)",
      leader: recordEpochs([0, 10], [1, 5], [2, 3], [4, 7]),
      follower: recordEpochs([0, 10], [1, 10], [3, 5]),
      rounds: 2,
    },
    {
      name: "a follower that is a prefix",
      leader: recordEpochs([0, 10], [2, 10]),
      follower: recordEpochs([0, 10], [2, 4]),
      rounds: 0,
    },
    {
      name: "a follower longer than the leader in the same epoch",
      leader: recordEpochs([0, 10], [2, 5]),
      follower: recordEpochs([0, 10], [2, 9]),
      rounds: 1,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const expected = commonPrefix(c.leader, c.follower);
      const outcome = converge(c.leader, [...c.follower]);
      assert.equal(outcome.logEnd, expected, JSON.stringify(epochEntries(c.follower)));
      assert.equal(outcome.rounds, c.rounds);
    });
  }
});
