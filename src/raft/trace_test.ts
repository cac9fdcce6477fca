import assert from "node:assert/strict";
import { RaftNode } from "./raft_node.ts";
import { type TraceEntry, traceToJson } from "./trace.ts";

Deno.test("a traced node records every input with the state after it, as JSON lines", () => {
  const entries: TraceEntry[] = [];
  const node = new RaftNode({
    nodeId: 1,
    voters: [1],
    random: { int: () => 0 },
    nowMs: 0,
    trace: (entry) => entries.push(entry),
  });
  node.ready();
  node.advance(1);
  node.propose([new Uint8Array([0xab])], 2);
  node.tick(3);
  assert.deepEqual(entries.map((entry) => entry.input.kind), [
    "start",
    "ready",
    "advance",
    "propose",
    "tick",
  ]);
  assert.deepEqual(entries.map((entry) => entry.sequence), [0, 1, 2, 3, 4]);
  assert.equal(entries[0]!.state.role, "Leader");
  assert.equal(entries[2]!.state.highWatermark, 1, "the LeaderChange record is committed once durable");
  assert.deepEqual(entries[3]!.state.log?.map((batch) => [batch.baseOffset, batch.epoch, batch.control]), [
    [0, 1, true],
    [1, 1, false],
  ]);
  const line = JSON.parse(traceToJson(entries[3]!));
  assert.deepEqual(line.input.values, ["ab"], "record values as hex");
  assert.equal(line.state.roleDeadlineMs, "Infinity");
});
