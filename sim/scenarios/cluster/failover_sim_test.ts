/**
 * Controller failover in the cluster simulation, without other faults:
 * the active controller is paused (a stopped process: its connections stay
 * open and nothing answers) or killed, and the survivors elect another.
 * Every live broker stays unfenced in every survivor's image throughout,
 * and the lost node is fenced once its session lapses. Before the controller
 * channel sent a forward still unanswered to the new leader, every broker's
 * heartbeat waited on the paused node for the request timeout, and the new
 * controller fenced them all, itself among them.
 */
import assert from "node:assert/strict";
import { type CrashMode, SimCluster } from "../../../src/io/sim/mod.ts";
import { ClusterNode, type NodeObserver } from "./cluster_node.ts";
import { clusterSimOptions } from "./options.ts";

const QUIET: NodeObserver = { started() {}, batchApplied() {}, snapshotLoaded() {}, startFailed() {} };

/** The brokers a node's image lists as unfenced, or null while it does not serve. */
function unfencedIn(node: ClusterNode): number[] | null {
  if (node.running === null) return null;
  return [...node.running.broker.image.brokers.values()].filter((broker) => !broker.fenced).map((broker) =>
    broker.brokerId
  );
}

async function loseTheController(seed: number, how: "pause" | CrashMode): Promise<void> {
  // Three static voters from the start (a dynamic quorum would still be growing).
  const options = { ...clusterSimOptions(seed), dynamicQuorum: false };
  const cluster = new SimCluster({ seed, net: options.network, disk: options.disk });
  const nodes = options.nodeIds.map((id) => new ClusterNode(id, cluster, options, QUIET));
  for (const node of nodes) node.start();
  const allUnfenced = () => nodes.every((node) => unfencedIn(node)?.length === nodes.length);
  assert.ok(
    await cluster.runUntil(allUnfenced, { maxVirtualMs: 30_000 }),
    `seed ${seed}: the cluster starts`,
  );
  await cluster.scheduler.runFor(2_000);

  const lost = nodes.find((node) => node.running?.broker.quorum.isActiveController)!;
  const survivors = nodes.filter((node) => node !== lost);
  // Long enough for an election and for the lost node's session to lapse twice over.
  const watchMs = 2 * options.node.fetchTimeoutMs + 2 * options.node.sessionTimeoutMs + 2_000;
  if (how === "pause") cluster.pause(lost.name, watchMs + 1_000);
  else lost.crash(how);
  const startMs = cluster.scheduler.nowMs;
  while (cluster.scheduler.nowMs - startMs < watchMs) {
    await cluster.scheduler.runFor(5);
    for (const node of survivors) {
      const listed = unfencedIn(node)!;
      for (const live of survivors) {
        assert.ok(
          listed.includes(live.id),
          `seed ${seed}, ${how} of node ${lost.id}: node ${node.id} shows live broker ${live.id} fenced ` +
            `${cluster.scheduler.nowMs - startMs} ms after`,
        );
      }
    }
  }
  for (const node of survivors) {
    assert.ok(!unfencedIn(node)!.includes(lost.id), `seed ${seed}: node ${node.id} fenced the lost node`);
  }
}

Deno.test("a paused active controller is replaced without fencing any live broker", async () => {
  for (let seed = 1; seed <= 6; seed++) await loseTheController(seed, "pause");
});

Deno.test("a killed active controller is replaced without fencing any live broker", async () => {
  for (let seed = 1; seed <= 3; seed++) await loseTheController(seed, "process");
  await loseTheController(4, "power-loss");
});
