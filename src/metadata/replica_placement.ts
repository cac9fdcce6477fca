/**
 * Where the replicas of new partitions go, in the spirit of Kafka's
 * StripedReplicaPlacer: leaders striped over the brokers so that each leads
 * its share, and the replicas of one partition on distinct racks (`broker.rack`)
 * as long as there are racks left, so that losing a rack loses no partition.
 *
 * Unlike Kafka's placer it draws no random numbers: the placement is a pure
 * function of the brokers and the partition numbers, so a replay or a test
 * sees the same assignment, and consecutive partitions (CreatePartitions
 * included) continue the stripe where the last one ended.
 */

/** A broker that may take new replicas, and its rack (null when `broker.rack` is not set). */
export interface PlacementBroker {
  id: number;
  rack: string | null;
}

/**
 * The brokers in the order leaders are striped over: one broker of each rack
 * in turn (racks and brokers sorted), so that neighbours in the order sit on
 * different racks whenever the racks allow it. Brokers without a rack form
 * one rack of their own, as in Kafka.
 */
export function rackAlternatedOrder(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const broker of brokers) {
    const key = rackKey(broker.rack);
    const list = byRack.get(key) ?? [];
    list.push(broker);
    byRack.set(key, list);
  }
  const racks = [...byRack.keys()].sort().map((key) =>
    byRack.get(key)!.sort((left, right) => left.id - right.id)
  );
  const order: PlacementBroker[] = [];
  const deepest = Math.max(0, ...racks.map((rack) => rack.length));
  for (let depth = 0; depth < deepest; depth++) {
    for (const rack of racks) {
      const broker = rack[depth];
      if (broker) order.push(broker);
    }
  }
  return order;
}

/**
 * The replicas of partitions `firstPartition` .. `firstPartition + count - 1`,
 * leader first. The caller has checked that `factor` is between 1 and the
 * number of brokers.
 */
export function placeStriped(
  brokers: readonly PlacementBroker[],
  count: number,
  factor: number,
  firstPartition: number,
): number[][] {
  const order = rackAlternatedOrder(brokers);
  const size = order.length;
  if (factor < 1 || factor > size) throw new Error(`cannot place ${factor} replicas on ${size} brokers`);
  const rackCount = new Set(order.map((broker) => rackKey(broker.rack))).size;
  const out: number[][] = [];
  for (let index = 0; index < count; index++) {
    const partition = firstPartition + index;
    const leaderPosition = partition % size;
    // Each round over the brokers starts the followers one step further on, so that a leader's
    // followers vary from round to round (as Kafka's placer reshuffles once every broker led once).
    const shift = size > 1 ? Math.floor(partition / size) % (size - 1) : 0;
    const chosen = [order[leaderPosition]!];
    while (chosen.length < factor) {
      const candidates: PlacementBroker[] = [];
      for (let step = 0; step < size; step++) {
        const broker = order[(leaderPosition + 1 + shift + step) % size]!;
        if (!chosen.includes(broker)) candidates.push(broker);
      }
      const usedRacks = new Set(chosen.map((broker) => rackKey(broker.rack)));
      const onNewRack = usedRacks.size < rackCount
        ? candidates.find((broker) => !usedRacks.has(rackKey(broker.rack)))
        : undefined;
      chosen.push(onNewRack ?? candidates[0]!);
    }
    out.push(chosen.map((broker) => broker.id));
  }
  return out;
}

/** Brokers without a rack share one key that no rack name can take. */
function rackKey(rack: string | null): string {
  return rack === null ? "\u0000" : `r:${rack}`;
}
