/**
 * Replays traces that `quint run --out-itf` drew from spec/raft.qnt through
 * the TypeScript mirror (spec_model.ts): every step must leave every node
 * and the network exactly as Quint computed them. This is what makes the
 * mirror, and so the trace checker built on it, say what the spec says.
 */
import type { ItfState, ItfTrace } from "./itf.ts";
import { canonical, type SpecMessage, type SpecModel, type SpecNode } from "./spec_model.ts";

/** The constants of `module raft` in raft.qnt. */
export const RAFT_MODULE_CONSTANTS = {
  voters: [1, 2, 3],
  maxEpoch: 3,
  maxLogLength: 3,
  maxMessagesInFlight: 6,
  bugDoubleVote: false,
  bugCommitPreviousEpoch: false,
};

interface SpecAction {
  name: string;
  node: number;
  message: SpecMessage;
  entryCount: number;
  duplicate: boolean;
}

function nodesOf(state: ItfState): Record<string, SpecNode> {
  return state.nodes as Record<string, SpecNode>;
}

function networkOf(state: ItfState): SpecMessage[] {
  return state.network as SpecMessage[];
}

function messageSet(messages: SpecMessage[]): string[] {
  return [...new Set(messages.map(canonical))].sort();
}

/** What the mirror says node `node` and the network become after `action` from `before`. */
function replay(
  model: SpecModel,
  before: ItfState,
  action: SpecAction,
): { node: SpecNode; network: SpecMessage[] } {
  const network = networkOf(before);
  const node = action.node;
  const state = nodesOf(before)[String(node)]!;
  const after = (next: SpecNode, added: SpecMessage[], removed: SpecMessage[] = []) => {
    const removedText = new Set(removed.map(canonical));
    return {
      node: next,
      network: [...network.filter((message) => !removedText.has(canonical(message))), ...added],
    };
  };
  const withRequests = (next: SpecNode, added: SpecMessage[] = [], removed: SpecMessage[] = []) =>
    after(next, [...added, ...model.requestsAfter(node, state, next, network.length)], removed);
  switch (action.name) {
    case "receive": {
      const result = model.handleMessage(node, state, action.message, action.entryCount);
      return withRequests(result.state, result.replies, action.duplicate ? [] : [action.message]);
    }
    case "drop":
      return after(state, [], [action.message]);
    case "send":
      if (
        !model.requestsToSend(node, state).some((message) => canonical(message) === canonical(action.message))
      ) {
        throw new Error(`node ${node} may not send ${canonical(action.message)}`);
      }
      return after(state, [action.message]);
    case "timeout":
      if (!model.canTimeout(state)) throw new Error(`node ${node} may not time out`);
      return withRequests(model.onTimeout(node, state));
    case "clientRequest":
      return after(model.appendClientEntries(state, 1), []);
    case "flush":
      return withRequests(model.flush(node, state, state.log.length));
    case "restart":
      return withRequests(model.restart(node, state));
    default:
      throw new Error(`unknown action ${action.name}`);
  }
}

/** What replaying found: how many steps, of which actions, and the first mismatch if any. */
export interface ReplayResult {
  steps: number;
  actions: Set<string>;
  mismatch: string | null;
}

/** Replays the steps of `traces` through `model`, stopping at the first mismatch. */
export function replayItfTraces(model: SpecModel, traces: { name: string; trace: ItfTrace }[]): ReplayResult {
  const result: ReplayResult = { steps: 0, actions: new Set(), mismatch: null };
  for (const { name, trace } of traces) {
    for (let index = 1; index < trace.states.length; index++) {
      const before = trace.states[index - 1]!;
      const afterState = trace.states[index]!;
      const action = afterState.lastAction as SpecAction;
      result.actions.add(action.name === "receive" ? `receive ${action.message.kind}` : action.name);
      const where = `${name} step ${index} (${action.name} at node ${action.node})`;
      let expected: { node: SpecNode; network: SpecMessage[] };
      try {
        expected = replay(model, before, action);
      } catch (error) {
        result.mismatch = `${where}: ${(error as Error).message}`;
        return result;
      }
      const actualNode = canonical(nodesOf(afterState)[String(action.node)]);
      if (actualNode !== canonical(expected.node)) {
        result.mismatch = `${where}: Quint has node ${actualNode}, the mirror ${canonical(expected.node)}`;
        return result;
      }
      for (const [id, node] of Object.entries(nodesOf(afterState))) {
        if (id !== String(action.node) && canonical(node) !== canonical(nodesOf(before)[id])) {
          result.mismatch = `${where}: node ${id} changed`;
          return result;
        }
      }
      const actualNetwork = canonical(messageSet(networkOf(afterState)));
      if (actualNetwork !== canonical(messageSet(expected.network))) {
        result.mismatch = `${where}: Quint has network ${actualNetwork}, the mirror ${
          canonical(messageSet(expected.network))
        }`;
        return result;
      }
      result.steps++;
    }
  }
  return result;
}
