import type { GangState, PoolReason } from '../gang.ts';
import type { QueueTree, QueueUsage } from '../queues.ts';
import { formatGpus } from '../requests.ts';

/** Rounding slack for quota comparisons, in GPU units (a millionth of a GPU). */
const SLACK = 0.5;

/**
 * The quota gate KAI applies before placing a gang (capacity_policy): a limit is never exceeded (OverLimit), and
 * non-preemptible work only runs inside deserved quota (NonPreemptibleOverQuota), checked for the project and
 * for its department, in the pool the gang is tried in.
 */
export function checkQuota(
  tree: QueueTree,
  usage: QueueUsage,
  gang: GangState,
  pool: number,
  units: number,
): PoolReason | null {
  const poolName = tree.poolNames[pool]!;
  for (const q of tree.chain(gang.project)) {
    const slot = tree.slot(q, pool);
    const limit = tree.limit[slot]!;
    if (limit >= 0 && usage.allocated[slot]! + units > limit + SLACK) {
      const queue = tree.queues[q]!;
      return {
        pool: poolName,
        code: 'OverLimit',
        orgType: queue.kind === 'project' ? 'PROJECT' : 'DEPARTMENT',
        message: `${queue.kind} ${queue.name} quota has reached the allowable limit of GPUs. Limit is ${formatGpus(limit)} GPUs, currently ${formatGpus(usage.allocated[slot]!)} GPUs allocated and workload requested ${formatGpus(units)} GPUs`,
      };
    }
  }
  if (gang.spec.preemptible) return null;
  for (const q of tree.chain(gang.project)) {
    const slot = tree.slot(q, pool);
    const deserved = tree.deserved[slot]!;
    if (usage.allocatedNonPreemptible[slot]! + units > deserved + SLACK) {
      const queue = tree.queues[q]!;
      return {
        pool: poolName,
        code: 'NonPreemptibleOverQuota',
        orgType: queue.kind === 'project' ? 'PROJECT' : 'DEPARTMENT',
        message: `Non-preemptible workload is over quota. Workload requested ${formatGpus(units)} GPUs, but ${queue.kind} ${queue.name} quota is ${formatGpus(deserved)} GPUs, while ${formatGpus(usage.allocatedNonPreemptible[slot]!)} GPUs are already allocated for non-preemptible pods. Use a preemptible workload to go over quota.`,
      };
    }
  }
  return null;
}
