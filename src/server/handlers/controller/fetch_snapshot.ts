/** FetchSnapshot (key 59): a follower behind the log start reads the leader's snapshot in chunks. */
import { fetchSnapshot } from "../../../protocol/messages/mod.ts";
import { raftApi } from "./_raft_api.ts";

export const fetchSnapshotHandler = raftApi(fetchSnapshot);
