/**
 * Trace validation of src/replication against spec/isr.qnt: traces drawn
 * by `quint run` from the spec are replayed through the real leader and
 * follower state machines (isr_code_replay.ts), which must compute what
 * the spec's next states say. The traces come from `isr_trace`
 * (min.insync.replicas=1): at 2, the code's leader moves the high watermark
 * while the ISR is below min ISR, which KIP-966 forbids (see the ignored
 * test below).
 */
import assert from "node:assert/strict";
import { decodeItfTrace } from "./itf.ts";
import { replayIsrTraces } from "./isr_code_replay.ts";

const QUINT = "npm:@informalsystems/quint@0.33.1";
const SPEC_DIRECTORY = new URL("..", import.meta.url).pathname;

async function drawTraces(directory: string, main: string, count: number, seed: string): Promise<void> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      QUINT,
      "run",
      "isr.qnt",
      "--backend=typescript",
      `--main=${main}`,
      `--max-samples=${count}`,
      "--max-steps=60",
      `--seed=${seed}`,
      "--verbosity=1",
      `--out-itf=${directory}/trace_{seq}.itf.json`,
      `--n-traces=${count}`,
    ],
    cwd: SPEC_DIRECTORY,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stdout) + decoder.decode(stderr));
}

async function replayDrawn(main: string, traces: number, seed: string, minInsyncReplicas = 1) {
  const directory = await Deno.makeTempDir({ prefix: "isr-itf-" });
  try {
    await drawTraces(directory, main, traces, seed);
    const files = [...Deno.readDirSync(directory)].filter((entry) => entry.name.endsWith(".itf.json"));
    assert.equal(files.length, traces);
    return replayIsrTraces(
      files.map((entry) => ({
        name: entry.name,
        trace: decodeItfTrace(JSON.parse(Deno.readTextFileSync(`${directory}/${entry.name}`))),
      })),
      minInsyncReplicas,
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("src/replication computes what the ISR spec says at every step of its random traces", async () => {
  const replay = await replayDrawn("isr_trace", 40, "0x15b");
  assert.equal(replay.mismatch, null);
  assert.ok(replay.steps > 1000, `only ${replay.steps} steps replayed`);
  for (const action of ["fetch", "fetchResponseLost", "learnMetadata", "expandIsr", "shrinkIsr", "produce"]) {
    assert.ok(replay.actions.has(action), `no ${action} in the traces: ${[...replay.actions].join(", ")}`);
  }
});

// KIP-966's strict min ISR (KAFKA-15583): the high watermark does not move while the ISR is below
// min.insync.replicas (the `isr` instance has min ISR 2), so an ELR member elected later has everything
// committed. Before LeaderState had the rule, 34 of these 60 traces mismatched.
Deno.test("src/replication computes what the ISR spec says at min.insync.replicas=2", async () => {
  const replay = await replayDrawn("isr", 40, "0x15b", 2);
  assert.equal(replay.mismatch, null);
});
