/**
 * The simulator's pending events, ordered by virtual time and then by the
 * order they were scheduled in, so that two events due at the same
 * millisecond always run in the same order.
 */
import type { Incarnation } from "./incarnation.ts";

/** One scheduled callback. */
export interface ScheduledEvent {
  readonly timeMs: number;
  /** Insertion order: breaks ties between events due at the same time. */
  readonly sequence: number;
  /** The incarnation the callback belongs to, or null for the simulator and workload. */
  readonly owner: Incarnation | null;
  readonly callback: () => void;
  cancelled: boolean;
}

function before(left: ScheduledEvent, right: ScheduledEvent): boolean {
  return left.timeMs < right.timeMs || (left.timeMs === right.timeMs && left.sequence < right.sequence);
}

/** A binary min-heap of events. Cancelled events stay in it until they reach the top. */
export class TimerQueue {
  readonly #heap: ScheduledEvent[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(event: ScheduledEvent): void {
    const heap = this.#heap;
    heap.push(event);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  /** How many queued events satisfy `predicate` (for diagnostics; a full scan). */
  count(predicate: (event: ScheduledEvent) => boolean): number {
    return this.#heap.filter(predicate).length;
  }

  peek(): ScheduledEvent | undefined {
    return this.#heap[0];
  }

  pop(): ScheduledEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    while (true) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) break;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
    return top;
  }
}
