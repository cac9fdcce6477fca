/**
 * At start-up, partition folders that the metadata log does not know (a log
 * directory written by Kafka in ZooKeeper mode, or folders copied in) become
 * topics of this node, so that every record in them is served at its offset.
 * Only the active controller can record them; another node leaves them be
 * (and says so), since a cluster's topics are the controller's to create.
 */
import type { World } from "../io/mod.ts";
import { type LogManager, partitionDirectoryName, readPartitionMetadata } from "../log/mod.ts";
import { decideAdoption, type PartitionFolder } from "../metadata/mod.ts";
import { randomUuid } from "../protocol/mod.ts";
import type { Broker } from "./broker.ts";

export async function adoptUnknownPartitions(world: World, logs: LogManager, broker: Broker): Promise<void> {
  const unknown = logs.partitionsOnDisk().filter(({ topic }) => !broker.image.topicsByName.has(topic));
  if (unknown.length === 0) return;
  if (!broker.quorum.isActiveController) {
    world.log(
      `not adopting ${unknown.length} unknown partition folders: this node is not the active controller`,
    );
    return;
  }
  const folders: PartitionFolder[] = unknown.map(({ topic, partition }) => {
    const directory = `${logs.directory}/${partitionDirectoryName(topic, partition)}`;
    const log = logs.open({ topic, partition });
    return {
      topic,
      partition,
      topicId: readPartitionMetadata(world.disk, directory),
      latestEpoch: log.latestEpoch,
    };
  });
  const records = decideAdoption(broker.image, folders, broker.nodeId, () => randomUuid(world.random));
  if (records.length === 0) return;
  await broker.controllerChannel.exclusive(() => broker.quorum.propose(records));
  world.log(
    `adopted ${new Set(folders.map((folder) => folder.topic)).size} topics found in ${logs.directory}`,
  );
}
