/**
 * The workload's typical pods per pool, which FGD scores against and its fragmentation ratio is measured against:
 * a running count of the pods of every gang submitted so far, per resource shape, with the reference's 95%
 * popularity rule (`sim/fgd/typical-pods.ts`). Only pools placed by an FGD policy keep counts.
 */
import { isPolicyPlacement, type ClusterState } from '../cluster/index.ts';
import { typicalFromCounts, type ShapeCount, type TypicalPod } from '../fgd/typical-pods.ts';
import type { GangSpec } from './gang.ts';
import { policyPod } from './policy-view.ts';

/** Distinct shapes kept per pool; pods of further shapes are not counted (real workloads have a handful). */
const MAX_SHAPES = 1024;

export class WorkloadShapes {
  private counts: Map<string, ShapeCount>[];
  private typical: (readonly TypicalPod[] | null)[];
  /** Per pool, the node whose device size turns a memory request into a fraction: the largest device. */
  private readonly sizing: number[];

  constructor(private readonly cluster: ClusterState) {
    const { pools, nodes } = cluster.layout;
    this.counts = pools.map(() => new Map());
    this.typical = pools.map(() => null);
    this.sizing = pools.map((pool) =>
      pool.nodes.reduce(
        (best, n) => (best < 0 || nodes[n]!.gpuMemoryBytes > nodes[best]!.gpuMemoryBytes ? n : best),
        -1,
      ),
    );
  }

  /** Counts a submitted gang's pods in each of its pools that a policy places. */
  observe(gang: GangSpec): void {
    const { layout } = this.cluster;
    const pools = gang.nodePools.length > 0 ? gang.nodePools.map((name) => layout.poolByName(name)) : layout.pools;
    for (const pool of pools) {
      if (pool === undefined || !isPolicyPlacement(pool.placement) || this.sizing[pool.index]! < 0) continue;
      const counts = this.counts[pool.index]!;
      const node = layout.nodes[this.sizing[pool.index]!]!;
      for (const { resources } of gang.pods) {
        const pod = policyPod(this.cluster, node, resources);
        const key = `${pod.milliCpu}/${pod.milliGpu}/${pod.gpuNumber}`;
        const entry = counts.get(key);
        if (entry) entry.count++;
        else if (counts.size < MAX_SHAPES) counts.set(key, { pod, count: 1 });
      }
      this.typical[pool.index] = null;
    }
  }

  /** The pool's typical pods (frequencies summing to 1); none before any gang was submitted to it. */
  typicalPods(pool: number): readonly TypicalPod[] {
    return (this.typical[pool] ??= typicalFromCounts([...this.counts[pool]!.values()]));
  }

  /** The same counts, over another (cloned) cluster state. */
  cloneFor(cluster: ClusterState): WorkloadShapes {
    const copy = new WorkloadShapes(cluster);
    copy.counts = this.counts.map((m) => new Map([...m].map(([key, { pod, count }]) => [key, { pod, count }])));
    copy.typical = [...this.typical];
    return copy;
  }
}
