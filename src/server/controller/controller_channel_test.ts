/**
 * The controller channel in the simulator, with stand-in quorums whose
 * leadership the test sets: a request runs on the active controller, is
 * forwarded from elsewhere to the leader's controller listener, is refused
 * there with NOT_CONTROLLER when that node no longer leads (and the
 * forwarder retries against the next leader), and fails with
 * REQUEST_TIMED_OUT once no controller has answered in time, even when the
 * leader it waits on never answers at all.
 */
import assert from "node:assert/strict";
import { SimCluster } from "../../io/sim/mod.ts";
import type { VoterAddress } from "../../config/mod.ts";
import type { World } from "../../io/mod.ts";
import { ErrorCode, KafkaError, type Message } from "../../protocol/mod.ts";
import { createTopics } from "../../protocol/messages/mod.ts";
import { fakeContext, fakeServices } from "../_handler_test_support.ts";
import { ClientConnection } from "../connection.ts";
import type { RequestContext } from "../handler.ts";
import type { MetadataQuorum } from "../raft_driver/mod.ts";
import type { ControllerApi } from "./controller_api.ts";
import { ControllerChannel } from "./controller_channel.ts";

const PORT = 9093;
const TIMEOUT_MS = 5000;
const RETRY_BACKOFF_MS = 100;

/** What a stand-in quorum reports; the test moves leadership by changing it. */
interface Leadership {
  isActiveController: boolean;
  leaderId: number;
}

interface Node {
  id: number;
  world: World;
  leadership: Leadership;
  channel: ControllerChannel;
  /** What `control` does on this node (answers by default). */
  control: (body: Message) => Promise<Message>;
}

/** CreateTopics as a test controller API: `control` runs the node's own behaviour. */
function testApi(nodes: Map<number, Node>): ControllerApi {
  const api: ControllerApi = {
    schema: createTopics,
    control(context, body) {
      return nodeOf(context).control(body);
    },
    refuse(body, _version, errorCode, errorMessage) {
      return answer(body, errorCode, errorMessage);
    },
    handle: (context, body) => nodeOf(context).channel.call(api, context, body),
  };
  const nodeOf = (context: RequestContext) => nodes.get(context.services.metadata.nodeId)!;
  return api;
}

function answer(body: Message, errorCode: number, errorMessage: string | null): Message {
  return {
    throttleTimeMs: 0,
    topics: (body.topics as Message[]).map((topic) => ({
      name: topic.name,
      topicId: new Uint8Array(16),
      errorCode,
      errorMessage,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    })),
  };
}

const REQUEST: Message = {
  topics: [{ name: "t", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
  timeoutMs: 1000,
  validateOnly: false,
};

/** The message of the one topic of an answer, and its error code. */
function outcome(response: Message): [number, string | null] {
  const topic = (response.topics as Message[])[0]!;
  return [topic.errorCode as number, topic.errorMessage as string | null];
}

class Harness {
  readonly cluster = new SimCluster({ seed: 7 });
  readonly nodes = new Map<number, Node>();
  readonly api = testApi(this.nodes);
  readonly addresses = new Map<number, VoterAddress>(
    [1, 2, 3].map((id) => [id, { nodeId: id, host: `node-${id}`, port: PORT }]),
  );

  /** Starts node `id` with its controller listener (or a listener that never answers). */
  async start(id: number, options: { silent?: boolean } = {}): Promise<Node> {
    const world = this.cluster.start(`node-${id}`);
    const leadership: Leadership = { isActiveController: false, leaderId: -1 };
    const channel = new ControllerChannel({
      nodeId: id,
      clock: world.clock,
      net: world.net,
      quorum: leadership as unknown as MetadataQuorum,
      voterAddresses: this.addresses,
      retryBackoffMs: RETRY_BACKOFF_MS,
      timeoutMs: TIMEOUT_MS,
    });
    const node: Node = {
      id,
      world,
      leadership,
      channel,
      control: (body) => Promise.resolve(answer(body, ErrorCode.NONE, `node ${id}`)),
    };
    this.nodes.set(id, node);
    const listener = await world.net.listen({ host: `node-${id}`, port: PORT });
    void (async () => {
      for (let connectionId = 1;; connectionId++) {
        const connection = await listener.accept();
        if (connection === null) return;
        if (options.silent) continue; // Accepted, read by nobody, never answered: a hung process.
        void new ClientConnection(connection, {
          services: fakeServices({ metadata: { nodeId: id } }),
          handlers: new Map([[this.api.schema.apiKey, this.api]]),
          listenerName: "CONTROLLER",
          viaControllerListener: true,
          connectionId,
          maxRequestBytes: 1024 * 1024,
          log: world.log,
        }).serve();
      }
    })();
    return node;
  }

  /** Calls the API on `node` as a client on a broker listener would. */
  call(node: Node, options: { viaControllerListener?: boolean } = {}): Promise<Message> {
    const version = 7;
    const services = fakeServices({ metadata: { nodeId: node.id } });
    const context = fakeContext(19, version, services, {
      viaControllerListener: options.viaControllerListener ?? false,
    });
    return node.channel.call(this.api, context, structuredClone(REQUEST));
  }

  run<T>(work: Promise<T>): Promise<T> {
    return this.cluster.scheduler.runUntilSettled(work, { maxVirtualMs: 4 * TIMEOUT_MS });
  }

  /** Every node takes `leaderId` as the leader; it alone is active. */
  elect(leaderId: number): void {
    for (const node of this.nodes.values()) {
      node.leadership.leaderId = leaderId;
      node.leadership.isActiveController = node.id === leaderId;
    }
  }
}

async function threeNodes(options: { silent?: number[] } = {}): Promise<Harness> {
  const harness = new Harness();
  for (const id of [1, 2, 3]) await harness.start(id, { silent: options.silent?.includes(id) });
  return harness;
}

Deno.test("the active controller runs a request itself", async () => {
  const harness = await threeNodes();
  harness.elect(1);
  assert.deepEqual(outcome(await harness.run(harness.call(harness.nodes.get(1)!))), [
    ErrorCode.NONE,
    "node 1",
  ]);
});

Deno.test("another node forwards a request to the active controller's controller listener", async () => {
  const harness = await threeNodes();
  harness.elect(2);
  for (const id of [1, 3]) {
    assert.deepEqual(outcome(await harness.run(harness.call(harness.nodes.get(id)!))), [
      ErrorCode.NONE,
      "node 2",
    ]);
  }
});

Deno.test("a request on a controller listener of a node that does not lead is refused with NOT_CONTROLLER", async () => {
  const harness = await threeNodes();
  harness.elect(2);
  const answer = await harness.run(harness.call(harness.nodes.get(1)!, { viaControllerListener: true }));
  assert.equal(outcome(answer)[0], ErrorCode.NOT_CONTROLLER);
});

Deno.test("a forwarder refused by a former leader retries until the new leader answers", async () => {
  const harness = await threeNodes();
  harness.elect(2);
  // Node 2 has lost leadership; node 1 does not know yet.
  harness.nodes.get(2)!.leadership.isActiveController = false;
  const forwarder = harness.nodes.get(1)!;
  const call = harness.call(forwarder);
  await harness.cluster.scheduler.runFor(3 * RETRY_BACKOFF_MS);
  harness.elect(3);
  assert.deepEqual(outcome(await harness.run(call)), [ErrorCode.NONE, "node 3"]);
});

Deno.test("a controller that loses leadership mid-request has the request forwarded to the next leader", async () => {
  const harness = await threeNodes();
  harness.elect(1);
  const node = harness.nodes.get(1)!;
  node.control = () => {
    harness.elect(3);
    return Promise.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, "lost leadership"));
  };
  assert.deepEqual(outcome(await harness.run(harness.call(node))), [ErrorCode.NONE, "node 3"]);
});

