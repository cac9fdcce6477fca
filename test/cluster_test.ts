/**
 * Three Dafka nodes on one machine form one cluster: a Raft quorum of
 * three controllers (each node also a broker), partitions placed across
 * the brokers, controller requests accepted by any broker, and kcat
 * producing and consuming through every leader. Then kill -9 of the active
 * controller: another is elected within the election timeout, the topics
 * created just before and just after are all there, and the killed node
 * catches up when it comes back.
 *
 * Along the way: the other nodes list a topic in an all-topics Metadata
 * within milliseconds of its creation (the metadata log's followers learn
 * a commit at once, not a fetch wait later), and right after the kill the
 * survivors name a controller a client can reach, so librdkafka's admin
 * client creates a topic as soon as a new controller is elected. And a
 * second cluster: SIGSTOP of the active controller, after which no live
 * broker is ever fenced while another controller takes over.
 */
import assert from "node:assert/strict";
import {
  brokerIds,
  clusterNodes,
  disposeAll,
  metadataOf,
  quorumLeader,
  startAll,
  topicNames,
} from "./support/cluster.ts";
import { run, waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import { connectClient, createTopics } from "./support/raw_kafka.ts";

Deno.test("three nodes form one cluster and survive kill -9 of the active controller", async () => {
  const nodes = clusterNodes();
  try {
    await startAll(nodes);

    const controllerId = await quorumLeader(nodes[0]!);
    assert.ok([1, 2, 3].includes(controllerId), `a controller leads (got ${controllerId})`);
    const controller = nodes.find((node) => node.id === controllerId)!;
    const others = nodes.filter((node) => node !== controller);

    // A broker that is not the controller forwards CreateTopics; partitions land on all three brokers.
    const client = await connectClient(others[0]!.process.port);
    const created = await createTopics(client, [{ name: "spread", partitions: 6 }, { name: "before" }]);
    client.close();
    assert.deepEqual([...created.values()], [0, 0]);
    await waitFor(
      async () => (await topicNames(others[1]!)).includes("spread"),
      10000,
      "the topic everywhere",
    );
    const spread = (await metadataOf(others[1]!)).topics.find((topic) => topic.name === "spread")!;

    // Created through the active controller, a topic is in every node's all-topics Metadata at once (it took
    // the metadata fetch wait, 400-500 ms, before followers learned commits as soon as they happen).
    const onController = await connectClient(controller.process.port);
    const prompt = await createTopics(onController, [{ name: "prompt" }]);
    onController.close();
    assert.equal(prompt.get("prompt"), 0);
    const createdAtMs = performance.now();
    await Promise.all(
      others.map((node) =>
        waitFor(
          async () => (await topicNames(node)).includes("prompt"),
          10000,
          `"prompt" through node ${node.id}`,
        )
      ),
    );
    const lagMs = performance.now() - createdAtMs;
    console.log(`the other nodes listed the new topic ${Math.round(lagMs)} ms after CreateTopics returned`);
    assert.ok(lagMs < 300, `listed ${Math.round(lagMs)} ms after CreateTopics returned`);
    const leaders = new Set(spread.partitions.map((partition) => partition.leaderId));
    assert.deepEqual([...leaders].sort(), [1, 2, 3]);

    // kcat produces to every leader and reads everything back through one bootstrap broker.
    const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
    const lines = Array.from({ length: 60 }, (_, index) => `record-${index}`);
    await run("kcat", ["-P", "-b", bootstrap, "-t", "spread", "-K", ":"], {
      stdin: lines.map((line) => `${line}:${line}`).join("\n") + "\n",
    });
    const consumed = await run("kcat", [
      "-C",
      "-b",
      others[0]!.process.bootstrap,
      "-t",
      "spread",
      "-e",
      "-o",
      "beginning",
      "-f",
      "%s\n",
    ]);
    assert.deepEqual(consumed.trim().split("\n").sort(), [...lines].sort());

    // kill -9 the active controller: a survivor is elected within the election timeout (1 s, plus backoff).
    await controller.process.kill();
    const killedAtMs = performance.now();
    // librdkafka's admin client, bootstrapped to the survivors at once, sends CreateTopics to the controller
    // Metadata names. Naming the killed node (the survivors' quorum leader until they elect another) made it
    // wait its whole request timeout (15 s here) on that node; the broker it asked forwards instead.
    const adminCreate = runPythonClient<{ results: Record<string, unknown> }>("confluent_client.py", {
      command: "create_topics",
      bootstrap: others.map((node) => node.process.bootstrap).join(","),
      topics: [{ name: "admin-after-kill" }],
    });
    const namedControllers = new Set<number>();
    let newLeader = -1;
    await waitFor(
      async () => {
        for (const node of others) namedControllers.add((await metadataOf(node)).controllerId);
        newLeader = await quorumLeader(others[0]!).catch(() => -1);
        return newLeader >= 0 && newLeader !== controllerId;
      },
      15000,
      "a new active controller",
    );
    assert.ok(!namedControllers.has(controllerId), `the killed controller named (${[...namedControllers]})`);
    const electionMs = performance.now() - killedAtMs;
    assert.ok(others.some((node) => node.id === newLeader));
    console.log(`new controller ${newLeader} elected ${Math.round(electionMs)} ms after the kill`);

    const adminAnswer = await adminCreate;
    const adminMs = performance.now() - killedAtMs;
    console.log(`librdkafka created a topic ${Math.round(adminMs)} ms after the kill`);
    assert.deepEqual(adminAnswer.results, { "admin-after-kill": null });

    const survivor = await connectClient(others[1]!.process.port);
    const after = await createTopics(survivor, [{ name: "after" }]);
    survivor.close();
    assert.equal(after.get("after"), 0);
    for (const node of others) {
      await waitFor(
        async () => {
          const names = await topicNames(node);
          return ["admin-after-kill", "after", "before", "spread"].every((name) => names.includes(name));
        },
        10000,
        `every topic through node ${node.id}`,
      );
    }

    // Its session lapses (3 s here): the controller fences it, its partitions have no leader (one replica,
    // nowhere else to serve them), and Metadata no longer lists it.
    await waitFor(
      async () => {
        const metadata = await metadataOf(others[0]!);
        const spreadNow = metadata.topics.find((topic) => topic.name === "spread")!;
        const orphaned = spreadNow.partitions.filter((partition) =>
          partition.replicaNodes.includes(controllerId)
        );
        return !metadata.brokers.some((broker) => broker.nodeId === controllerId) &&
          orphaned.length > 0 &&
          orphaned.every((partition) =>
            partition.leaderId === -1 && partition.errorCode === 5 &&
            partition.offlineReplicas.includes(controllerId)
          );
      },
      15000,
      `broker ${controllerId} fenced and its partitions leaderless`,
    );

    // The killed node comes back, catches up, and serves its partitions again.
    await controller.process.start();
    await waitFor(
      async () => {
        const names = await topicNames(controller);
        return ["after", "before", "spread"].every((name) => names.includes(name));
      },
      20000,
      "the restarted node to catch up",
    );
    await waitFor(
      async () => {
        const brokers = (await metadataOf(controller)).brokers.map((broker) => broker.nodeId);
        return brokers.length === 3;
      },
      20000,
      "all three brokers unfenced",
    );
    const again = await run("kcat", [
      "-C",
      "-b",
      controller.process.bootstrap,
      "-t",
      "spread",
      "-e",
      "-o",
      "beginning",
      "-f",
      "%s\n",
    ]);
    assert.deepEqual(again.trim().split("\n").sort(), [...lines].sort());

    // A clean stop is a controlled shutdown: the controller moves the broker's leaderships away and fences it
    // before the process exits, so its session is over and it registers again at once when restarted.
    const activeNow = await quorumLeader(others[0]!);
    const stopped = nodes.find((node) => node.id !== activeNow)!;
    const watcher = nodes.find((node) => node !== stopped)!;
    const output = await stopped.process.stop();
    assert.doesNotMatch(output, /controlled shutdown did not finish/);
    // Already fenced when the process exited: the others see it well before its 3 s session would lapse.
    await waitFor(
      async () => !(await metadataOf(watcher)).brokers.some((broker) => broker.nodeId === stopped.id),
      2000,
      "the stopped broker fenced by its controlled shutdown",
    );
    await stopped.process.start();
    await waitFor(
      async () => (await metadataOf(watcher)).brokers.length === 3,
      20000,
      "the cleanly stopped broker back",
    );
    const afterRestart = await run("kcat", [
      "-C",
      "-b",
      stopped.process.bootstrap,
      "-t",
      "spread",
      "-e",
      "-o",
      "beginning",
      "-f",
      "%s\n",
    ]);
    assert.deepEqual(afterRestart.trim().split("\n").sort(), [...lines].sort());
  } finally {
    await disposeAll(nodes);
  }
});

Deno.test("SIGSTOP of the active controller: another takes over and no live broker is ever fenced", async () => {
  const nodes = clusterNodes();
  try {
    await startAll(nodes);
    const controllerId = await quorumLeader(nodes[0]!);
    const paused = nodes.find((node) => node.id === controllerId)!;
    const others = nodes.filter((node) => node !== paused);
    const liveIds = others.map((node) => node.id);
    /** Throws if a survivor does not list every live broker; returns whether both have fenced the paused one. */
    const watch = async () => {
      let pausedFenced = true;
      for (const node of others) {
        const listed = await brokerIds(node);
        assert.ok(liveIds.every((id) => listed.includes(id)), `node ${node.id} lists only ${listed}`);
        if (listed.includes(paused.id)) pausedFenced = false;
      }
      return pausedFenced;
    };

    // A stopped process keeps its connections open and answers nothing. The survivors' heartbeats, forwarded to
    // it, used to wait there for the whole request timeout (30 s), and the new controller fenced them all.
    Deno.kill(paused.process.pid!, "SIGSTOP");
    try {
      await waitFor(watch, 20000, `the paused broker ${paused.id} fenced once its session (3 s) lapsed`);
      // Two sessions more: a live broker whose heartbeats did not get through would be fenced by now.
      const watchedUntilMs = performance.now() + 6000;
      await waitFor(
        async () => (await watch()) && performance.now() >= watchedUntilMs,
        10000,
        "two sessions",
      );
      const client = await connectClient(others[0]!.process.port);
      const created = await createTopics(client, [{ name: "while-paused" }]);
      client.close();
      assert.equal(created.get("while-paused"), 0);
    } finally {
      Deno.kill(paused.process.pid!, "SIGCONT");
    }
    // Resumed, it learns that it was replaced, catches up and is unfenced again.
    await waitFor(
      async () =>
        (await brokerIds(others[0]!)).length === 3 && (await topicNames(paused)).includes("while-paused"),
      20000,
      "the resumed node back in the cluster",
    );
  } finally {
    await disposeAll(nodes);
  }
});
