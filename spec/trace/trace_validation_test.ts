/**
 * Trace validation: the real Raft core, run by the simulator under faults
 * (loss, duplication, reordering, partitions, crashes that lose unsynced
 * writes, pauses), is checked step by step against the spec's actions. And
 * the check can fail: with a rule of the core flipped (its test-only planted
 * bugs), the first step that disagrees with the spec is caught.
 *
 * The spec models no snapshots, observers or bad input, so those are off in
 * these runs (the simulator's own checkers cover them).
 */
import assert from "node:assert/strict";
import { runRaftSeed } from "../../sim/scenarios/raft/run.ts";
import type { RaftSimOptions } from "../../sim/scenarios/raft/options.ts";
import type { PlantedBugs } from "../../src/raft/mod.ts";
import { SpecModel } from "./spec_model.ts";
import { type CheckedEntry, describeDivergence, type Divergence, TraceChecker } from "./trace_checker.ts";

function modelFor(voters: number[]): SpecModel {
  return new SpecModel({
    voters,
    maxEpoch: Infinity,
    maxLogLength: Infinity,
    maxMessagesInFlight: Infinity,
    bugDoubleVote: false,
    bugCommitPreviousEpoch: false,
  });
}

/** The seed's options, restricted to what the spec models. */
function modelled(voters: number[]): (options: RaftSimOptions) => RaftSimOptions {
  return (options) => ({
    ...options,
    voters,
    observers: [],
    safetyPhaseMs: 8_000,
    faults: { ...options.faults, badInputIntervalMs: Infinity },
    workload: { ...options.workload, snapshotEveryBatches: Infinity },
    // The spec's voters are static: voter changes (KIP-853) are not modelled.
    membership: null,
  });
}

interface SeedCheck {
  divergence: Divergence | null;
  checker: TraceChecker;
  restarts: number;
}

async function checkSeed(seed: number, voters: number[], bugs: PlantedBugs = {}): Promise<SeedCheck> {
  const checker = new TraceChecker(modelFor(voters));
  let divergence: Divergence | null = null;
  let restarts = 0;
  await runRaftSeed(seed, {
    bugs,
    adjust: modelled(voters),
    trace: (entry: CheckedEntry) => {
      if (divergence !== null) return;
      if (entry.input.kind === "start" && (entry.incarnation ?? 0) > 0) restarts++;
      divergence = checker.check(entry);
    },
  });
  return { divergence, checker, restarts };
}

Deno.test("every step of the Raft core in simulator runs is a step of the spec", async (t) => {
  for (const [voters, seeds] of [[[1, 2, 3], 16], [[1, 2, 3, 4, 5], 6]] as const) {
    await t.step(`${voters.length} voters, ${seeds} seeds`, async () => {
      let steps = 0;
      let restarts = 0;
      const kinds = new Map<string, number>();
      for (let seed = 1; seed <= seeds; seed++) {
        const result = await checkSeed(seed, [...voters]);
        if (result.divergence !== null) assert.fail(`seed ${seed}: ${describeDivergence(result.divergence)}`);
        steps += result.checker.steps;
        restarts += result.restarts;
        for (const [kind, count] of result.checker.kinds) kinds.set(kind, (kinds.get(kind) ?? 0) + count);
      }
      // The runs did what the spec must account for: messages, timers, proposals, syncs, crashes.
      assert.ok(steps > 5_000, `only ${steps} steps`);
      assert.ok(restarts > 0, "no node restarted");
      for (const kind of ["step", "tick", "propose", "ready", "advance"]) {
        assert.ok((kinds.get(kind) ?? 0) > 0, `no ${kind} input`);
      }
    });
  }
});

/** The first divergence in seeds 1 to `seedsMax` with `bugs` planted. */
async function firstDivergence(
  bugs: PlantedBugs,
  seedsMax: number,
): Promise<{ seed: number; divergence: Divergence }> {
  for (let seed = 1; seed <= seedsMax; seed++) {
    const { divergence } = await checkSeed(seed, [1, 2, 3], bugs);
    if (divergence !== null) return { seed, divergence };
  }
  throw new Error(`no divergence in ${seedsMax} seeds`);
}

Deno.test("trace validation catches a leader that commits entries of earlier epochs by counting replicas", async () => {
  const { seed, divergence } = await firstDivergence({ commitPreviousEpochByCounting: true }, 3);
  // The leader raised its high watermark on a fetch before its own epoch's entry was on a majority.
  assert.equal(seed, 1);
  assert.match(divergence.input, /step FetchRequest/);
  assert.match(divergence.actual, /"role":"Leader"/);
});

Deno.test("trace validation catches a voter that grants a second vote in one epoch", async () => {
  const { divergence } = await firstDivergence({ voteTwiceInOneEpoch: true }, 20);
  assert.match(divergence.input, /step VoteRequest/);
  assert.match(divergence.reason, /none the spec allows/);
});
