/**
 * The nodes of one pool in the order they changed. Bounded: when it would grow past a few times the pool's size it
 * starts afresh under a new epoch, and a follower of an older epoch must look at every node again.
 */
export class NodeChanges {
  epoch = 0;
  nodes: number[] = [];
  private readonly limit: number;

  constructor(poolSize: number) {
    this.limit = Math.max(4096, 4 * poolSize);
  }

  push(node: number): void {
    if (this.nodes.length >= this.limit) this.restart();
    this.nodes.push(node);
  }

  /** Starts afresh: followers of the old epoch look at every node again. */
  restart(): void {
    this.nodes = [];
    this.epoch++;
  }
}
