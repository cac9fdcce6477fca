import assert from "node:assert/strict";
import { decodeRecord, encodeRecord, MetadataRecordType } from "../metadata/mod.ts";
import { SeededRandom, SimDisk } from "../io/sim/mod.ts";
import { ControlRecordType } from "../protocol/mod.ts";
import { decodeRaftBatches } from "./batch_codec.ts";
import { decodeSnapshotHeader } from "./control_records.ts";
import {
  buildSnapshotBytes,
  deleteSnapshotsBefore,
  isValidSnapshot,
  listSnapshots,
  parseSnapshotFileName,
  readLatestSnapshot,
  readSnapshotValues,
  snapshotFileName,
  SnapshotFormatError,
  writeSnapshot,
} from "./snapshot_file.ts";

const values = [[new Uint8Array([1]), new Uint8Array([2, 2])], [new Uint8Array([3])]];

Deno.test("snapshot files are named by end offset (20 digits) and epoch (10 digits)", () => {
  assert.equal(snapshotFileName({ endOffset: 1234, epoch: 5 }), "00000000000000001234-0000000005.checkpoint");
  assert.deepEqual(parseSnapshotFileName("00000000000000001234-0000000005.checkpoint"), {
    endOffset: 1234,
    epoch: 5,
  });
  assert.equal(parseSnapshotFileName("00000000000000001234-0000000005.checkpoint.part"), null);
  assert.equal(parseSnapshotFileName("quorum-state"), null);
});

Deno.test("a snapshot is framed by a SnapshotHeader and a SnapshotFooter and numbered from 0", () => {
  const bytes = buildSnapshotBytes({
    snapshotId: { endOffset: 40, epoch: 3 },
    lastContainedLogTimestampMs: 77,
    values,
  });
  const batches = decodeRaftBatches(bytes);
  assert.deepEqual(batches.map((batch) => [batch.baseOffset, batch.epoch, batch.control]), [
    [0, 3, true],
    [1, 3, false],
    [3, 3, false],
    [4, 3, true],
  ]);
  const header = batches[0]!.records[0]!;
  assert.ok(
    header.type === "control" && header.controlType === ControlRecordType.SnapshotHeader &&
      header.value !== null,
  );
  assert.deepEqual(decodeSnapshotHeader(header.value), { version: 0, lastContainedLogTimestamp: 77 });
  const footer = batches[3]!.records[0]!;
  assert.ok(footer.type === "control" && footer.controlType === ControlRecordType.SnapshotFooter);
  assert.deepEqual(readSnapshotValues(bytes), values);
});

Deno.test("a malformed snapshot is refused: cut, without its frame, or with a bad CRC", () => {
  const bytes = buildSnapshotBytes({
    snapshotId: { endOffset: 40, epoch: 3 },
    lastContainedLogTimestampMs: 0,
    values,
  });
  assert.ok(isValidSnapshot(bytes));
  assert.throws(() => readSnapshotValues(bytes.subarray(0, bytes.length - 5)), SnapshotFormatError);
  assert.throws(() => readSnapshotValues(new Uint8Array(0)), SnapshotFormatError);
  const flipped = bytes.slice();
  flipped[100] = flipped[100]! ^ 0xff;
  assert.ok(!isValidSnapshot(flipped));
  const withoutFooter = buildSnapshotBytes({
    snapshotId: { endOffset: 1, epoch: 1 },
    lastContainedLogTimestampMs: 0,
    values: [],
  });
  assert.ok(!isValidSnapshot(withoutFooter.subarray(0, withoutFooter.length / 2)));
});

Deno.test("the newest well-framed snapshot is found; older ones can be deleted", () => {
  const view = new SimDisk(new SeededRandom(2)).view(null);
  const make = (endOffset: number) => ({
    id: { endOffset, epoch: 1 },
    bytes: buildSnapshotBytes({
      snapshotId: { endOffset, epoch: 1 },
      lastContainedLogTimestampMs: 0,
      values,
    }),
  });
  writeSnapshot(view, "/meta", make(10));
  writeSnapshot(view, "/meta", make(20));
  view.writeFileAtomic(`/meta/${snapshotFileName({ endOffset: 30, epoch: 1 })}`, new Uint8Array([1, 2, 3]));
  assert.deepEqual(readLatestSnapshot(view, "/meta")?.id, { endOffset: 20, epoch: 1 });
  deleteSnapshotsBefore(view, "/meta", { endOffset: 20, epoch: 1 });
  assert.deepEqual(listSnapshots(view, "/meta").map((id) => id.endOffset), [20, 30]);
});

Deno.test("a Raft snapshot of metadata records reads back as those records", () => {
  const disk = new SimDisk(new SeededRandom(3)).view(null);
  const directory = "/data/__cluster_metadata-0";
  const topic = encodeRecord({ type: MetadataRecordType.Topic, name: "orders", topicId: new Uint8Array(16) });
  const snapshotId = { endOffset: 5, epoch: 2 };
  writeSnapshot(disk, directory, {
    id: snapshotId,
    bytes: buildSnapshotBytes({ snapshotId, lastContainedLogTimestampMs: 0, values: [[topic]] }),
  });
  const snapshot = readLatestSnapshot(disk, directory)!;
  assert.deepEqual(snapshot.id, snapshotId);
  const replayed = readSnapshotValues(snapshot.bytes).flat().map(decodeRecord);
  assert.equal(replayed.length, 1);
  assert.deepEqual(replayed[0], {
    type: MetadataRecordType.Topic,
    name: "orders",
    topicId: new Uint8Array(16),
  });
});
