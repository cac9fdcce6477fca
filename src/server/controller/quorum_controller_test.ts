/**
 * The quorum controller's follow-ups to a decision, over a stand-in quorum
 * that applies what it commits: turning `unclean.leader.election.enable` on
 * elects the partitions left without a leader, and the static value comes from
 * the node's configuration.
 */
import assert from "node:assert/strict";
import {
  ConfigResourceType,
  MetadataImage,
  type MetadataRecord,
  MetadataRecordType,
} from "../../metadata/mod.ts";
import { QuorumController } from "./quorum_controller.ts";

const TOPIC_ID = Uint8Array.from({ length: 16 }, (_, index) => index + 1);

/** Broker 1 (fenced) was the only ISR member of a partition also placed on live broker 2. */
function leaderlessPartition(): MetadataImage {
  const image = new MetadataImage();
  for (const brokerId of [1, 2]) {
    image.apply({
      type: MetadataRecordType.RegisterBroker,
      brokerId,
      brokerEpoch: 10 + brokerId,
      incarnationId: new Uint8Array(16).fill(brokerId),
      endPoints: [],
      rack: null,
      fenced: brokerId === 1,
    });
  }
  image.apply({ type: MetadataRecordType.Topic, name: "orders", topicId: TOPIC_ID });
  image.apply({
    type: MetadataRecordType.Partition,
    topicId: TOPIC_ID,
    partitionId: 0,
    replicas: [1, 2],
    isr: [1],
    leader: -1,
    leaderEpoch: 3,
    partitionEpoch: 4,
  });
  return image;
}

function controllerOver(image: MetadataImage, staticUnclean = false) {
  const proposed: MetadataRecord[][] = [];
  const controller = new QuorumController({
    metadata: {
      image,
      nodeId: 1,
      clusterId: "c",
      config: { bool: () => staticUnclean },
    },
    quorum: {
      propose: (records) => {
        proposed.push(records);
        for (const record of records) image.apply(record);
        return Promise.resolve();
      },
      logEndOffset: 0,
    },
    sessions: { touch: () => {}, sessionActive: () => false },
    placementContext: () => {
      throw new Error("nothing is placed here");
    },
    log: () => {},
  });
  return { controller, proposed };
}

Deno.test("turning unclean.leader.election.enable on for a topic elects its leaderless partitions", async () => {
  const image = leaderlessPartition();
  const { controller, proposed } = controllerOver(image);
  await controller.incrementalAlterConfigs({
    resourceType: ConfigResourceType.Topic,
    resourceName: "orders",
    changes: [{ name: "unclean.leader.election.enable", operation: 0, value: "true" }],
  }, false);
  assert.equal(proposed.length, 2, "the config, then the elections");
  const partition = image.topicsByName.get("orders")!.partitions[0]!;
  assert.deepEqual([partition.leader, partition.isr, partition.leaderRecoveryState], [2, [2], 1]);
});

Deno.test("a config change that leaves unclean election off elects nothing", async () => {
  const image = leaderlessPartition();
  const { controller, proposed } = controllerOver(image);
  await controller.incrementalAlterConfigs({
    resourceType: ConfigResourceType.Topic,
    resourceName: "orders",
    changes: [{ name: "unclean.leader.election.enable", operation: 0, value: "false" }],
  }, false);
  assert.equal(proposed.length, 1);
  assert.equal(image.topicsByName.get("orders")!.partitions[0]!.leader, -1);
});

Deno.test("the node's static setting applies when neither the topic nor the cluster says", async () => {
  const image = leaderlessPartition();
  const { controller } = controllerOver(image, true);
  await controller.incrementalAlterConfigs({
    resourceType: ConfigResourceType.Topic,
    resourceName: "orders",
    changes: [{ name: "unclean.leader.election.enable", operation: 1, value: null }],
  }, false);
  assert.equal(image.topicsByName.get("orders")!.partitions[0]!.leader, 2);
});
