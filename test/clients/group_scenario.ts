/**
 * The consumer group scenario every client family runs against a real node
 * (test/group_*_interop_test.ts): a group of 3 consumes a topic of 6
 * partitions; one member is killed (SIGKILL) and another joins while more
 * records arrive; every record must be processed at least once and none
 * skipped. Then the members stop cleanly (committing), the committed offsets
 * must be the log ends, and a restarted group must read the records that arrive
 * next, each once, and nothing from before its commits.
 *
 * Members are separate processes that print one JSON line per processed
 * record ({"p": partition, "o": offset}) and per rebalance event.
 */
import assert from "node:assert/strict";
import type { KafkaClient } from "../../sim/clients/kafka_client.ts";
import { waitFor } from "../support/node_process.ts";
import { connectClient, createTopics, produceBatch } from "../support/raw_kafka.ts";

/** What a member process reported. */
export interface MemberEvent {
  event?: string;
  partitions?: number[];
  p?: number;
  o?: number;
}

/** How to start one member: the command, and how to read its output lines. */
export interface MemberCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Turns a stdout or stderr line into an event (default: JSON on stdout). */
  parse?: (line: string, stream: "stdout" | "stderr") => MemberEvent | null;
}

function parseJsonLine(line: string, stream: "stdout" | "stderr"): MemberEvent | null {
  if (stream !== "stdout" || !line.startsWith("{")) return null;
  try {
    return JSON.parse(line) as MemberEvent;
  } catch {
    return null;
  }
}

/** One running consumer process. */
export class MemberProcess {
  readonly records: { p: number; o: number }[] = [];
  readonly events: MemberEvent[] = [];
  readonly stderr: string[] = [];
  #child: Deno.ChildProcess;
  #done: Promise<unknown>;

  constructor(readonly name: string, spec: MemberCommand) {
    this.#child = new Deno.Command(spec.command, {
      args: spec.args,
      env: spec.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const parse = spec.parse ?? parseJsonLine;
    this.#done = Promise.all([
      this.#readLines(this.#child.stdout, (line) => this.#take(parse(line, "stdout"))),
      this.#readLines(this.#child.stderr, (line) => {
        if (this.stderr.length < 200) this.stderr.push(line);
        this.#take(parse(line, "stderr"));
      }),
      this.#child.status,
    ]);
  }

  #take(event: MemberEvent | null): void {
    if (event === null) return;
    if (event.p !== undefined && event.o !== undefined) this.records.push({ p: event.p, o: event.o });
    else this.events.push(event);
  }

  async #readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) onLine(line.trimEnd());
    }
    if (pending !== "") onLine(pending);
  }

  /** SIGKILL: the member crashes without leaving or committing. */
  async kill(): Promise<void> {
    this.#kill();
    await this.#done;
  }

  /** SIGTERM, then waits for the clean exit (commit, leave). */
  async stop(timeoutMs = 20000): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // It has exited already.
    }
    const timer = setTimeout(() => this.#kill(), timeoutMs);
    try {
      await this.#done;
    } finally {
      clearTimeout(timer);
    }
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It has exited already.
    }
  }

  /** Partitions assigned by the latest "assigned" event (or its increments, for cooperative members). */
  currentPartitions(): Set<number> {
    const owned = new Set<number>();
    for (const event of this.events) {
      if (event.event === "assigned") {
        for (const partition of event.partitions ?? []) owned.add(partition);
      }
      if (event.event === "revoked") {
        for (const partition of event.partitions ?? []) owned.delete(partition);
      }
    }
    return owned;
  }
}

/** The options of one scenario run. */
export interface ScenarioOptions {
  port: number;
  topic: string;
  group: string;
  /** The command of the `index`-th member started (0, 1, 2 first; 3 joins; 4-6 restart). */
  member: (index: number) => MemberCommand;
  partitions?: number;
  recordsPerPartition?: number;
  /**
   * Called once the first group is Stable, before the crash (extra checks,
   * e.g. static restarts). It may replace members, starting them with
   * `start(index)`; it returns the three members to carry on with.
   */
  whileStable?: (
    members: MemberProcess[],
    start: (index: number) => MemberProcess,
  ) => Promise<MemberProcess[]>;
}

async function produceRound(
  client: KafkaClient,
  options: Required<Pick<ScenarioOptions, "topic">>,
  partitions: number,
  count: number,
  round: number,
) {
  for (let partition = 0; partition < partitions; partition++) {
    const records = Array.from({ length: count }, (_, index) => ({
      timestamp: Date.now(),
      key: new TextEncoder().encode(`k${index}`),
      value: new TextEncoder().encode(`round-${round}-${partition}-${index}`),
    }));
    const response = await produceBatch(client, { topic: options.topic, partition, records });
    assert.equal(response.errorCode, 0);
  }
}

/** The group's state and member count (DescribeGroups v5). */
export async function describeGroup(
  client: KafkaClient,
  group: string,
): Promise<{ state: string; members: number }> {
  const response = await client.request(15, 5, { groups: [group], includeAuthorizedOperations: false });
  const described = response.groups[0]!;
  return { state: described.groupState, members: described.members.length };
}

