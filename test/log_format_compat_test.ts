/**
 * The files Dafka writes are the files Kafka writes: Kafka 2.7.1's batches,
 * appended by Dafka with their offsets kept (as a follower appends), give a
 * segment byte-identical to Kafka's, and `dafka dump-log` prints and verifies
 * both alike.
 */
import assert from "node:assert/strict";
import { DenoClock, DenoDisk } from "../src/io/mod.ts";
import { LogManager } from "../src/log/mod.ts";
import { runDumpLog } from "../src/tools/mod.ts";

const FIXTURE = new URL("./fixtures/kafka-2.7.1-logdir/kafka-logs/", import.meta.url).pathname;

function dump(args: string[]): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = runDumpLog(args, {
    readFile: (path) => {
      try {
        return Deno.readFileSync(path);
      } catch {
        return null;
      }
    },
    print: (line) => lines.push(line),
  });
  return { code, lines };
}

for (const partition of [8, 33]) {
  Deno.test(`Kafka's __consumer_offsets-${partition} batches appended by Dafka give Kafka's segment bytes`, () => {
    const kafkaSegment = Deno.readFileSync(
      `${FIXTURE}/__consumer_offsets-${partition}/00000000000000000000.log`,
    );
    const directory = Deno.makeTempDirSync({ prefix: "dafka-compat-" });
    try {
      const logs = LogManager.open({ disk: new DenoDisk(), clock: new DenoClock(), directory });
      const log = logs.open({ topic: "__consumer_offsets", partition });
      const result = log.appendAsFollower(kafkaSegment, Date.now());
      assert.equal(result.errorCode, 0);
      logs.closeAll();
      const dafkaSegment = `${directory}/__consumer_offsets-${partition}/00000000000000000000.log`;
      assert.deepEqual(Deno.readFileSync(dafkaSegment), kafkaSegment);
      const fromKafka = dump([
        "--files",
        `${FIXTURE}/__consumer_offsets-${partition}/00000000000000000000.log`,
        "--print-data-log",
        "--verify",
      ]);
      const fromDafka = dump(["--files", dafkaSegment, "--print-data-log", "--verify"]);
      assert.equal(fromKafka.code, 0);
      assert.equal(fromDafka.code, 0);
      assert.deepEqual(fromDafka.lines, fromKafka.lines);
      assert.ok(fromKafka.lines.some((line) => line.includes("isvalid: true")));
      const index = dump([
        "--files",
        `${dafkaSegment.replace(".log", ".index")},${dafkaSegment.replace(".log", ".timeindex")}`,
        "--verify",
      ]);
      assert.equal(index.code, 0, index.lines.join("\n"));
    } finally {
      Deno.removeSync(directory, { recursive: true });
    }
  });
}

Deno.test("dump-log --verify reports a batch whose CRC does not match", () => {
  const directory = Deno.makeTempDirSync({ prefix: "dafka-dump-" });
  try {
    const segment = Deno.readFileSync(`${FIXTURE}/__consumer_offsets-8/00000000000000000000.log`);
    segment[100] = segment[100]! ^ 0xff;
    Deno.writeFileSync(`${directory}/00000000000000000000.log`, segment);
    const result = dump(["--files", `${directory}/00000000000000000000.log`, "--verify"]);
    assert.equal(result.code, 1);
    assert.ok(result.lines.some((line) => line.startsWith("PROBLEM") && line.includes("CRC")));
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("dump-log prints Kafka's producer snapshots", () => {
  const result = dump(["--files", `${FIXTURE}/myTopic-0/00000000000000000038.snapshot`]);
  assert.equal(result.code, 0);
  assert.ok(
    result.lines.filter((line) => line.startsWith("producerId:")).length >= 1,
    result.lines.join("\n"),
  );
});
