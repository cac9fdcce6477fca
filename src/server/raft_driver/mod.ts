/**
 * The Raft core driven on a real node: persistence, the peers' connections, applying committed batches.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { type MetadataApplier, MetadataQuorum } from "./metadata_quorum.ts";
export { NodeClients } from "./node_clients.ts";
export { RaftPeers } from "./raft_peers.ts";
