/**
 * KIP-392 fetch from follower: which replica a consumer should read from,
 * as Kafka's ReplicaSelector plugins decide on the leader.
 *
 * Only Kafka's two selectors exist here, by their class names (the value of
 * `replica.selector.class`): LeaderSelector (the default, always the leader)
 * and RackAwareReplicaSelector: a consumer that names its rack (`client.rack`,
 * the Fetch request's rackId) reads from the leader when the leader is on
 * that rack, else from the most caught-up replica on that rack (largest log
 * end; then the one caught up most recently; then the highest broker id, as
 * Kafka's comparator orders them), else from the leader.
 *
 * The candidates are the leader and the ISR members that have the fetch
 * offset (the leader leaves out lagging replicas, as Kafka does).
 */

export const LEADER_SELECTOR = "org.apache.kafka.common.replica.LeaderSelector";
export const RACK_AWARE_REPLICA_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

/** What the leader knows of one replica when it chooses. */
export interface ReplicaView {
  brokerId: number;
  /** The broker's `broker.rack`, null when it has none or is not alive. */
  rack: string | null;
  logEndOffset: number;
  /** How long since the replica last had the leader's whole log (0 for the leader itself). */
  timeSinceLastCaughtUpMs: number;
}

/**
 * The replica a consumer on `clientRack` should fetch from: a broker id, or
 * -1 for the leader (the leader never names itself as the preferred replica).
 */
export function preferredReadReplica(
  selectorClass: string | null,
  clientRack: string,
  leader: ReplicaView,
  followers: readonly ReplicaView[],
): number {
  if (selectorClass !== RACK_AWARE_REPLICA_SELECTOR || clientRack === "") return -1;
  if (leader.rack === clientRack) return -1;
  let best: ReplicaView | null = null;
  for (const candidate of followers) {
    if (candidate.rack !== clientRack) continue;
    if (best === null || moreCaughtUp(candidate, best)) best = candidate;
  }
  return best?.brokerId ?? -1;
}

function moreCaughtUp(left: ReplicaView, right: ReplicaView): boolean {
  if (left.logEndOffset !== right.logEndOffset) return left.logEndOffset > right.logEndOffset;
  if (left.timeSinceLastCaughtUpMs !== right.timeSinceLastCaughtUpMs) {
    return left.timeSinceLastCaughtUpMs < right.timeSinceLastCaughtUpMs;
  }
  return left.brokerId > right.brokerId;
}