async function waitStable(
  client: KafkaClient,
  group: string,
  members: number,
  what: string,
  timeoutMs = 30000,
) {
  await waitFor(
    async () => {
      const state = await describeGroup(client, group);
      return state.state === "Stable" && state.members === members;
    },
    timeoutMs,
    what,
  );
}

/** Committed offsets of the group for partitions 0..count-1 (OffsetFetch v7). */
async function committedOffsets(
  client: KafkaClient,
  group: string,
  topic: string,
  count: number,
): Promise<number[]> {
  const response = await client.request(9, 7, {
    groupId: group,
    topics: [{ name: topic, partitionIndexes: Array.from({ length: count }, (_, index) => index) }],
    requireStable: true,
  });
  return response.topics[0]!.partitions.map((partition) => partition.committedOffset);
}

/** The offsets from `start` up to `end` that no member has processed, as "partition:offset". */
function missingOffsets(members: MemberProcess[], partitions: number, end: number, start = 0): string[] {
  const seen = Array.from({ length: partitions }, () => new Set<number>());
  for (const member of members) for (const record of member.records) seen[record.p]?.add(record.o);
  return offsetRange(partitions, start, end)
    .filter((record) => !seen[record.p]!.has(record.o))
    .map((record) => `${record.p}:${record.o}`);
}

/** Every (partition, offset) with offsets from `start` up to `end`, in partition then offset order. */
function offsetRange(partitions: number, start: number, end: number): { p: number; o: number }[] {
  const range: { p: number; o: number }[] = [];
  for (let p = 0; p < partitions; p++) for (let o = start; o < end; o++) range.push({ p, o });
  return range;
}

/** Records in partition then offset order, duplicates kept. */
function sortedRecords(records: { p: number; o: number }[]): { p: number; o: number }[] {
  return [...records].sort((left, right) => left.p - right.p || left.o - right.o);
}

/** Runs the scenario; throws with the members' output on failure. */
export async function runGroupScenario(options: ScenarioOptions): Promise<void> {
  const partitions = options.partitions ?? 6;
  const perRound = options.recordsPerPartition ?? 40;
  const client = await connectClient(options.port);
  const started: MemberProcess[] = [];
  const start = (index: number) => {
    const member = new MemberProcess(`member-${index}`, options.member(index));
    started.push(member);
    return member;
  };
  try {
    assert.equal((await createTopics(client, [{ name: options.topic, partitions }])).get(options.topic), 0);
    await produceRound(client, options, partitions, perRound, 1);
    let first = [start(0), start(1), start(2)];
    await waitStable(client, options.group, 3, "a group of 3");
    await waitFor(
      () => first.reduce((sum, member) => sum + member.records.length, 0) >= perRound,
      30000,
      "records flowing",
    );
    if (options.whileStable) first = await options.whileStable(first, start);

    // One member crashes, another joins, and more records arrive meanwhile.
    await first[0]!.kill();
    const joiner = start(3);
    await produceRound(client, options, partitions, perRound, 2);
    await waitFor(
      () => missingOffsets(started, partitions, 2 * perRound).length === 0,
      60000,
      "every record processed",
    );
    await waitStable(client, options.group, 3, "the group without the crashed member");
    for (const member of [first[1]!, first[2]!, joiner]) await member.stop();
    assert.deepEqual(missingOffsets(started, partitions, 2 * perRound), [], "none skipped");
    assert.deepEqual(
      await committedOffsets(client, options.group, options.topic, partitions),
      Array(partitions).fill(2 * perRound),
      "everything processed is committed",
    );

    // Restarted, the group resumes from its commits: nothing is read twice. A third round arrives once the
    // group is settled, and the wait is for the members to have read all of it. A member reads a partition
    // in offset order, so a member that went back before its commit has read those records again by then:
    // a slow member makes the wait longer, never the check weaker.
    const restarted = [start(4), start(5), start(6)];
    await waitStable(client, options.group, 3, "the restarted group");
    await waitFor(
      () => restarted.every((member) => member.currentPartitions().size > 0),
      20000,
      "assignments",
    );
    await produceRound(client, options, partitions, perRound, 3);
    const third = offsetRange(partitions, 2 * perRound, 3 * perRound);
    await waitFor(
      () => missingOffsets(restarted, partitions, 3 * perRound, 2 * perRound).length === 0,
      60000,
      "the restarted group to process the third round",
    );
    for (const member of restarted) await member.stop();
    assert.deepEqual(
      sortedRecords(restarted.flatMap((member) => member.records)),
      third,
      "after the restart, every record of the third round read once and nothing earlier read again",
    );
    assert.deepEqual(
      await committedOffsets(client, options.group, options.topic, partitions),
      Array(partitions).fill(3 * perRound),
      "the third round is committed",
    );
  } catch (error) {
    for (const member of started) {
      console.error(
        `--- ${member.name}: ${member.records.length} records, events ${JSON.stringify(member.events)}`,
      );
      console.error(member.stderr.slice(-20).join("\n"));
    }
    throw error;
  } finally {
    await Promise.all(started.map((member) => member.kill()));
    client.close();
  }
}