Deno.test("requests on the active controller run one at a time", async () => {
  const harness = await threeNodes();
  harness.elect(1);
  const node = harness.nodes.get(1)!;
  let running = 0;
  let most = 0;
  node.control = async (body) => {
    most = Math.max(most, ++running);
    await node.world.clock.sleep(50);
    running--;
    return answer(body, ErrorCode.NONE, "node 1");
  };
  const answers = await harness.run(
    Promise.all([harness.call(node), harness.call(node), harness.call(node)]),
  );
  assert.equal(answers.length, 3);
  assert.equal(most, 1);
});

Deno.test("without a leader the request fails with REQUEST_TIMED_OUT after the timeout", async () => {
  const harness = await threeNodes();
  const node = harness.nodes.get(1)!;
  const startMs = harness.cluster.scheduler.nowMs;
  const answer = await harness.run(harness.call(node));
  assert.equal(outcome(answer)[0], ErrorCode.REQUEST_TIMED_OUT);
  const elapsedMs = harness.cluster.scheduler.nowMs - startMs;
  assert.ok(
    elapsedMs >= TIMEOUT_MS && elapsedMs < TIMEOUT_MS + 2 * RETRY_BACKOFF_MS,
    `after ${elapsedMs} ms`,
  );
});

Deno.test("a leader that never answers does not hold a request past the timeout", async () => {
  const harness = await threeNodes({ silent: [2] });
  harness.elect(2);
  const startMs = harness.cluster.scheduler.nowMs;
  const answer = await harness.run(harness.call(harness.nodes.get(1)!));
  assert.equal(outcome(answer)[0], ErrorCode.REQUEST_TIMED_OUT);
  const elapsedMs = harness.cluster.scheduler.nowMs - startMs;
  assert.ok(elapsedMs < TIMEOUT_MS + 2 * RETRY_BACKOFF_MS, `after ${elapsedMs} ms`);
});

Deno.test("a forward to a leader that never answers goes to the new leader as soon as leadership moves", async () => {
  const harness = await threeNodes({ silent: [2] });
  harness.elect(2);
  const startMs = harness.cluster.scheduler.nowMs;
  const call = harness.call(harness.nodes.get(1)!);
  // Node 2 hangs (a paused process: its connection stays open); node 3 is elected a moment later.
  await harness.cluster.scheduler.runFor(1000);
  harness.elect(3);
  assert.deepEqual(outcome(await harness.run(call)), [ErrorCode.NONE, "node 3"]);
  const elapsedMs = harness.cluster.scheduler.nowMs - startMs;
  assert.ok(
    elapsedMs < 1000 + 3 * RETRY_BACKOFF_MS,
    `answered ${elapsedMs} ms after the call, not at the timeout`,
  );
});

Deno.test("a crashed leader is retried until the timeout, then REQUEST_TIMED_OUT", async () => {
  const harness = await threeNodes();
  harness.elect(2);
  harness.cluster.crash("node-2");
  const answer = await harness.run(harness.call(harness.nodes.get(1)!));
  assert.equal(outcome(answer)[0], ErrorCode.REQUEST_TIMED_OUT);
});
