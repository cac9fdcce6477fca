/**
 * The shape DESIGN.md asks for, checked: no import circle in `src/`
 * (type-only imports count too, since a circle of types is still one design
 * knot), and the I/O seam is the only code that reaches the world.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms;

function sourceFiles(folder: string, tests: boolean): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory) {
      if (entry.name !== "node_modules" && entry.name !== "fixtures") files.push(...sourceFiles(path, tests));
    } else if (entry.name.endsWith(".ts") && (tests || !entry.name.endsWith("_test.ts"))) files.push(path);
  }
  return files;
}

/** Each source file's relative imports, as paths from the repository root (tests left out unless asked). */
export function importGraph(folder: string, options: { tests?: boolean } = {}): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(join(ROOT, folder), options.tests ?? false)) {
    const text = Deno.readTextFileSync(file);
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1]!;
      if (!specifier.startsWith(".")) continue;
      targets.push(relative(ROOT, normalize(join(dirname(file), specifier))));
    }
    graph.set(relative(ROOT, file), targets);
  }
  return graph;
}

/** The strongly connected components with more than one file (Tarjan's algorithm). */
export function importCircles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) circles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return circles;
}

for (const folder of ["src", "sim"]) {
  Deno.test(`no import circle in ${folder}/, type-only imports included`, () => {
    const circles = importCircles(importGraph(folder));
    assert.deepEqual(circles.map((circle) => `${circle.length} files: ${circle.join(", ")}`), []);
  });
}

Deno.test("src/ never imports sim/ or test/ (the simulator and the tests drive the node, not the reverse)", () => {
  const upward = [...importGraph("src")].flatMap(([file, targets]) =>
    targets.filter((target) => target.startsWith("sim/") || target.startsWith("test/")).map((target) =>
      `${file} -> ${target}`
    )
  );
  assert.deepEqual(upward, []);
});

/**
 * Which top-level folders of src/ each may import (docs/architecture.md shows the same table): dependencies point
 * down, from the node's drivers to the cores to the wire format and the I/O seam.
 */
const ALLOWED: Record<string, readonly string[]> = {
  "main.ts": ["server", "tools", "config", "io"],
  server: ["group", "txn", "security", "metadata", "raft", "replication", "log", "config", "protocol", "io"],
  tools: ["log", "protocol"],
  group: ["config", "protocol"],
  metadata: ["config", "protocol"],
  raft: ["log", "protocol", "io"],
  replication: [],
  log: ["protocol", "io"],
  protocol: ["io"],
  config: [],
  txn: [],
  security: [],
  io: [],
};

/** The top-level folder of src/ a path is in ("main.ts" for src/main.ts). */
function topFolder(path: string): string {
  return path.split("/")[1]!;
}

Deno.test("folders of src/ import only the folders below them", () => {
  const upward = [...importGraph("src")].flatMap(([file, targets]) =>
    targets.filter((target) => target.startsWith("src/") && topFolder(target) !== topFolder(file))
      .filter((target) => !(ALLOWED[topFolder(file)] ?? []).includes(topFolder(target)))
      .map((target) => `${file} -> ${target}`)
  );
  assert.deepEqual(upward, []);
});

/** An import that reaches into another folder of src/ past its mod.ts (test support files, `_*.ts`, may be reached). */
function pastTheFace(file: string, target: string): boolean {
  if (!target.startsWith("src/")) return false;
  const folder = dirname(target);
  if (folder === "src" || file.startsWith(`${folder}/`)) return false;
  const name = target.slice(folder.length + 1);
  return name !== "mod.ts" && !name.startsWith("_");
}

Deno.test("code outside a folder of src/ imports it through its mod.ts, its public face", () => {
  const reaching = ["src", "sim", "test", "bench", "spec"].flatMap((folder) =>
    [...importGraph(folder, { tests: true })].flatMap(([file, targets]) =>
      targets.filter((target) => pastTheFace(file, target)).map((target) => `${file} -> ${target}`)
    )
  );
  assert.deepEqual(reaching, []);
});

Deno.test("the circle finder finds a planted circle", () => {
  const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assert.deepEqual(importCircles(graph), [["a", "b", "c"]]);
});
