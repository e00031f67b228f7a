import { GPU_UNITS, type ClusterState } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { FairShareCache } from './fair-share.ts';
import type { GangState, ParkedPool, PendingReason, PoolReason } from './gang.ts';
import type { GangPlacer } from './placement.ts';
import { checkQuota } from './plugins/quota.ts';
import { compareJobs, compareQueues, queueStanding, type QueueStanding } from './queue-order.ts';
import type { QueueTree, QueueUsage } from './queues.ts';
import { Statement, type CommitResult } from './statement.ts';
import type { VictimIndex } from './victims.ts';

export type ActionName = 'allocate' | 'consolidation' | 'reclaim' | 'preempt';

/** One step of a scheduling cycle (KAI's actions), run in order over the same session. */
export interface Action {
  readonly name: ActionName;
  run(session: Session): void;
}

export interface Eviction {
  readonly victim: GangState;
  readonly preemptor: GangState;
  readonly action: 'reclaim' | 'preempt';
  readonly message: string;
}

/** What the scheduler lends a session: its state and a few derived views, nothing else. */
export interface SchedulerCore {
  readonly cluster: ClusterState;
  readonly tree: QueueTree;
  readonly usage: QueueUsage;
  readonly placer: GangPlacer;
  /** Fair share, divided again only where it changed. */
  readonly fairShares: FairShareCache;
  /** Running preemptible gangs per (project, pool), in victim order. */
  readonly victims: VictimIndex;
  pendingGangs(): GangState[];
  runningGangs(): Iterable<GangState>;
  /** Pool indexes to try, in order. */
  poolsOf(gang: GangState): readonly number[];
  /**
   * How many times resources were freed in the pool so far (a running gang removed or evicted, a node back).
   * Placement only gets harder while it stays the same, as the session's memory of failures already assumes.
   */
  freesIn(pool: number): number;
  /** The gang's quota charge in a pool, GPU units. */
  unitsOf(gang: GangState, pool: number): number;
  /** A key equal for gangs that ask for exactly the same things (resources, constraints, topology). */
  shapeOf(gang: GangState): number;
  /** Books the outcome of a commit: phases, pending demand, timings. */
  applyCommit(result: CommitResult, now: Micros): void;
}

/**
 * One scheduling cycle over a consistent picture: fair share computed once at the start (as KAI does), one
 * statement for tentative changes, and memory of what failed so identical gangs do not search again.
 */
export class Session {
  readonly fairShare: Float64Array;
  readonly statement: Statement;
  readonly placed: GangState[] = [];
  readonly evictions: Eviction[] = [];
  /** Pending gangs whose reason this cycle changed (a reason that stays the same is kept, object and all). */
  readonly reasonChanged: GangState[] = [];
  /** Commits so far: the books (usage) change only there. */
  private commits = 0;
  /**
   * `${pool}|${shape}` -> why it did not fit, and whose words those are (the reason names the workload); valid
   * while nothing has been freed in this cycle.
   */
  private readonly unschedulable = new Map<string, { message: string; subject: string }>();

  constructor(
    readonly core: SchedulerCore,
    readonly now: Micros,
  ) {
    const { cluster, usage } = core;
    const capacity = cluster.layout.pools.map((p) => cluster.readyGpus(p.index) * GPU_UNITS);
    this.fairShare = core.fairShares.compute(usage, capacity);
    this.statement = new Statement(cluster, usage);
  }

  /**
   * Tries the gang in one pool: the quota gate, then placement. On success the gang is placed in the statement
   * (the caller commits); on failure the reason for that pool.
   */
  attempt(gang: GangState, pool: number): { ok: true } | { ok: false; reason: PoolReason } {
    const { core } = this;
    const units = core.unitsOf(gang, pool);
    const quota = checkQuota(core.tree, core.usage, gang, pool, units);
    if (quota !== null) return { ok: false, reason: quota };
    // Parked: placement failed here before, and since then nothing was freed, or not enough for the gang in all:
    // it fails again the same way.
    const parked = parkedIn(gang, pool);
    if (
      parked !== undefined &&
      (parked.frees === core.freesIn(pool) || !core.placer.mightFit(gang.facts.needs[pool]!, pool))
    )
      return { ok: false, reason: parked.reason };
    const failed = this.place(gang, pool, parked);
    if (failed === null) return { ok: true };
    const entry: ParkedPool = { pool, frees: core.freesIn(pool), reason: failed.reason, source: failed.source };
    gang.parked = [...gang.parked.filter((p) => p.pool !== pool), entry];
    return { ok: false, reason: failed.reason };
  }

