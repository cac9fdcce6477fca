/**
 * Fetch (key 1) on a controller listener: followers and observers replicate
 * `__cluster_metadata-0` from the leader (KRaft's pull-based replication).
 * On a broker listener Fetch reads partition logs (handlers/broker/fetch.ts).
 */
import { fetchApi } from "../../../protocol/messages/mod.ts";
import { raftApi } from "./_raft_api.ts";

export const raftFetchHandler = raftApi(fetchApi);
