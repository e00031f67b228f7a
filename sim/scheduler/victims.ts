import type { GangState } from './gang.ts';
import { compareVictims } from './queue-order.ts';
import type { QueueTree } from './queues.ts';

/**
 * The running preemptible gangs of each (project, pool), each list kept in victim order (lowest priority first,
 * then newest) as gangs start and stop, so reclaim and preempt read their candidates instead of filtering and
 * sorting every running gang per attempt. Invariant: a gang is listed exactly while it is running, preemptible,
 * and booked (by the scheduler) in that pool; the lists change only between attempts, never during one.
 */
export class VictimIndex {
  private readonly lists: GangState[][];
  /** Per slot: the GPU units its candidates hold. */
  private readonly held: Float64Array;
  /** seq -> the slot it is listed under (a gang's pool is already reset when its eviction is booked). */
  private readonly slots = new Map<number, number>();

  constructor(private readonly tree: QueueTree) {
    this.lists = Array.from({ length: tree.queues.length * tree.pools }, () => []);
    this.held = new Float64Array(tree.queues.length * tree.pools);
  }

  add(gang: GangState): void {
    if (!gang.spec.preemptible) return;
    const slot = this.tree.slot(gang.project, gang.pool);
    const list = this.lists[slot]!;
    list.splice(position(list, gang), 0, gang);
    this.slots.set(gang.seq, slot);
    this.held[slot]! += gang.facts.units[gang.pool]!;
  }

  delete(gang: GangState): void {
    const slot = this.slots.get(gang.seq);
    if (slot === undefined) return;
    const list = this.lists[slot]!;
    list.splice(position(list, gang), 1);
    this.slots.delete(gang.seq);
    this.held[slot]! -= gang.facts.units[slot % this.tree.pools]!;
  }

  /** The GPU units a project's candidates hold in a pool. */
  heldBy(project: number, pool: number): number {
    return this.held[this.tree.slot(project, pool)]!;
  }

  /** A project's candidates in a pool, in victim order. */
  of(project: number, pool: number): readonly GangState[] {
    return this.lists[this.tree.slot(project, pool)]!;
  }

  /**
   * Every other project's candidates in a pool, ordered by `rank` of their project (higher first), then in victim
   * order: what sorting all of them by (rank desc, victim order) gives, by merging the per-project lists.
   */
  othersByRank(project: number, pool: number, rank: (project: number) => number): GangState[] {
    const sources = this.tree.projects
      .filter((q) => q !== project && this.of(q, pool).length > 0)
      .map((q) => ({ list: this.of(q, pool), rank: rank(q) }))
      .sort((a, b) => b.rank - a.rank);
    const out: GangState[] = [];
    for (let i = 0; i < sources.length;) {
      let j = i + 1;
      while (j < sources.length && sources[j]!.rank === sources[i]!.rank) j++;
      const run =
        j === i + 1
          ? sources[i]!.list
          : sources
              .slice(i, j)
              .flatMap((s) => s.list)
              .sort(compareVictims);
      for (const gang of run) out.push(gang);
      i = j;
    }
    return out;
  }
}

/** Where the gang is (or would go) in a list kept in victim order: binary search on a total order. */
function position(list: readonly GangState[], gang: GangState): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareVictims(list[mid]!, gang) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
