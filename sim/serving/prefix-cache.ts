// Prefix caching: which prompt-prefix blocks a replica still holds, evicted least recently used first.

/**
 * Block hashes in use order (a Map keeps insertion order: touching is delete + set). Capacity is in prefix
 * blocks: the replica's whole KV cache measured in them. Memory is not shared between requests in this model — a hit
 * saves the prefill compute but the request still holds its own blocks — so the cache never over-commits the KV pool.
 */
export class PrefixCache {
  private readonly blocks = new Map<number, true>();
  hitTokens = 0;
  lookedUpTokens = 0;

  constructor(readonly capacity: number) {}

  /** How many leading blocks of `hashes` are cached (each touched). */
  match(hashes: readonly number[]): number {
    let hits = 0;
    for (const h of hashes) {
      if (!this.blocks.has(h)) break;
      this.blocks.delete(h);
      this.blocks.set(h, true);
      hits++;
    }
    return hits;
  }

  insert(hashes: readonly number[]): void {
    for (const h of hashes) {
      this.blocks.delete(h);
      this.blocks.set(h, true);
    }
    while (this.blocks.size > this.capacity) {
      const oldest = this.blocks.keys().next().value as number;
      this.blocks.delete(oldest);
    }
  }

  /** A restarted replica's cache is empty; its hit counts carry on. */
  clear(): void {
    this.blocks.clear();
  }

  get size(): number {
    return this.blocks.size;
  }
}
