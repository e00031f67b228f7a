import type { GangState } from '../gang.ts';
import { checkQuota } from '../plugins/quota.ts';
import type { Action, Session } from '../session.ts';
import { askKey, forEachPendingPool, placeByEvicting } from './evict-to-place.ts';

/**
 * Preempt: inside one project, a pending gang evicts preemptible gangs of strictly lower priority (lowest first,
 * newest first) when that makes it fit. Priority never crosses projects; that is reclaim's business.
 */
export const preemptAction: Action = {
  name: 'preempt',
  run(session) {
    forEachPendingPool(
      session,
      (gang, pool) => askKey(session, gang, pool, true),
      (gang, pool) => preemptIn(session, gang, pool),
      (gang, _pool, victims) => {
        const by = gang.spec.workload ?? gang.spec.id;
        session.commit(
          victims.map((victim) => ({
            victim,
            preemptor: gang,
            action: 'preempt' as const,
            message: `Workload ${victim.spec.workload ?? victim.spec.id} was preempted by higher priority workload ${by}.`,
          })),
        );
      },
    );
  },
};

function preemptIn(session: Session, gang: GangState, pool: number): GangState[] | null {
  const { core } = session;
  if (checkQuota(core.tree, core.usage, gang, pool, core.unitsOf(gang, pool)) !== null) return null;
  // Victim order puts the lowest priorities first: the candidates are the list's prefix below the gang's.
  const all = core.victims.of(gang.project, pool);
  let end = 0;
  while (end < all.length && all[end]!.spec.priority < gang.spec.priority) end++;
  if (end === 0) return null;
  return placeByEvicting(session, gang, pool, all.slice(0, end), () => true);
}
