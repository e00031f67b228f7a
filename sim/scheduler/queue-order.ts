import type { GangState } from './gang.ts';
import type { QueueTree, QueueUsage } from './queues.ts';

/**
 * The order in which queues are served (KAI's proportion queue order), compared level by level: two projects of
 * one department by their own books, two of different departments by their departments'. At a level:
 *   1. a queue that stays within its deserved quota with this job goes first (starved queues are served first);
 *   2. then the higher rank;
 *   3. then the smaller share ratio (allocated + job) / allocatable share, where the allocatable share is
 *      max(deserved, fair share) capped by the limit (KAI's GetAllocatableShare): the queue furthest below what
 *      it may hold;
 *   4. then the name, so the order is total and runs are reproducible.
 */
export function compareQueues(
  tree: QueueTree,
  usage: QueueUsage,
  fairShare: Float64Array,
  a: QueueBid,
  b: QueueBid,
): number {
  const [projectA, departmentA] = tree.chain(a.project);
  const [projectB, departmentB] = tree.chain(b.project);
  if (departmentA !== departmentB) return compareAt(tree, usage, fairShare, departmentA, a, departmentB, b);
  return compareAt(tree, usage, fairShare, projectA, a, projectB, b);
}

/** A queue asking to be served next: its project, the pool its next gang goes to, and how much it asks. */
export interface QueueBid {
  project: number;
  pool: number;
  units: number;
}

function compareAt(
  tree: QueueTree,
  usage: QueueUsage,
  fairShare: Float64Array,
  qa: number,
  a: QueueBid,
  qb: number,
  b: QueueBid,
): number {
  const slotA = tree.slot(qa, a.pool);
  const slotB = tree.slot(qb, b.pool);
  const afterA = usage.allocated[slotA]! + a.units;
  const afterB = usage.allocated[slotB]! + b.units;
  const starvedA = afterA <= tree.deserved[slotA]! ? 0 : 1;
  const starvedB = afterB <= tree.deserved[slotB]! ? 0 : 1;
  if (starvedA !== starvedB) return starvedA - starvedB;
  const rankA = tree.queues[qa]!.rank;
  const rankB = tree.queues[qb]!.rank;
  if (rankA !== rankB) return rankB - rankA;
  const ratioA = ratio(afterA, allocatable(tree, fairShare, slotA));
  const ratioB = ratio(afterB, allocatable(tree, fairShare, slotB));
  if (ratioA !== ratioB) return ratioA < ratioB ? -1 : 1;
  return tree.queues[qa]!.name < tree.queues[qb]!.name ? -1 : tree.queues[qa]!.name > tree.queues[qb]!.name ? 1 : 0;
}

/** What a queue may hold before it counts as over-served: max(deserved, fair share), capped by its limit. */
function allocatable(tree: QueueTree, fairShare: Float64Array, slot: number): number {
  const share = Math.max(tree.deserved[slot]!, fairShare[slot]!);
  const limit = tree.limit[slot]!;
  return limit >= 0 ? Math.min(limit, share) : share;
}

function ratio(after: number, share: number): number {
  return share > 0 ? after / share : after > 0 ? Number.MAX_VALUE : 0;
}

/** Job order inside a project: higher priority first, then the earlier submission (FIFO), then submission order. */
export function compareJobs(a: GangState, b: GangState): number {
  return b.spec.priority - a.spec.priority || a.submittedAt - b.submittedAt || a.seq - b.seq;
}

/** Victim order, the reverse of job order: lowest priority first, then the newest. */
export function compareVictims(a: GangState, b: GangState): number {
  return a.spec.priority - b.spec.priority || b.submittedAt - a.submittedAt || b.seq - a.seq;
}
