import { GPU_UNITS } from '../../cluster/index.ts';
import type { GangState } from '../gang.ts';
import { checkQuota } from '../plugins/quota.ts';
import type { Action, Session } from '../session.ts';
import { askKey, forEachPendingPool, placeByEvicting } from './evict-to-place.ts';

/** Rounding slack for share comparisons, GPU units. */
const SLACK = 0.5;

/**
 * Reclaim: a pending gang whose project (and department) would stay within fair share takes resources back from
 * other projects that hold more than theirs, by evicting their preemptible gangs. KAI's rules:
 *  - who may reclaim: a project whose allocated + request stays within its fair share; when the victim is in
 *    another department, the reclaimer's department must stay within its fair share too;
 *  - who may lose: preemptible gangs of another queue which, at the level where the two queues' paths part
 *    (sibling projects, or their departments), holds more than max(deserved, fair share) before the eviction
 *    ("maintain fair share"), or more than deserved while the reclaimer stays within its deserved quota
 *    ("guarantee deserved quota"). Non-preemptible gangs are never reclaimed.
 *  - victims come from the most over-served queue first, then lowest priority, then newest.
 */
export const reclaimAction: Action = {
  name: 'reclaim',
  run(session) {
    forEachPendingPool(
      session,
      (gang, pool) => askKey(session, gang, pool, false),
      (gang, pool) => reclaimIn(session, gang, pool),
      (gang, pool, victims) =>
        session.commit(
          victims.map((victim) => ({
            victim,
            preemptor: gang,
            action: 'reclaim' as const,
            message: reclaimMessage(session, victim, gang, pool),
          })),
        ),
    );
  },
};

function reclaimIn(session: Session, gang: GangState, pool: number): GangState[] | null {
  const { core } = session;
  const { tree, usage } = core;
  const units = core.unitsOf(gang, pool);
  if (checkQuota(tree, usage, gang, pool, units) !== null) return null;
  if (!withinShare(session, gang.project, pool, units)) return null;
  // Evicting only lowers what a victim's queue holds, so a queue that may not lose a gang now may not later in
  // this attempt either: what the others' evictable queues hold bounds what reclaim can free.
  let reachable = core.cluster.domainFree(core.cluster.layout.pools[pool]!.root).gpus * GPU_UNITS;
  for (const q of tree.projects)
    if (q !== gang.project && core.victims.heldBy(q, pool) > 0 && mayEvictFrom(session, gang, q, pool, units))
      reachable += core.victims.heldBy(q, pool);
  if (reachable < units) return null;

  const overShare = (q: number): number => {
    const slot = tree.slot(q, pool);
    return usage.allocated[slot]! / Math.max(1, Math.max(tree.deserved[slot]!, session.fairShare[slot]!));
  };
  const candidates = core.victims.othersByRank(gang.project, pool, overShare);
  const mayEvict = (victim: GangState): boolean => mayEvictFrom(session, gang, victim.project, pool, units);
  return placeByEvicting(session, gang, pool, candidates, mayEvict);
}

/** Whether the queue stays within its fair share with `units` more. */
function withinShare(session: Session, queue: number, pool: number, units: number): boolean {
  const { tree, usage } = session.core;
  const slot = tree.slot(queue, pool);
  return usage.allocated[slot]! + units <= session.fairShare[slot]! + SLACK;
}

/** Whether the gang may reclaim from a gang of project `victim`, by the books as they stand. */
function mayEvictFrom(session: Session, gang: GangState, victim: number, pool: number, units: number): boolean {
  const { tree, usage } = session.core;
  const [reclaimerSide, victimSide] = divergence(tree.chain(gang.project), tree.chain(victim));
  if (tree.queues[reclaimerSide]!.kind === 'department' && !withinShare(session, reclaimerSide, pool, units))
    return false;
  const v = tree.slot(victimSide, pool);
  const r = tree.slot(reclaimerSide, pool);
  const victimAllocated = usage.allocated[v]!;
  const maintainsFairShare = victimAllocated > Math.max(tree.deserved[v]!, session.fairShare[v]!) + SLACK;
  const guaranteesDeserved =
    usage.allocated[r]! + units <= tree.deserved[r]! + SLACK && victimAllocated > tree.deserved[v]! + SLACK;
  return maintainsFairShare || guaranteesDeserved;
}

/** The two queues compared: sibling projects of one department, or the two departments. */
function divergence(reclaimer: readonly [number, number], victim: readonly [number, number]): [number, number] {
  return reclaimer[1] === victim[1] ? [reclaimer[0], victim[0]] : [reclaimer[1], victim[1]];
}

function reclaimMessage(session: Session, victim: GangState, preemptor: GangState, pool: number): string {
  const { tree, usage } = session.core;
  const describe = (q: number): string => {
    const slot = tree.slot(q, pool);
    const gpus = (u: number): string => (u / 1_000_000).toFixed(2).replace(/\.?0+$/, '');
    return `${tree.queues[q]!.name} uses ${gpus(usage.allocated[slot]!)} GPUs with a quota of ${gpus(tree.deserved[slot]!)} GPUs, fair-share of ${gpus(session.fairShare[slot]!)} GPUs and queue priority of ${tree.queues[q]!.rank}.`;
  };
  const [reclaimerSide, victimSide] = divergence(tree.chain(preemptor.project), tree.chain(victim.project));
  return `Workload ${victim.spec.workload ?? victim.spec.id} was reclaimed by workload ${preemptor.spec.workload ?? preemptor.spec.id}. ${describe(victimSide)} ${describe(reclaimerSide)}`;
}
