/**
 * The simulation's log: the last lines of every host, kept in memory and
 * printed when a run fails, so that a passing run stays quiet and fast.
 */

/** A bounded buffer of log lines that keeps the newest. */
export class LogRing {
  readonly #lines: string[];
  #next = 0;
  #total = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new Error(`log capacity must be positive: ${capacity}`);
    }
    this.#lines = [];
  }

  add(line: string): void {
    if (this.#lines.length < this.capacity) this.#lines.push(line);
    else this.#lines[this.#next] = line;
    this.#next = (this.#next + 1) % this.capacity;
    this.#total++;
  }

  /** Lines added over the whole run, including those no longer kept. */
  get total(): number {
    return this.#total;
  }

  /** The kept lines, oldest first. */
  lines(): string[] {
    if (this.#lines.length < this.capacity) return [...this.#lines];
    return [...this.#lines.slice(this.#next), ...this.#lines.slice(0, this.#next)];
  }

  /** Writes the kept lines (with a note of how many were dropped) to `write`. */
  print(write: (line: string) => void = console.error): void {
    const dropped = this.#total - this.#lines.length;
    if (dropped > 0) write(`... ${dropped} earlier log lines dropped`);
    for (const line of this.lines()) write(line);
  }
}
