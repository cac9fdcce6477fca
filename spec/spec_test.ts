/**
 * The Quint spec's checks, as `deno task spec` and CI run them, with Quint
 * (npm:@informalsystems/quint, pinned in package.json with antlr4ts
 * 0.5.0-alpha.4) as a subprocess of this Deno, on its TypeScript backend
 * (the Rust backend and Apalache download binaries, which CI cannot):
 *
 * - the scenario tests of raft_test.qnt;
 * - a random simulation of raft.qnt with every invariant checked after
 *   every step, whose traces the TypeScript mirror of the spec then replays
 *   (so the trace checker, built on the mirror, says what the spec says);
 * - the proof that the simulation can fail: a variant with a planted bug;
 * - the same for isr.qnt (ISR replication with KIP-966's ELR): a random
 *   simulation with its invariants, and each planted bug of isr_bugs.qnt caught.
 */
import assert from "node:assert/strict";
import { decodeItfTrace } from "./trace/itf.ts";
import { RAFT_MODULE_CONSTANTS, replayItfTraces } from "./trace/itf_replay.ts";
import { SpecModel } from "./trace/spec_model.ts";

const QUINT = "npm:@informalsystems/quint@0.33.1";
const SPEC_DIRECTORY = new URL(".", import.meta.url).pathname;

/** The invariants of raft.qnt, one by one (a violation then names the one that failed). */
const RAFT_INVARIANTS = [
  "NoIllegalState",
  "ElectionSafety",
  "LogMatching",
  "HighWatermarkAgreement",
  "HighWatermarkWithinLog",
  "CommittedEntriesStable",
  "LeaderCompleteness",
];

/** Runs `quint <args>` in the spec folder; stdout and stderr together. */
async function quint(args: string[]): Promise<{ code: number; output: string }> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", QUINT, ...args],
    cwd: SPEC_DIRECTORY,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

/** `quint run` of `main` in `file`, checking the invariants of raft.qnt. */
function quintRun(
  file: string,
  main: string,
  options: { maxSamples: number; seed: string; extra?: string[] },
) {
  return quint([
    "run",
    file,
    "--backend=typescript",
    `--main=${main}`,
    `--max-samples=${options.maxSamples}`,
    "--max-steps=100",
    `--seed=${options.seed}`,
    "--verbosity=1",
    ...(options.extra ?? []),
    "--invariants",
    ...RAFT_INVARIANTS,
  ]);
}

/** How many runs a `--witnesses` property held in (-1 when quint did not report it). */
function witnessCount(output: string, name: string): number {
  const match = output.match(new RegExp(`${name} was witnessed in (\\d+) trace`));
  return match === null ? -1 : Number(match[1]);
}

Deno.test("the spec's scenario tests pass, and the planted commit bug breaks leader completeness", async () => {
  // Every test is a fixed scenario: one run each.
  const [correct, buggy] = await Promise.all([
    quint(["test", "raft_test.qnt", "--backend=typescript", "--max-samples=1", "--main=raft_test"]),
    quint([
      "test",
      "raft_test.qnt",
      "--backend=typescript",
      "--max-samples=1",
      "--main=raft_test_bug_commit_previous_epoch",
    ]),
  ]);
  assert.equal(correct.code, 0, correct.output);
  assert.match(correct.output, /5 passing/);
  assert.equal(buggy.code, 0, buggy.output);
  assert.match(buggy.output, /1 passing/);
});

