/** Vote (key 52): a candidate asks for this voter's vote (KIP-595, pre-vote with KIP-996). */
import { vote } from "../../../protocol/messages/mod.ts";
import { raftApi } from "./_raft_api.ts";

export const voteHandler = raftApi(vote);
