/**
 * Producer id allocation for idempotent producers.
 *
 * Ids are reserved from the active controller in blocks (a
 * ProducerIdsRecord in the metadata log moves the cluster's next id past
 * the block), then handed out one by one from memory. A restart reserves a
 * new block, so an id is never handed out twice even if the node crashed
 * mid-block. Callers that arrive while a block is being reserved wait for
 * that one reservation rather than each reserving their own.
 */
export interface ProducerIdBlockSource {
  /** Reserves a block durably and returns its first id and size. */
  reserveBlock(): Promise<{ firstId: number; size: number }>;
}

export class ProducerIdManager {
  #next = 0;
  #end = 0;
  #reserving: Promise<void> | null = null;

  constructor(private readonly source: ProducerIdBlockSource) {}

  async next(): Promise<number> {
    while (this.#next >= this.#end) {
      this.#reserving ??= this.source.reserveBlock().then((block) => {
        this.#next = block.firstId;
        this.#end = block.firstId + block.size;
      }).finally(() => (this.#reserving = null));
      await this.#reserving;
    }
    return this.#next++;
  }
}
