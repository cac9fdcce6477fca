/**
 * Producer id allocation for idempotent producers.
 *
 * Ids are reserved from the controller in blocks (a ProducerIdsRecord in the
 * metadata log moves the cluster's next id past the block), then handed out
 * one by one from memory. A restart reserves a new block, so an id is never
 * handed out twice even if the node crashed mid-block.
 */
export interface ProducerIdBlockSource {
  /** Reserves a block durably and returns its first id and size. */
  reserveBlock(): { firstId: number; size: number };
}

export class ProducerIdManager {
  #next = 0;
  #end = 0;

  constructor(private readonly source: ProducerIdBlockSource) {}

  next(): number {
    if (this.#next >= this.#end) {
      const block = this.source.reserveBlock();
      this.#next = block.firstId;
      this.#end = block.firstId + block.size;
    }
    return this.#next++;
  }
}
