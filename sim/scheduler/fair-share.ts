import type { QueueTree, QueueUsage } from './queues.ts';

/**
 * Fair share as KAI's proportion plugin computes it, per node pool and top-down: the pool's capacity is divided
 * among departments, then each department's share among its projects. At each level:
 *
 *  1. every queue gets min(deserved, what it can use), where "what it can use" is its request (allocated plus
 *     pending) capped by its limit: a queue that asks for nothing gets nothing;
 *  2. the remainder goes to ranks in turn, highest first; inside a rank it is split in proportion to over-quota
 *     weight by water-filling (a queue that needs less than its offer takes only its need and the rest is
 *     offered again to the others). Queues of weight 0 take no surplus.
 *
 * KAI hands out the surplus in whole GPUs and then the crumbs; lwsim divides continuously (the same shares up to
 * rounding), which keeps fractional-GPU pools fair too.
 */
export function computeFairShare(tree: QueueTree, usage: QueueUsage, poolCapacity: readonly number[]): Float64Array {
  const share = new Float64Array(tree.queues.length * tree.pools);
  for (let pool = 0; pool < tree.pools; pool++) {
    divide(tree, usage, share, pool, poolCapacity[pool]!, tree.departments);
    for (const d of tree.departments)
      divide(tree, usage, share, pool, share[tree.slot(d, pool)]!, tree.queues[d]!.children);
  }
  return share;
}

/**
 * Fair share kept from cycle to cycle and divided again only where something changed: a pool whose capacity or
 * whose queues' allocation or demand changed is divided among departments again, and a department's share among
 * its projects only when that share or one of its projects changed. Always equal to computeFairShare.
 */
export class FairShareCache {
  private share: Float64Array | undefined;
  private capacity: readonly number[] = [];

  constructor(private readonly tree: QueueTree) {}

  /** The fair share now, as a copy the caller may keep. */
  compute(usage: QueueUsage, poolCapacity: readonly number[]): Float64Array {
    const { tree } = this;
    const share = this.share ?? new Float64Array(tree.queues.length * tree.pools);
    const first = this.share === undefined;
    for (let pool = 0; pool < tree.pools; pool++) {
      const changed =
        first || this.capacity[pool] !== poolCapacity[pool] || anyChanged(tree, usage, pool, tree.departments);
      if (!changed) continue;
      const before = tree.departments.map((d) => share[tree.slot(d, pool)]!);
      divide(tree, usage, share, pool, poolCapacity[pool]!, tree.departments);
      tree.departments.forEach((d, i) => {
        const children = tree.queues[d]!.children;
        if (first || share[tree.slot(d, pool)] !== before[i] || anyChanged(tree, usage, pool, children))
          divide(tree, usage, share, pool, share[tree.slot(d, pool)]!, children);
      });
    }
    usage.changed.fill(0);
    this.share = share;
    this.capacity = [...poolCapacity];
    return share.slice();
  }
}

function anyChanged(tree: QueueTree, usage: QueueUsage, pool: number, queues: readonly number[]): boolean {
  return queues.some((q) => usage.changed[tree.slot(q, pool)] === 1);
}

function divide(
  tree: QueueTree,
  usage: QueueUsage,
  share: Float64Array,
  pool: number,
  total: number,
  members: readonly number[],
): void {
  const usable = new Map<number, number>();
  let remaining = total;
  for (const q of members) {
    const slot = tree.slot(q, pool);
    const request = usage.allocated[slot]! + usage.pending[slot]!;
    const limit = tree.limit[slot]!;
    const cap = limit >= 0 ? Math.min(limit, request) : request;
    usable.set(q, cap);
    const give = Math.min(tree.deserved[slot]!, cap);
    share[slot] = give;
    remaining -= give;
  }
  const ranks = [...new Set(members.map((q) => tree.queues[q]!.rank))].sort((a, b) => b - a);
  for (const rank of ranks) {
    if (remaining <= 0) break;
    const group = members.filter((q) => tree.queues[q]!.rank === rank);
    remaining -= waterFill(tree, share, pool, remaining, group, usable);
  }
}

/** Splits `amount` among `group` by weight, never past what each can use. Returns what was handed out. */
function waterFill(
  tree: QueueTree,
  share: Float64Array,
  pool: number,
  amount: number,
  group: number[],
  usable: Map<number, number>,
): number {
  let active = group.filter((q) => tree.weight[tree.slot(q, pool)]! > 0 && usable.get(q)! > share[tree.slot(q, pool)]!);
  let left = amount;
  while (active.length > 0 && left > 0) {
    const totalWeight = active.reduce((sum, q) => sum + tree.weight[tree.slot(q, pool)]!, 0);
    const satisfied = active.filter((q) => {
      const slot = tree.slot(q, pool);
      return usable.get(q)! - share[slot]! <= (left * tree.weight[slot]!) / totalWeight;
    });
    if (satisfied.length === 0) {
      for (const q of active) share[tree.slot(q, pool)]! += (left * tree.weight[tree.slot(q, pool)]!) / totalWeight;
      left = 0;
      break;
    }
    for (const q of satisfied) {
      const slot = tree.slot(q, pool);
      left -= usable.get(q)! - share[slot]!;
      share[slot] = usable.get(q)!;
    }
    active = active.filter((q) => !satisfied.includes(q));
  }
  return amount - left;
}