  /**
   * Places the gang in the statement, or says why it does not fit, and from which words of the session's memory
   * (`source`): a gang parked with a reason from the same words keeps its reason object.
   */
  private place(
    gang: GangState,
    pool: number,
    parked: ParkedPool | undefined,
  ): { reason: PoolReason; source: string } | null {
    const { core } = this;
    const poolName = core.tree.poolNames[pool]!;
    // Shapes are only worth computing once something has failed this cycle.
    const known = this.unschedulable.size > 0 ? this.unschedulable.get(`${pool}|${core.shapeOf(gang)}`) : undefined;
    if (known !== undefined) {
      if (parked?.source === known.message) return { reason: parked.reason, source: known.message };
      const message = known.message.split(known.subject).join(subjectOf(gang));
      return { reason: { pool: poolName, code: 'Unschedulable', message }, source: known.message };
    }
    const result = core.placer.place(gang.spec, pool, this.statement);
    if (!result.ok) {
      this.unschedulable.set(`${pool}|${core.shapeOf(gang)}`, { message: result.message, subject: subjectOf(gang) });
      return { reason: { pool: poolName, code: 'Unschedulable', message: result.message }, source: result.message };
    }
    this.statement.place(gang, pool, result.bindings, core.unitsOf(gang, pool));
    return null;
  }

  /** Tries every pool of the gang in order and commits the first placement; records the reasons otherwise. */
  allocate(gang: GangState): boolean {
    const reasons: PoolReason[] = [];
    for (const pool of this.core.poolsOf(gang)) {
      const result = this.attempt(gang, pool);
      if (result.ok) {
        this.commit([]);
        return true;
      }
      reasons.push(result.reason);
    }
    const previous = gang.pending;
    if (previous !== null && sameReasons(previous.pools, reasons)) return false;
    gang.pending = pendingReason(reasons);
    this.reasonChanged.push(gang);
    return false;
  }

  /** Commits the statement; evictions free resources, so remembered failures are forgotten. */
  commit(evictions: readonly Eviction[]): void {
    this.commits++;
    const result = this.statement.commit();
    this.core.applyCommit(result, this.now);
    this.placed.push(...result.placed);
    this.evictions.push(...evictions);
    // A victim waits again; until a cycle tries it, the eviction is its reason.
    for (const e of evictions) {
      e.victim.pending = { code: 'Evicted', message: e.message, pools: [] };
      this.reasonChanged.push(e.victim);
    }
    if (result.evicted.length > 0) this.unschedulable.clear();
  }

  /**
   * Visits pending gangs in scheduling order: the queue that should be served next (queue order, re-evaluated
   * after every gang as allocations change) and, inside it, the next job (job order).
   */
  forEachInQueueOrder(gangs: readonly GangState[], visit: (gang: GangState) => void): void {
    const { core } = this;
    const byProject = new Map<number, GangState[]>();
    for (const gang of gangs) {
      const list = byProject.get(gang.project);
      if (list === undefined) byProject.set(gang.project, [gang]);
      else list.push(gang);
    }
    // Each queue's bid (its head gang's pool and charge) and its standing are kept, and worked out again only
    // when its head moves or the books change (a commit).
    const queues = [...byProject.values()].map((list) => ({
      list: list.sort(compareJobs),
      next: 0,
      bid: { project: list[0]!.project, pool: 0, units: 0 },
      standing: undefined as QueueStanding | undefined,
      booksAt: -1,
    }));
    const refresh = (queue: (typeof queues)[number]): void => {
      const head = queue.list[queue.next]!;
      queue.bid.pool = core.poolsOf(head)[0] ?? 0;
      queue.bid.units = core.unitsOf(head, queue.bid.pool);
      queue.booksAt = -1;
    };
    for (const queue of queues) refresh(queue);
    for (;;) {
      let best: (typeof queues)[number] | undefined;
      for (const queue of queues) {
        if (queue.next >= queue.list.length) continue;
        if (queue.booksAt !== this.commits) {
          queue.standing = queueStanding(core.tree, core.usage, this.fairShare, queue.bid);
          queue.booksAt = this.commits;
        }
        if (best === undefined || compareQueues(queue.standing!, best.standing!) < 0) best = queue;
      }
      if (best === undefined) return;
      const gang = best.list[best.next++]!;
      if (best.next < best.list.length) refresh(best);
      if (gang.phase === 'pending') visit(gang);
    }
  }
}

/** How reasons name a gang's workload (see GangPlacer.diagnose). */
function subjectOf(gang: GangState): string {
  return `${gang.spec.workload ?? gang.spec.id}/`;
}

function parkedIn(gang: GangState, pool: number): ParkedPool | undefined {
  for (const p of gang.parked) if (p.pool === pool) return p;
  return undefined;
}

function sameReasons(a: readonly PoolReason[], b: readonly PoolReason[]): boolean {
  return (
    a.length === b.length && a.every((r, i) => r === b[i] || (r.code === b[i]!.code && r.message === b[i]!.message))
  );
}

export function pendingReason(pools: readonly PoolReason[]): PendingReason {
  if (pools.length === 0) return { code: 'Unschedulable', message: 'no node pool to schedule in', pools };
  const message = pools.map((r) => `node pool ${r.pool}: ${r.message}`).join(' ');
  return { code: pools[0]!.code, message, pools };
}
