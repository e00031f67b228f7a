import { GPU_UNITS } from '../../cluster/index.ts';
import type { GangState } from '../gang.ts';
import type { Session } from '../session.ts';

/** Finds victims that make the gang fit in the pool (left in the statement, uncommitted), or null. */
export type Solver = (gang: GangState, pool: number) => GangState[] | null;

/**
 * The loop both evicting actions share: pending gangs in queue order, each tried pool by pool until `solve` finds
 * victims, which `commit` then books. A failure is remembered under `failureKey`, so gangs asking the same thing
 * are not solved again.
 *
 * While no attempt succeeds nothing changes, so whether any will does not depend on the order: a probe first tries
 * each distinct ask once, in any order, and when none can succeed the pass in queue order (which would fail every
 * one of them) is skipped. A backlog that no eviction can help then costs one look per gang, not a queue-order walk.
 */
export function forEachPendingPool(
  session: Session,
  failureKey: (gang: GangState, pool: number) => number,
  solve: Solver,
  commit: (gang: GangState, pool: number, victims: GangState[]) => void,
): void {
  const gangs = session.core.pendingGangs();
  if (!anySolvable(session, gangs, failureKey, solve)) return;
  const failed = new Set<number>();
  session.forEachInQueueOrder(gangs, (gang) => {
    for (const pool of session.core.poolsOf(gang)) {
      const key = failureKey(gang, pool);
      if (failed.has(key)) continue;
      const victims = solve(gang, pool);
      if (victims !== null) return void commit(gang, pool, victims);
      failed.add(key);
    }
  });
}

function anySolvable(
  session: Session,
  gangs: readonly GangState[],
  failureKey: (gang: GangState, pool: number) => number,
  solve: Solver,
): boolean {
  const failed = new Set<number>();
  for (const gang of gangs) {
    for (const pool of session.core.poolsOf(gang)) {
      const key = failureKey(gang, pool);
      if (failed.has(key)) continue;
      const start = session.statement.checkpoint();
      if (solve(gang, pool) !== null) {
        session.statement.rollback(start);
        return true;
      }
      failed.add(key);
    }
  }
  return false;
}

/**
 * The solver behind reclaim and preempt. Victims are taken in the order given (the caller's victim order) until
 * the gang really fits; then each chosen victim, the most valuable first, is spared again if the gang still fits
 * without it. What is left is a set of whole gangs none of which could be spared, biased to the lowest priority.
 *
 * On success the evictions and the placement are in the statement, uncommitted; on failure nothing is.
 */
export function placeByEvicting(
  session: Session,
  gang: GangState,
  pool: number,
  candidates: readonly GangState[],
  mayEvict: (victim: GangState) => boolean,
): GangState[] | null {
  const { statement, core } = session;
  const need = core.unitsOf(gang, pool);
  const free = core.cluster.domainFree(core.cluster.layout.pools[pool]!.root).gpus * GPU_UNITS;
  const reachable = candidates.reduce((sum, v) => sum + core.unitsOf(v, pool), free);
  if (reachable < need) return null;

  const start = statement.checkpoint();
  const chosen: GangState[] = [];
  let freed = free;
  let fits = false;
  for (const victim of candidates) {
    if (statement.isEvicted(victim) || !mayEvict(victim)) continue;
    statement.evict(victim, core.unitsOf(victim, victim.pool));
    chosen.push(victim);
    freed += core.unitsOf(victim, pool);
    if (freed < need) continue; // cannot fit yet: do not pay for a placement attempt
    if (tryPlace(session, gang, pool)) {
      fits = true;
      break;
    }
  }
  statement.rollback(start);
  if (!fits) return null;

  // Spare what is not needed, highest priority first (the list is in victim order: lowest priority first).
  let needed = chosen;
  for (let i = chosen.length - 1; i >= 0; i--) {
    const without = needed.filter((v) => v !== chosen[i]);
    for (const v of without) statement.evict(v, core.unitsOf(v, v.pool));
    const stillFits = tryPlace(session, gang, pool);
    statement.rollback(start);
    if (stillFits) needed = without;
  }
  for (const v of needed) statement.evict(v, core.unitsOf(v, v.pool));
  if (!tryPlace(session, gang, pool, true)) {
    statement.rollback(start);
    return null;
  }
  return needed;
}

/** A placement attempt; unless `keep`, it is undone again and only the answer remains. */
function tryPlace(session: Session, gang: GangState, pool: number, keep = false): boolean {
  const { statement, core } = session;
  const checkpoint = statement.checkpoint();
  const result = core.placer.place(gang.spec, pool, statement, false);
  if (!result.ok) return false;
  if (keep) statement.place(gang, pool, result.bindings, core.unitsOf(gang, pool));
  else statement.rollback(checkpoint);
  return true;
}

/**
 * A number equal for gangs of one project that ask the same thing (shape, preemptibility) of one pool, and, when
 * `priority` counts, at the same priority (priority classes are below 1,000).
 */
export function askKey(session: Session, gang: GangState, pool: number, priority: boolean): number {
  const { tree } = session.core;
  const shape = session.core.shapeOf(gang);
  const base = ((shape * 2 + (gang.spec.preemptible ? 1 : 0)) * tree.pools + pool) * tree.queues.length + gang.project;
  return priority ? base * 1000 + gang.spec.priority : base;
}
