import assert from "node:assert/strict";
import { BrokerConfig } from "./broker_config.ts";
import { ConfigError } from "./config_types.ts";
import { parseVoters, quorumConfigOf } from "./quorum_config.ts";

const VOTERS = "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097";

/** Node 1 of a three-voter cluster, every node a broker and a controller; `entries` change it. */
function clusterNode(entries: Record<string, string | undefined> = {}): BrokerConfig {
  const settings: Record<string, string | undefined> = {
    "node.id": "1",
    "cluster.id": "q1Sh2dX0TvqZc3bYVnzVJA",
    "process.roles": "broker,controller",
    "listeners": "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
    "controller.listener.names": "CONTROLLER",
    "controller.quorum.voters": VOTERS,
    "log.dirs": "/data",
    ...entries,
  };
  const given = Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return new BrokerConfig(new Map(given));
}

/** Asserts that `work` throws a ConfigError about `key` whose message mentions `words`. */
function assertConfigError(work: () => unknown, key: string, words: RegExp): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `a ConfigError, got ${error}`);
    assert.equal(error.key, key);
    assert.match(error.message, new RegExp(key.replaceAll(".", "\\.")));
    assert.match(error.message, words);
    return true;
  });
}

Deno.test("voters parse as id@host:port, IPv6 addresses in brackets", () => {
  const voters = parseVoters([
    "1@127.0.0.1:9093",
    " 2@controller-2.example:19093 ",
    "3@[::1]:9097",
    "4@[fe80::1%eth0]:1",
  ]);
  assert.deepEqual([...voters.values()], [
    { nodeId: 1, host: "127.0.0.1", port: 9093 },
    { nodeId: 2, host: "controller-2.example", port: 19093 },
    { nodeId: 3, host: "::1", port: 9097 },
    { nodeId: 4, host: "fe80::1%eth0", port: 1 },
  ]);
  assert.equal(parseVoters([]).size, 0);
});

Deno.test("malformed voter entries are refused naming controller.quorum.voters", async (t) => {
  const cases: [string, RegExp][] = [
    ["127.0.0.1:9093", /form id@host:port/],
    ["1@127.0.0.1", /form id@host:port/],
    ["x@127.0.0.1:9093", /form id@host:port/],
    ["-1@127.0.0.1:9093", /form id@host:port/],
    ["1@2@127.0.0.1:9093", /form id@host:port/],
    ["1@::1:9093", /form id@host:port/],
    ["1@127.0.0.1:port", /form id@host:port/],
    ["1@[::1:9093", /form id@host:port/],
    ["1@:9093", /routable host/],
    ["1@0.0.0.0:9093", /routable host/],
    ["1@[::]:9093", /routable host/],
    ["1@bad host:9093", /routable host/],
    ["1@127.0.0.1:0", /bad port/],
    ["1@127.0.0.1:65536", /bad port/],
    ["2147483648@127.0.0.1:9093", /out of range/],
  ];
  for (const [entry, words] of cases) {
    await t.step(
      entry,
      () => assertConfigError(() => parseVoters([entry]), "controller.quorum.voters", words),
    );
  }
});

Deno.test("a voter id listed twice is refused", () => {
  assertConfigError(
    () => parseVoters(["1@127.0.0.1:9093", "2@127.0.0.1:9095", "1@127.0.0.1:9097"]),
    "controller.quorum.voters",
    /voter 1 appears twice/,
  );
});

Deno.test("without voters a combined node is the embedded single voter, needing no network", () => {
  const quorum = quorumConfigOf(
    new BrokerConfig(
      new Map([
        ["node.id", "7"],
        ["process.roles", "broker,controller"],
        ["listeners", "PLAINTEXT://127.0.0.1:9092"],
        ["log.dirs", "/data"],
      ]),
    ),
  );
  assert.equal(quorum.isBroker, true);
  assert.equal(quorum.isController, true);
  assert.deepEqual(quorum.voterIds, [7]);
  assert.equal(quorum.voterAddresses.size, 0);
  assert.deepEqual(quorum.controllerListeners, []);
  assert.deepEqual(quorum.brokerListeners.map((listener) => listener.port), [9092]);
});

Deno.test("a three-voter node splits its listeners into controller and broker listeners", () => {
  const quorum = quorumConfigOf(clusterNode({ "controller.quorum.voters": "3@h3:9097,1@h1:9093,2@h2:9095" }));
  assert.deepEqual(quorum.voterIds, [1, 2, 3]);
  assert.deepEqual(quorum.voterAddresses.get(3), { nodeId: 3, host: "h3", port: 9097 });
  assert.deepEqual(quorum.controllerListeners.map((listener) => listener.name), ["CONTROLLER"]);
  assert.deepEqual(quorum.brokerListeners.map((listener) => listener.name), ["PLAINTEXT"]);
});

Deno.test("a broker-only node lists the voters and is not one of them", () => {
  const quorum = quorumConfigOf(
    clusterNode({ "node.id": "4", "process.roles": "broker", "listeners": "PLAINTEXT://127.0.0.1:9099" }),
  );
  assert.equal(quorum.isBroker, true);
  assert.equal(quorum.isController, false);
  assert.deepEqual(quorum.voterIds, [1, 2, 3]);
  assert.deepEqual(quorum.controllerListeners, []);
});

