/**
 * Reads traces in the Informal Trace Format (ITF), as `quint run --out-itf`
 * writes them, into plain values: integers become numbers, sets sorted
 * arrays, maps records keyed by the key's text, tuples arrays. Variable
 * names lose their module prefix (`raft::raft_protocol::nodes` is `nodes`).
 */

/** One decoded state: variable name to value. */
export type ItfState = Record<string, unknown>;

export interface ItfTrace {
  vars: string[];
  states: ItfState[];
}

function compareDecoded(left: unknown, right: unknown): number {
  if (typeof left === "number" && typeof right === "number") return left - right;
  const leftText = JSON.stringify(left);
  const rightText = JSON.stringify(right);
  return leftText < rightText ? -1 : leftText > rightText ? 1 : 0;
}

/** Decodes one ITF value. */
export function decodeItfValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeItfValue);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if ("#bigint" in record) return Number(record["#bigint"]);
  if ("#set" in record) return (record["#set"] as unknown[]).map(decodeItfValue).sort(compareDecoded);
  if ("#tup" in record) return (record["#tup"] as unknown[]).map(decodeItfValue);
  if ("#map" in record) {
    const entries = record["#map"] as [unknown, unknown][];
    return Object.fromEntries(
      entries.map(([key, inner]) => [String(decodeItfValue(key)), decodeItfValue(inner)]),
    );
  }
  const decoded: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record)) {
    if (key !== "#meta") decoded[key] = decodeItfValue(inner);
  }
  return decoded;
}

function shortName(name: string): string {
  const separator = name.lastIndexOf("::");
  return separator < 0 ? name : name.slice(separator + 2);
}

/** Decodes an ITF document (the parsed JSON of one `.itf.json` file). */
export function decodeItfTrace(document: unknown): ItfTrace {
  const { vars, states } = document as { vars: string[]; states: Record<string, unknown>[] };
  return {
    vars: vars.map(shortName),
    states: states.map((state) => {
      const decoded: ItfState = {};
      for (const [name, value] of Object.entries(state)) {
        if (name !== "#meta") decoded[shortName(name)] = decodeItfValue(value);
      }
      return decoded;
    }),
  };
}
