import assert from "node:assert/strict";
import { SeededRandom, SimDisk } from "../io/sim/mod.ts";
import {
  formatQuorumState,
  parseQuorumState,
  QuorumStateFormatError,
  readQuorumState,
  writeQuorumState,
} from "./quorum_state_file.ts";

Deno.test("quorum-state is written as KRaft writes it for static voters (data_version 0)", () => {
  const text = formatQuorumState({ epoch: 2, leaderId: 1, votedId: -1 }, { voters: [3, 1, 2] });
  assert.equal(
    text,
    '{"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,' +
      '"currentVoters":[{"voterId":1},{"voterId":2},{"voterId":3}],"data_version":0}',
  );
});

Deno.test("quorum-state of either data version is read back", () => {
  assert.deepEqual(
    parseQuorumState(
      '{"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"J8aAPcfLQt2bqs1JT_rMgQ","data_version":1}',
    ),
    { epoch: 2, leaderId: -1, votedId: 1 },
  );
  const state = { epoch: 9, leaderId: 3, votedId: 3 };
  assert.deepEqual(parseQuorumState(formatQuorumState(state, { voters: [3] })), state);
  assert.deepEqual(parseQuorumState(formatQuorumState(state, { voters: [3], dataVersion: 1 })), state);
});

Deno.test("a damaged quorum-state is refused", () => {
  for (
    const text of [
      "",
      "{",
      "[]",
      '{"leaderEpoch":1}',
      '{"leaderEpoch":"x","data_version":0}',
      '{"data_version":7}',
    ]
  ) {
    assert.throws(() => parseQuorumState(text), QuorumStateFormatError, text);
  }
});

Deno.test("quorum-state is durable once written, even through a power loss", () => {
  const disk = new SimDisk(new SeededRandom(1), { tornWriteProbability: 1 });
  const view = disk.view(null);
  assert.equal(readQuorumState(view, "/meta"), null);
  writeQuorumState(view, "/meta", { epoch: 4, leaderId: 2, votedId: 2 }, { voters: [1, 2, 3] });
  disk.crash();
  assert.deepEqual(readQuorumState(disk.view(null), "/meta"), { epoch: 4, leaderId: 2, votedId: 2 });
});
