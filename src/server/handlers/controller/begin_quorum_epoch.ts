/** BeginQuorumEpoch (key 53): a new leader tells the voters of its epoch. */
import { beginQuorumEpoch } from "../../../protocol/messages/mod.ts";
import { raftApi } from "./_raft_api.ts";

export const beginQuorumEpochHandler = raftApi(beginQuorumEpoch);
