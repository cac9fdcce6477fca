/**
 * The end of a run, once every node has applied the same offset: the
 * nodes' images are one image, the one the common history replays to, and
 * every change the client saw acknowledged shows in it (as the ledger's
 * rules allow for what was not acknowledged).
 */
import { ConfigResourceType, type MetadataImage } from "../../../src/metadata/mod.ts";
import { InvariantViolation } from "../violation.ts";
import type { ClusterNode } from "../../scenarios/cluster/cluster_node.ts";
import type { AppliedHistory } from "./applied_history.ts";
import { ABSENT, type ChangeLedger, DEFAULT_CONFIG } from "./change_ledger.ts";
import { describeImage, summarizeImage } from "./image_description.ts";

const CONFIG_PREFIX = "config:";

/** The value of one ledger register in `image`. */
export function registerIn(image: MetadataImage, topic: string, register: string): string {
  const found = image.topicsByName.get(topic);
  if (register === "exists") return found?.topicIdString ?? ABSENT;
  if (register === "partitions") return String(found?.partitions.length ?? 0);
  if (!register.startsWith(CONFIG_PREFIX)) throw new Error(`unknown register ${register}`);
  const name = register.slice(CONFIG_PREFIX.length);
  return image.configsOf(ConfigResourceType.Topic, topic).get(name) ?? DEFAULT_CONFIG;
}

/** Throws the first disagreement; the nodes must all be running and at the same applied offset. */
export function checkFinalImages(
  nodes: readonly ClusterNode[],
  history: AppliedHistory,
  ledger: ChangeLedger,
): void {
  const brokers = nodes.map((node) => node.running!.broker);
  const offset = brokers[0]!.quorum.appliedOffset;
  const expected = describeImage(history.imageAt(offset));
  for (const broker of brokers) {
    if (describeImage(broker.image) !== expected) {
      throw new InvariantViolation(
        "every node ends with the image of the common history",
        `node ${broker.nodeId} at ${offset} has ${summarizeImage(broker.image)}, the history replays to ` +
          summarizeImage(history.imageAt(offset)),
      );
    }
  }
  const image = brokers[0]!.image;
  const problems = ledger.check((topic, register) => registerIn(image, topic, register));
  if (problems.length > 0) {
    throw new InvariantViolation(
      "acknowledged changes are in the final image",
      `${problems.length} disagreements at offset ${offset}; first: ${problems[0]}`,
    );
  }
}
