import { GPU_UNITS, isPolicyPlacement, type ClusterState, type GpuRequest } from '../cluster/index.ts';
import { computeFairShare } from './fair-share.ts';
import { fgdFragmentation } from './fgd-fragmentation.ts';
import type { Scheduler } from './scheduler.ts';
import { roundTo } from '../stats/stats.ts';

export interface PoolMetrics {
  readonly pool: string;
  /** GPUs on ready nodes. */
  readonly capacityGpus: number;
  readonly allocatedGpus: number;
  readonly freeGpus: number;
  /** Free GPUs no reference request can use (see `fragmentation`). */
  readonly fragmentedGpus: number;
  /** fragmentedGpus / freeGpus (0 when nothing is free). */
  readonly fragmentation: number;
  /**
   * Pools placed by an FGD policy only: FGD's fragmentation ratio (frag_amount / idle, as a fraction) against
   * the typical pods of the gangs submitted so far.
   */
  readonly fgdFragmentation?: number;
}

export interface QueueMetrics {
  readonly queue: string;
  readonly kind: 'department' | 'project';
  readonly pool: string;
  readonly allocatedGpus: number;
  readonly allocatedNonPreemptibleGpus: number;
  readonly deservedGpus: number;
  readonly limitGpus: number | null;
  readonly fairShareGpus: number;
  readonly pendingGpus: number;
}

export interface AllocationMetrics {
  readonly pools: readonly PoolMetrics[];
  readonly queues: readonly QueueMetrics[];
}

/** GPU allocation by pool and by queue, with fair shares and fragmentation, as of now. */
export function allocationMetrics(scheduler: Scheduler): AllocationMetrics {
  const { cluster, tree, usage } = scheduler;
  const layout = cluster.layout;
  const fairShare = computeFairShare(
    tree,
    usage,
    layout.pools.map((p) => cluster.readyGpus(p.index) * GPU_UNITS),
  );
  const pools = layout.pools.map((pool): PoolMetrics => {
    const reference = referenceRequests(scheduler, pool.index);
    const { freeGpus, fragmentedGpus } = fragmentation(cluster, pool.index, reference);
    const capacityGpus = cluster.readyGpus(pool.index);
    return {
      pool: pool.name,
      capacityGpus,
      allocatedGpus: round(capacityGpus - freeGpus),
      freeGpus: round(freeGpus),
      fragmentedGpus: round(fragmentedGpus),
      fragmentation: freeGpus > 0 ? round(fragmentedGpus / freeGpus) : 0,
      ...(isPolicyPlacement(pool.placement)
        ? {
            fgdFragmentation: round(
              fgdFragmentation(cluster, pool.index, scheduler.placer.shapes.typicalPods(pool.index)),
            ),
          }
        : {}),
    };
  });
  const queues = tree.queues.flatMap((queue) =>
    layout.pools.map((pool): QueueMetrics => {
      const slot = tree.slot(queue.index, pool.index);
      return {
        queue: queue.name,
        kind: queue.kind,
        pool: pool.name,
        allocatedGpus: round(usage.allocated[slot]! / GPU_UNITS),
        allocatedNonPreemptibleGpus: round(usage.allocatedNonPreemptible[slot]! / GPU_UNITS),
        deservedGpus: round(tree.deserved[slot]! / GPU_UNITS),
        limitGpus: tree.limit[slot]! < 0 ? null : round(tree.limit[slot]! / GPU_UNITS),
        fairShareGpus: round(fairShare[slot]! / GPU_UNITS),
        pendingGpus: round(usage.pending[slot]! / GPU_UNITS),
      };
    }),
  );
  return { pools, queues };
}

/**
 * The requests fragmentation is judged against: the pods waiting for this pool; with none waiting, the pods
 * running in it (the typical request); with neither, one whole GPU.
 */
export function referenceRequests(scheduler: Scheduler, pool: number): GpuRequest[] {
  const waiting = scheduler.pendingGangs().filter((g) => scheduler.poolsOf(g).includes(pool));
  const source = waiting.length > 0 ? waiting : [...scheduler.runningGangs()].filter((g) => g.pool === pool);
  const requests = source.flatMap((g) => g.spec.pods.map((p) => p.resources.gpu)).filter((r) => r.kind !== 'none');
  return requests.length > 0 ? requests : [{ kind: 'devices', count: 1 }];
}

/**
 * Fragmentation: free GPU capacity on ready nodes that none of the reference requests could use. A free device
 * counts as usable when the node has enough free devices for the smallest whole-device request, or when any
 * fractional request exists (a fraction fits on any free device); the free part of a shared device counts as
 * usable when the smallest fractional request fits in it. Everything else free is fragmented.
 */
export function fragmentation(
  cluster: ClusterState,
  pool: number,
  reference: readonly GpuRequest[],
): { freeGpus: number; fragmentedGpus: number } {
  let minWhole = Number.POSITIVE_INFINITY;
  for (const r of reference) if (r.kind === 'devices' && r.count < minWhole) minWhole = r.count;
  // Distinct fractional requests: thousands of pods usually ask for a handful of sizes.
  const fractions = [
    ...new Map(
      reference.filter((r) => r.kind === 'portion' || r.kind === 'memory').map((r) => [JSON.stringify(r), r]),
    ).values(),
  ];
  let free = 0;
  let fragmented = 0;
  for (const node of cluster.layout.pools[pool]!.nodes) {
    if (!cluster.isReady(node)) continue;
    const info = cluster.layout.nodes[node]!;
    let minFraction = Number.POSITIVE_INFINITY;
    for (const r of fractions) minFraction = Math.min(minFraction, cluster.unitsFor(info, r));
    const wholeFree = cluster.freeWholeGpus(node);
    free += wholeFree * GPU_UNITS;
    if (wholeFree < minWhole && fractions.length === 0) fragmented += wholeFree * GPU_UNITS;
    for (const used of cluster.deviceUsage(node)) {
      if (used === 0 || used >= GPU_UNITS) continue;
      const room = GPU_UNITS - used;
      free += room;
      if (room < minFraction) fragmented += room;
    }
  }
  return { freeGpus: free / GPU_UNITS, fragmentedGpus: fragmented / GPU_UNITS };
}

const round = (x: number): number => roundTo(x, 6);
