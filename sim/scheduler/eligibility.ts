import type { ClusterLayout } from '../cluster/index.ts';
import type { FilterPlugin, NodePredicate } from './framework.ts';
import type { GangPod } from './gang.ts';

/** Which nodes of a pool a pod's constraints allow, and why the others were refused. */
export interface PoolEligibility {
  /** null when every node of the pool is allowed (the common, free case). */
  readonly allowed: Uint8Array | null;
  readonly allowedCount: number;
  /** Refusal reason -> number of nodes. */
  readonly refused: ReadonlyMap<string, number>;
  /** The compiled filters, to ask one node why it was refused. */
  readonly predicates: readonly NodePredicate[];
}

/**
 * Labels and taints never change, so the filter verdict for a given set of constraints in a given pool is
 * computed once, over the pool's nodes, and reused by every gang that asks the same (typically all replicas of
 * a workload). Placement then checks a byte per node instead of running plugins.
 */
export class EligibilityCache {
  private readonly cache = new Map<string, PoolEligibility>();

  constructor(
    private readonly layout: ClusterLayout,
    private readonly filters: readonly FilterPlugin[],
  ) {}

  forPod(pod: GangPod, pool: number): PoolEligibility {
    const key = `${pool}|${pod.constraints === undefined ? '' : JSON.stringify(pod.constraints)}`;
    let entry = this.cache.get(key);
    if (entry === undefined) {
      entry = this.compute(pod, pool);
      this.cache.set(key, entry);
    }
    return entry;
  }

  /** Why the pod's filters refuse this node (null when they accept it). */
  reasonFor(pod: GangPod, pool: number, node: number): string | null {
    for (const predicate of this.forPod(pod, pool).predicates) {
      const verdict = predicate(this.layout.nodes[node]!);
      if (verdict !== null) return verdict;
    }
    return null;
  }

  private compute(pod: GangPod, poolIndex: number): PoolEligibility {
    const pool = this.layout.pools[poolIndex]!;
    const predicates = this.filters.map((f) => f.compile(pod, pool, this.layout)).filter((p) => p !== null);
    if (predicates.length === 0)
      return { allowed: null, allowedCount: pool.nodes.length, refused: new Map(), predicates };
    const allowed = new Uint8Array(this.layout.nodes.length);
    const refused = new Map<string, number>();
    let allowedCount = 0;
    for (const n of pool.nodes) {
      const node = this.layout.nodes[n]!;
      let verdict: string | null = null;
      for (const predicate of predicates) {
        verdict = predicate(node);
        if (verdict !== null) break;
      }
      if (verdict === null) {
        allowed[n] = 1;
        allowedCount++;
      } else {
        refused.set(verdict, (refused.get(verdict) ?? 0) + 1);
      }
    }
    return { allowed, allowedCount, refused, predicates };
  }
}
