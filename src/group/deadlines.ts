/**
 * The coordinator's timers as data: named deadlines, each with the action to
 * run when it passes. Scheduling a name again replaces its deadline (a
 * member's heartbeat pushes its session expiry forward), cancelling removes
 * it. Nothing here reads a clock: `runDue(nowMs)` runs what is due at the time
 * it is given, in deadline order (ties in scheduling order), so a run is
 * deterministic.
 *
 * A binary heap holds (deadline, sequence) entries; a replaced or cancelled
 * entry stays in the heap until it surfaces and is skipped, and the heap is
 * rebuilt when stale entries outnumber live ones, which bounds its size.
 */

interface Entry {
  name: string;
  deadlineMs: number;
  sequence: number;
  action: () => void;
}

export class Deadlines {
  readonly #live = new Map<string, Entry>();
  #heap: Entry[] = [];
  #sequence = 0;

  /** Live deadlines. */
  get size(): number {
    return this.#live.size;
  }

  /** Runs `action` at `deadlineMs`, replacing any deadline of the same name. */
  schedule(name: string, deadlineMs: number, action: () => void): void {
    const entry = { name, deadlineMs, sequence: this.#sequence++, action };
    this.#live.set(name, entry);
    this.#push(entry);
    if (this.#heap.length > 2 * this.#live.size + 64) this.#rebuild();
  }

  cancel(name: string): void {
    this.#live.delete(name);
  }

  has(name: string): boolean {
    return this.#live.has(name);
  }

  /** The deadline of `name`, if scheduled. */
  deadlineOf(name: string): number | undefined {
    return this.#live.get(name)?.deadlineMs;
  }

  /** The earliest live deadline, or null when none is scheduled. */
  nextDeadlineMs(): number | null {
    this.#dropStale();
    return this.#heap[0]?.deadlineMs ?? null;
  }

  /**
   * Runs every action whose deadline is at or before `nowMs`, earliest first.
   * An action may schedule more; those run too if already due. Returns how
   * many ran.
   */
  runDue(nowMs: number): number {
    let ran = 0;
    while (true) {
      this.#dropStale();
      const head = this.#heap[0];
      if (head === undefined || head.deadlineMs > nowMs) return ran;
      this.#pop();
      this.#live.delete(head.name);
      head.action();
      ran++;
    }
  }

  #isStale(entry: Entry): boolean {
    return this.#live.get(entry.name) !== entry;
  }

  #dropStale(): void {
    while (this.#heap.length > 0 && this.#isStale(this.#heap[0]!)) this.#pop();
  }

  #rebuild(): void {
    this.#heap = [...this.#live.values()];
    for (let index = (this.#heap.length >> 1) - 1; index >= 0; index--) this.#siftDown(index);
  }

  #before(left: Entry, right: Entry): boolean {
    return left.deadlineMs < right.deadlineMs ||
      (left.deadlineMs === right.deadlineMs && left.sequence < right.sequence);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    this.#siftDown(0);
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    let index = start;
    while (true) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.#before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.#before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}
