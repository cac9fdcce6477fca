/** EndQuorumEpoch (key 54): a resigning leader asks the voters to elect a successor at once. */
import { endQuorumEpoch } from "../../../protocol/messages/mod.ts";
import { raftApi } from "./_raft_api.ts";

export const endQuorumEpochHandler = raftApi(endQuorumEpoch);
