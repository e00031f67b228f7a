// The scheduler's state as plain data, and a fresh scheduler brought to it through its public API alone (the
// scheduler's internals are not this module's to reach into). Gangs are submitted again in seq order, so their
// relative seqs (the tie-breaker of job and victim order) are the original's; the running ones are bound in the
// order they started running, the waiting ones moved into the order they started waiting (the scheduler's maps
// iterate in insertion order, and so do the cycles and fault handling that walk them). Then the quota books and
// the cluster state (allocations and the bucket indexes whose member order placement breaks ties by) are
// overwritten with what was saved. Caches (shapes, units, eligibility) start empty: they are derived, not state.
import { isPolicyPlacement, type Binding, type ClusterStateSnapshot } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { GangPhase, GangSpec, GangState, ParkedPool, PendingReason, Scheduler } from '../scheduler/index.ts';
import { Statement } from '../scheduler/statement.ts';

/** One gang, without its spec (derived again from its workload's group, see `gangSpec`). */
export interface GangSnapshot {
  readonly id: string;
  readonly phase: GangPhase;
  readonly pool: number;
  readonly bindings: readonly Binding[];
  readonly pending: PendingReason | null;
  readonly parked: readonly ParkedPool[];
  readonly submittedAt: Micros;
  readonly firstPlacedAt: Micros | null;
  readonly lastPlacedAt: Micros | null;
  readonly pendingMicros: Micros;
  readonly pendingSince: Micros;
  readonly evictions: number;
}

export interface SchedulerSnapshot {
  /** In seq order. */
  readonly gangs: readonly GangSnapshot[];
  /** Gang ids in the order the scheduler iterates its running and its pending gangs. */
  readonly running: readonly string[];
  readonly pending: readonly string[];
  readonly usage: {
    readonly allocated: readonly number[];
    readonly allocatedNonPreemptible: readonly number[];
    readonly pending: readonly number[];
  };
  readonly cluster: ClusterStateSnapshot;
  /** Per pool, how many times resources were freed there (what parked gangs compare with). */
  readonly frees: readonly number[];
}

export type Snapshotted<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The scheduler's state, or why it cannot be captured exactly. */
export function snapshotScheduler(scheduler: Scheduler): Snapshotted<SchedulerSnapshot> {
  const policyPool = scheduler.cluster.layout.pools.find((p) => isPolicyPlacement(p.placement));
  // A policy-placed pool scores against the shapes of every gang ever submitted (WorkloadShapes), which only
  // that history can rebuild: no snapshot is exact there.
  if (policyPool !== undefined)
    return { ok: false, reason: `node pool ${policyPool.name} is placed by policy ${policyPool.placement}` };
  const gangs = [...scheduler.allGangs()].sort((a, b) => a.seq - b.seq).map(gangSnapshot);
  const { usage } = scheduler;
  return {
    ok: true,
    value: {
      gangs,
      running: [...scheduler.runningGangs()].map((g) => g.spec.id),
      pending: scheduler.pendingGangs().map((g) => g.spec.id),
      usage: {
        allocated: Array.from(usage.allocated),
        allocatedNonPreemptible: Array.from(usage.allocatedNonPreemptible),
        pending: Array.from(usage.pending),
      },
      cluster: scheduler.cluster.snapshot(),
      frees: scheduler.cluster.layout.pools.map((p) => scheduler.freesIn(p.index)),
    },
  };
}

/** The fields a restore gives back to each gang (after re-submitting it, which sets the rest). */
const RESTORED = [
  'phase',
  'pool',
  'bindings',
  'pending',
  'parked',
  'firstPlacedAt',
  'lastPlacedAt',
  'pendingMicros',
  'pendingSince',
  'evictions',
] as const satisfies readonly (keyof GangSnapshot & keyof GangState)[];

function gangSnapshot(g: Readonly<GangState>): GangSnapshot {
  return { id: g.spec.id, submittedAt: g.submittedAt, ...fieldsOf(g) };
}

/**
 * Brings a fresh scheduler (nothing submitted) to a snapshot's state. `gangSpec` gives each gang's spec back from
 * its id (the controller derives it from the workload's group); undefined is a snapshot that does not match.
 */
export function restoreScheduler(
  scheduler: Scheduler,
  s: SchedulerSnapshot,
  gangSpec: (id: string) => GangSpec | undefined,
  now: Micros,
): void {
  const byId = new Map<string, GangState>();
  for (const g of s.gangs) {
    const spec = gangSpec(g.id);
    if (spec === undefined) throw new Error(`snapshot: gang ${g.id} has no group to derive its spec from`);
    const submitted = scheduler.submit(spec, g.submittedAt);
    if (!submitted.ok) throw new Error(`snapshot: gang ${g.id} rejected: ${submitted.reason}`);
    byId.set(g.id, submitted.gang);
  }
  const saved = new Map(s.gangs.map((g) => [g.id, g]));
  const gang = (id: string): GangState => {
    const found = byId.get(id);
    if (found === undefined) throw new Error(`snapshot: unknown gang ${id}`);
    return found;
  };
  for (const id of s.running) {
    const g = saved.get(id)!;
    const statement = new Statement(scheduler.cluster, scheduler.usage);
    statement.place(gang(id), g.pool, g.bindings, 0);
    scheduler.applyCommit(statement.commit(), now);
  }
  const pendingNow = scheduler.pendingGangs().map((g) => g.spec.id);
  if (pendingNow.join('\n') !== s.pending.join('\n'))
    for (const id of s.pending) moveToBackOfPending(scheduler, gang(id), now);
  for (const g of s.gangs) Object.assign(gang(g.id), fieldsOf(g));
  scheduler.usage.allocated.set(s.usage.allocated);
  scheduler.usage.allocatedNonPreemptible.set(s.usage.allocatedNonPreemptible);
  scheduler.usage.pending.set(s.usage.pending);
  // Written behind the books' back: whatever follows them (the fair-share cache) must look at all of it again.
  scheduler.usage.changed.fill(1);
  scheduler.cluster.restoreFrom(s.cluster);
  scheduler.restoreFrees(s.frees);
}

/**
 * A waiting gang re-enters the pending set last, as an evicted gang does: booked as placed, then as evicted (in a
 * real pool of its project, so the victim lists stay sound; its fields are set from the snapshot afterwards).
 */
function moveToBackOfPending(scheduler: Scheduler, gang: GangState, now: Micros): void {
  gang.pool = scheduler.poolsOf(gang)[0]!;
  scheduler.applyCommit({ placed: [gang], evicted: [], evictedFrom: [] }, now);
  scheduler.applyCommit({ placed: [], evicted: [gang], evictedFrom: [] }, now);
}

function fieldsOf(g: GangSnapshot | Readonly<GangState>): Pick<GangState, (typeof RESTORED)[number]> {
  const fields = Object.fromEntries(RESTORED.map((k) => [k, g[k]])) as Pick<GangState, (typeof RESTORED)[number]>;
  return { ...fields, bindings: [...g.bindings] };
}
