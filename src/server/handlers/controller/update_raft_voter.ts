/**
 * UpdateRaftVoter (key 82), v0 (KIP-853): a voter gives the leader its
 * current listeners and supported kraft.version range, which replace those in
 * the voter set. Served on the controller listener only, as Kafka's is, and
 * straight to the Raft core (the voters send it themselves; src/raft/update_voter.ts).
 */
import { updateRaftVoter } from "../../../protocol/messages/mod.ts";
import { raftApi } from "./_raft_api.ts";

export const updateRaftVoterHandler = raftApi(updateRaftVoter);
