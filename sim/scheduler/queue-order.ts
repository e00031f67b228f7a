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
export function compareQueues(a: QueueStanding, b: QueueStanding): number {
  return a.department !== b.department
    ? compareAt(a.atDepartment, b.atDepartment)
    : compareAt(a.atProject, b.atProject);
}

/** A queue asking to be served next: its project, the pool its next gang goes to, and how much it asks. */
export interface QueueBid {
  project: number;
  pool: number;
  units: number;
}

/** Where a bid stands at one level, by the rules above (1 to 3, then the name). */
export interface Standing {
  readonly starved: number;
  readonly rank: number;
  readonly ratio: number;
  readonly name: string;
}

/** A bid's standing at both levels; it holds while the books (usage) and the bid stay as they are. */
export interface QueueStanding {
  readonly department: number;
  readonly atDepartment: Standing;
  readonly atProject: Standing;
}

export function queueStanding(
  tree: QueueTree,
  usage: QueueUsage,
  fairShare: Float64Array,
  bid: QueueBid,
): QueueStanding {
  const [project, department] = tree.chain(bid.project);
  return {
    department,
    atDepartment: standingAt(tree, usage, fairShare, department, bid),
    atProject: standingAt(tree, usage, fairShare, project, bid),
  };
}

function standingAt(
  tree: QueueTree,
  usage: QueueUsage,
  fairShare: Float64Array,
  queue: number,
  bid: QueueBid,
): Standing {
  const slot = tree.slot(queue, bid.pool);
  const after = usage.allocated[slot]! + bid.units;
  const info = tree.queues[queue]!;
  return {
    starved: after <= tree.deserved[slot]! ? 0 : 1,
    rank: info.rank,
    ratio: ratio(after, allocatable(tree, fairShare, slot)),
    name: info.name,
  };
}

function compareAt(a: Standing, b: Standing): number {
  if (a.starved !== b.starved) return a.starved - b.starved;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.ratio !== b.ratio) return a.ratio < b.ratio ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
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
