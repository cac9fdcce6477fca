/**
 * The high watermark as clients see it. With one node it is the log end, so
 * within one incarnation it never goes back: a fetch sent after a client
 * learnt that the high watermark reached H (from an earlier fetch answer or
 * an acknowledgement of records below H) must report at least H. Answers of
 * different connections may arrive in any order, so the floor is taken when
 * a request is sent, not when its answer arrives.
 */
export class HighWatermarkFloors {
  readonly #floors = new Map<string, number>();

  /** The floor of `partitionKey` in `incarnation`: the highest watermark known to have been reached. */
  floor(incarnation: number, partitionKey: string): number {
    return this.#floors.get(`${incarnation}|${partitionKey}`) ?? 0;
  }

  /** Raises the floor: the high watermark reached at least `offset`. */
  raise(incarnation: number, partitionKey: string, offset: number): void {
    const key = `${incarnation}|${partitionKey}`;
    if (offset > (this.#floors.get(key) ?? 0)) this.#floors.set(key, offset);
  }
}
