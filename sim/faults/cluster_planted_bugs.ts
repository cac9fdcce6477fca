/**
 * Deliberate bugs for testing the checkers, planted from outside the node
 * code: the simulator swaps a method of a node's quorum, so that nothing in
 * src/ carries test-only switches.
 */
import { MetadataRecordType } from "../../src/metadata/mod.ts";
import type { MetadataQuorum } from "../../src/server/raft_driver/mod.ts";
import type { ClusterPlantedBugs } from "../scenarios/cluster/options.ts";

const planted = new WeakSet<MetadataQuorum>();

/** Plants `bugs` in `quorum` (once per quorum). */
export function plantBugs(quorum: MetadataQuorum, bugs: ClusterPlantedBugs): void {
  if (!bugs.acknowledgeCreateBeforeCommit || planted.has(quorum)) return;
  planted.add(quorum);
  const propose = quorum.propose.bind(quorum);
  // A controller that answers CreateTopics as soon as the topic's records are
  // appended to its own log: a leader that loses its office before they
  // commit has acknowledged a topic that never comes to exist.
  quorum.propose = (records) => {
    const proposal = propose(records);
    if (!quorum.isActiveController || !records.some((record) => record.type === MetadataRecordType.Topic)) {
      return proposal;
    }
    proposal.catch(() => {});
    return Promise.resolve();
  };
}