Deno.test("no invariant fails in a random simulation of the spec, and the mirror computes its every step", async () => {
  const directory = await Deno.makeTempDir({ prefix: "raft-itf-" });
  try {
    const traces = 30;
    const result = await quintRun("raft.qnt", "raft", {
      maxSamples: 120,
      seed: "0x7a17",
      extra: [
        "--witnesses",
        "CommitHappened",
        "SecondLeaderElected",
        `--out-itf=${directory}/trace_{seq}.itf.json`,
        `--n-traces=${traces}`,
      ],
    });
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /No violation found/);
    // The runs reach commits and later elections: the invariants were checked where it matters.
    assert.ok(witnessCount(result.output, "CommitHappened") > 0, result.output);
    assert.ok(witnessCount(result.output, "SecondLeaderElected") > 0, result.output);

    const files = [...Deno.readDirSync(directory)].filter((entry) => entry.name.endsWith(".itf.json"));
    assert.equal(files.length, traces);
    const replay = replayItfTraces(
      new SpecModel(RAFT_MODULE_CONSTANTS),
      files.map((entry) => ({
        name: entry.name,
        trace: decodeItfTrace(JSON.parse(Deno.readTextFileSync(`${directory}/${entry.name}`))),
      })),
    );
    assert.equal(replay.mismatch, null);
    assert.ok(replay.steps > 2000, `only ${replay.steps} steps replayed`);
    for (
      const action of [
        "receive VoteRequest",
        "receive VoteResponse",
        "receive FetchRequest",
        "receive FetchResponse",
      ]
    ) {
      assert.ok(replay.actions.has(action), `no ${action} in the traces: ${[...replay.actions].join(", ")}`);
    }
    for (const action of ["timeout", "restart", "flush", "clientRequest", "send", "drop"]) {
      assert.ok(replay.actions.has(action), `no ${action} in the traces: ${[...replay.actions].join(", ")}`);
    }
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("the random simulation catches a voter that votes twice in one epoch (two leaders in an epoch)", async () => {
  // This seed finds it after about 150 runs; the bound leaves room for changes to the spec.
  const result = await quintRun("raft_bugs.qnt", "raft_bug_double_vote", { maxSamples: 3000, seed: "16" });
  assert.notEqual(result.code, 0, result.output);
  assert.match(result.output, /Found an issue/);
  assert.match(result.output, /ElectionSafety/);
});

/** The invariants of isr.qnt, one by one. */
const ISR_INVARIANTS = [
  "NoFencedInIsr",
  "ElrRules",
  "LeaderCandidateCompleteness",
  "LeaderCompleteness",
  "LogMatchingBelowHw",
  "CommittedStable",
  "NoAckedRecordLost",
  "ConsistentReads",
];

/** `quint run` of `main` in `file`, checking the invariants of isr.qnt. */
function isrRun(
  file: string,
  main: string,
  options: { maxSamples: number; maxSteps: number; seed: string; extra?: string[] },
) {
  return quint([
    "run",
    file,
    "--backend=typescript",
    `--main=${main}`,
    `--max-samples=${options.maxSamples}`,
    `--max-steps=${options.maxSteps}`,
    `--seed=${options.seed}`,
    "--verbosity=1",
    ...(options.extra ?? []),
    "--invariants",
    ...ISR_INVARIANTS,
  ]);
}

/**
 * Each planted bug of isr_bugs.qnt, the seed and run budget that catch it,
 * and the invariant that fails. The deep ones need a precise schedule: their
 * seeds come from longer searches (`quint run` with a few thousand samples
 * prints the seed of the failing run), so a change to isr.qnt may need new
 * seeds; `maxSamples` leaves room.
 */
const ISR_BUGS = [
  {
    main: "isr_bug_truncate_to_hw",
    seed: "0x1",
    maxSamples: 1500,
    maxSteps: 60,
    invariant: /LeaderCandidateCompleteness|LeaderCompleteness|NoAckedRecordLost/,
  },
  {
    main: "isr_bug_join_before_epoch_start",
    seed: "0x18c4b1",
    maxSamples: 200,
    maxSteps: 35,
    invariant: /LeaderCandidateCompleteness/,
  },
  {
    main: "isr_bug_fenced_joins_isr",
    seed: "0x1",
    maxSamples: 1500,
    maxSteps: 60,
    invariant: /NoFencedInIsr/,
  },
  {
    main: "isr_bug_ack_before_isr",
    seed: "0x1",
    maxSamples: 1500,
    maxSteps: 60,
    invariant: /NoAckedRecordLost/,
  },
  {
    main: "isr_bug_no_epoch_fencing",
    seed: "0xe7ca4",
    maxSamples: 200,
    maxSteps: 40,
    invariant: /LeaderCandidateCompleteness/,
  },
];

// One test runs the correct spec and the bugs side by side: each `quint run` is one process on one core.
Deno.test("no invariant of the ISR spec fails in a random simulation that reaches acks, failovers, the ELR, reads and lossy crashes, and each planted bug is caught", async () => {
  const witnesses = [
    "AckHappened",
    "LeaderChangedAfterAck",
    "ElrUsed",
    "ConsumedSomething",
    "LossyCrashHappened",
  ];
  const [correct, ...buggy] = await Promise.all([
    isrRun("isr.qnt", "isr", {
      maxSamples: 200,
      maxSteps: 60,
      seed: "0x15a",
      extra: ["--witnesses", ...witnesses],
    }),
    ...ISR_BUGS.map((bug) => isrRun("isr_bugs.qnt", bug.main, bug)),
  ]);
  assert.equal(correct!.code, 0, correct!.output);
  assert.match(correct!.output, /No violation found/);
  for (const witness of witnesses) {
    assert.ok(witnessCount(correct!.output, witness) > 0, `${witness}: ${correct!.output}`);
  }
  ISR_BUGS.forEach((bug, index) => {
    const { code, output } = buggy[index]!;
    assert.notEqual(code, 0, `${bug.main} was not caught: ${output}`);
    assert.match(output, /Found an issue/, bug.main);
    assert.match(output, bug.invariant, `${bug.main}: ${output}`);
  });
});
