/** The group checker catches each broken invariant it claims to. */
import assert from "node:assert/strict";
import { GroupChecker } from "./group_checker.ts";

function commit(
  checker: GroupChecker,
  generation: number,
  errorCode: number,
  options: { forged?: boolean } = {},
) {
  const ticket = checker.commitSending({
    member: "m",
    memberId: options.forged ? "ghost" : "id-a",
    generation,
    forged: options.forged ?? false,
    offsets: new Map([[0, 10]]),
  });
  checker.commitAnswered(ticket, new Map([[0, errorCode]]));
}

Deno.test("two members owning one partition in a generation is a violation; a static member's successor is not", () => {
  const checker = new GroupChecker(4);
  checker.synced("a", "id-a", null, 1, [0, 1]);
  checker.synced("b", "id-b", null, 1, [2, 3]);
  checker.synced("s", "static-1", "instance", 2, [0]);
  checker.synced("s2", "static-2", "instance", 2, [0]);
  assert.throws(() => checker.synced("c", "id-c", null, 1, [1]), /assigned to two members/);
});

Deno.test("a member must get what the leader assigned it", () => {
  const checker = new GroupChecker(2);
  checker.leaderAssigned(1, new Map([["id-a", [0]], ["id-b", [1]]]));
  assert.throws(() => checker.synced("a", "id-a", null, 1, [1]), /the leader's assignment/);
});

Deno.test("a second plan for a generation members synced in is a violation once the node accepts it", () => {
  const checker = new GroupChecker(2);
  const plan = new Map([["id-a", [0]], ["id-b", [1]]]);
  const other = new Map([["id-a", [0, 1]]]);
  checker.leaderAssigned(1, plan);
  checker.leaderSynced(1, plan);
  checker.synced("a", "id-a", null, 1, [0]);
  // A zombie leader of a generation the node lost sends another plan: refused, it is no fault.
  checker.leaderAssigned(1, other);
  checker.synced("b", "id-b", null, 1, [1]);
  checker.leaderSynced(1, plan);
  assert.throws(() => checker.leaderSynced(1, other), /one leader per generation/);
});

Deno.test("a generation formed again before anyone synced in it may have another plan", () => {
  const checker = new GroupChecker(2);
  checker.leaderAssigned(2, new Map([["id-a", [0, 1]]]));
  const again = new Map([["id-a", [0]], ["id-b", [1]]]);
  checker.leaderAssigned(2, again);
  checker.leaderSynced(2, again);
  checker.synced("b", "id-b", null, 2, [1]);
});

Deno.test("an acknowledged commit from a stale generation or a forged member is a violation", () => {
  const checker = new GroupChecker(1);
  checker.synced("a", "id-a", null, 3, [0]);
  commit(checker, 2, 22);
  assert.equal(checker.stats.staleCommitsRefused, 1);
  commit(checker, 3, 0);
  assert.throws(() => commit(checker, 2, 0), /stale generation/);
  assert.throws(() => commit(new GroupChecker(1), 1, 0, { forged: true }), /unknown members/);
});

Deno.test("losing an acknowledged commit is a violation; later commits are not held against an earlier read", () => {
  const checker = new GroupChecker(1);
  commit(checker, -1, 0);
  const expected = checker.acknowledgedSnapshot();
  checker.offsetsRead(new Map([[0, 10]]), expected, "after a restart");
  assert.throws(() => checker.offsetsRead(new Map([[0, 9]]), expected, "after a restart"), /never lost/);
  assert.throws(() => checker.offsetsRead(new Map(), expected, "at the end"), /never lost/);
});

Deno.test("the live members must settle in one generation covering every partition once", () => {
  const checker = new GroupChecker(3);
  const member = (name: string, generation: number, assignment: number[], stable = true) => ({
    name,
    memberId: name,
    generation,
    stable,
    assignment,
  });
  checker.settled([member("a", 5, [0, 1]), member("b", 5, [2])]);
  assert.throws(
    () => new GroupChecker(3).settled([member("a", 5, [0, 1]), member("b", 6, [2])]),
    /generations/,
  );
  assert.throws(() => new GroupChecker(3).settled([member("a", 5, [0, 1])]), /eventually assigned/);
  assert.throws(() => new GroupChecker(3).settled([member("a", 5, [0, 1, 2], false)]), /still rebalancing/);
});
