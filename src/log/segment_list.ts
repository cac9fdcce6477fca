/**
 * A partition's segments in base-offset order (Kafka's LogSegments), with
 * binary-search lookups by offset.
 */
import type { LogSegment } from "./segment.ts";

export class SegmentList {
  #segments: LogSegment[] = [];

  get length(): number {
    return this.#segments.length;
  }

  all(): readonly LogSegment[] {
    return this.#segments;
  }

  first(): LogSegment | undefined {
    return this.#segments[0];
  }

  /** The active segment. */
  last(): LogSegment | undefined {
    return this.#segments[this.#segments.length - 1];
  }

  at(index: number): LogSegment | undefined {
    return this.#segments[index];
  }

  baseOffsets(): number[] {
    return this.#segments.map((segment) => segment.baseOffset);
  }

  /** Adds a segment; its base offset must be larger than every other. */
  add(segment: LogSegment): void {
    const last = this.last();
    if (last !== undefined && last.baseOffset >= segment.baseOffset) {
      throw new Error(`segment ${segment.baseOffset} does not come after segment ${last.baseOffset}`);
    }
    this.#segments.push(segment);
  }

  /** The index of the segment with the largest base offset <= `offset`, or -1. */
  floorIndex(offset: number): number {
    let low = 0;
    let high = this.#segments.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.#segments[middle]!.baseOffset <= offset) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  /** The segment that would hold `offset`, or undefined when it is below every segment. */
  floor(offset: number): LogSegment | undefined {
    return this.#segments[this.floorIndex(offset)];
  }

  /**
   * The segments that may hold offsets in [from, to): the one holding `from`
   * and every later one starting below `to` (Kafka's LogSegments.values).
   */
  overlapping(from: number, to: number): LogSegment[] {
    if (from >= to) return [];
    const start = Math.max(0, this.floorIndex(from));
    const result: LogSegment[] = [];
    for (let index = start; index < this.#segments.length; index++) {
      const segment = this.#segments[index]!;
      if (segment.baseOffset >= to) break;
      result.push(segment);
    }
    return result;
  }

  /** Removes and returns the segments from `index` on. */
  removeFrom(index: number): LogSegment[] {
    return this.#segments.splice(index);
  }

  /** Removes and returns the first segment. */
  removeFirst(): LogSegment | undefined {
    return this.#segments.shift();
  }

  /** Removes and returns every segment. */
  clear(): LogSegment[] {
    const removed = this.#segments;
    this.#segments = [];
    return removed;
  }
}