Deno.test("a node with the controller role must be among the voters", () => {
  assertConfigError(
    () => quorumConfigOf(clusterNode({ "node.id": "4" })),
    "controller.quorum.voters",
    /node 4 has the controller role but is not one of the voters/,
  );
});

Deno.test("a voter must have the controller role", () => {
  assertConfigError(
    () => quorumConfigOf(clusterNode({ "process.roles": "broker" })),
    "process.roles",
    /node 1 is a voter, so it needs the controller role/,
  );
});

Deno.test("a controller among several voters must name its controller listener", async (t) => {
  await t.step("controller.listener.names missing", () => {
    assertConfigError(
      () =>
        quorumConfigOf(
          clusterNode({ "controller.listener.names": undefined, "listeners": "PLAINTEXT://127.0.0.1:9092" }),
        ),
      "controller.listener.names",
      /must name a listener/,
    );
  });
  await t.step("controller.listener.names naming no listener", () => {
    assertConfigError(
      // The map is given: Kafka's default maps only the controller listener names it is given.
      () =>
        quorumConfigOf(clusterNode({
          "controller.listener.names": "OTHER",
          "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        })),
      "controller.listener.names",
      /must name a listener/,
    );
  });
});

Deno.test("several voters need a cluster.id", () => {
  assertConfigError(
    () => quorumConfigOf(clusterNode({ "cluster.id": undefined })),
    "cluster.id",
    /missing/,
  );
});

Deno.test("a broker whose only listener is the controller listener is refused", () => {
  assertConfigError(
    () => quorumConfigOf(clusterNode({ "listeners": "CONTROLLER://127.0.0.1:9093" })),
    "listeners",
    /not a controller listener/,
  );
});

Deno.test("bootstrap servers without voters make a dynamic quorum (KIP-853)", () => {
  const first = quorumConfigOf(clusterNode({
    "controller.quorum.voters": undefined,
    "controller.quorum.bootstrap.servers": "localhost:9093",
  }));
  // Its only bootstrap server is its own controller listener: it starts the quorum alone.
  assert.deepEqual(first.dynamic, {
    bootstrapServers: [{ host: "localhost", port: 9093 }],
    standalone: true,
  });
  assert.deepEqual(first.voterIds, [1]);
  const joining = quorumConfigOf(clusterNode({
    "node.id": "2",
    "listeners": "PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095",
    "controller.quorum.voters": undefined,
    "controller.quorum.bootstrap.servers": "127.0.0.1:9093",
  }));
  assert.equal(joining.dynamic?.standalone, false);
  assert.deepEqual(joining.voterIds, []);
  // Listing every controller on every node starts nobody alone (no two quorums are formed).
  const listingAll = quorumConfigOf(clusterNode({
    "controller.quorum.voters": undefined,
    "controller.quorum.bootstrap.servers": "127.0.0.1:9093,127.0.0.1:9095",
  }));
  assert.equal(listingAll.dynamic?.standalone, false);
  assertConfigError(
    () =>
      quorumConfigOf(clusterNode({
        "controller.quorum.voters": undefined,
        "controller.quorum.bootstrap.servers": "127.0.0.1",
      })),
    "controller.quorum.bootstrap.servers",
    /host:port/,
  );
  assertConfigError(
    () =>
      quorumConfigOf(clusterNode({
        "cluster.id": undefined,
        "controller.quorum.voters": undefined,
        "controller.quorum.bootstrap.servers": "127.0.0.1:9093",
      })),
    "cluster.id",
    /same cluster.id/,
  );
});

Deno.test("a broker-only node without voters is refused", () => {
  assertConfigError(
    () =>
      quorumConfigOf(
        clusterNode({ "process.roles": "broker", "controller.quorum.voters": undefined }),
      ),
    "controller.quorum.voters",
    /must list the controller voters/,
  );
});

Deno.test("a controller-only node serves only its controller listener", async (t) => {
  const quorum = quorumConfigOf(
    clusterNode({ "process.roles": "controller", "listeners": "CONTROLLER://127.0.0.1:9093" }),
  );
  assert.equal(quorum.isBroker, false);
  assert.equal(quorum.isController, true);
  assert.deepEqual(quorum.brokerListeners, []);
  await t.step("a client listener on it is refused", () => {
    assertConfigError(
      () => quorumConfigOf(clusterNode({ "process.roles": "controller" })),
      "listeners",
      /controller-only node serves only its controller listeners .*remove PLAINTEXT/,
    );
  });
  await t.step("without voters it is refused (it would serve nobody)", () => {
    assertConfigError(
      () =>
        quorumConfigOf(
          clusterNode({
            "process.roles": "controller",
            "controller.quorum.voters": undefined,
            "listeners": "CONTROLLER://127.0.0.1:9093",
          }),
        ),
      "controller.quorum.voters",
      /controller-only node must list the voters/,
    );
  });
});
