import type { ClusterState } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import { ACTIONS } from './actions/index.ts';
import { EligibilityCache } from './eligibility.ts';
import { FairShareCache } from './fair-share.ts';
import type { FilterPlugin } from './framework.ts';
import type { GangSpec, GangState } from './gang.ts';
import { GangPlacer } from './placement.ts';
import { DEFAULT_FILTERS } from './plugins/index.ts';
import { QueueTree, QueueUsage, type DepartmentSpec } from './queues.ts';
import { gangQuotaUnits } from './requests.ts';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from './scheduler-config.ts';
import { Session, type Action, type Eviction, type SchedulerCore } from './session.ts';
import type { CommitResult } from './statement.ts';
import type { WorkloadShapes } from './workload-shapes.ts';
import { VictimIndex } from './victims.ts';

export interface SchedulerOptions {
  /** Cycle period, actions and search budgets; default: today's (KAI's) values. */
  readonly config?: SchedulerConfig;
  readonly filters?: readonly FilterPlugin[];
}

export type SubmitResult = { ok: true; gang: GangState } | { ok: false; reason: string };
export type RemoveResult = { ok: true; gang: GangState } | { ok: false; reason: string };

/** What one scheduling cycle did. */
export interface CycleReport {
  readonly now: Micros;
  readonly placed: readonly GangState[];
  readonly evictions: readonly Eviction[];
  /** Gangs still pending whose reason changed (the others' reasons stand as they were). */
  readonly reasonChanged: readonly GangState[];
  readonly pending: number;
}

/**
 * The gang scheduler: Run:ai's scheduler (KAI) semantics over a simulated cluster. Gangs are submitted and
 * removed at any time; `cycle(now)` runs the actions in order over one session and reports what changed.
 * Synchronous, deterministic and cloneable: a what-if clones it and runs ahead.
 */
export class Scheduler implements SchedulerCore {
  readonly tree: QueueTree;
  readonly usage: QueueUsage;
  readonly placer: GangPlacer;
  readonly config: SchedulerConfig;
  readonly victims: VictimIndex;
  readonly fairShares: FairShareCache;
  private readonly actions: readonly Action[];
  private readonly eligibility: EligibilityCache;
  private gangs = new Map<string, GangState>();
  private pendingSeqs = new Map<number, GangState>();
  /** Pending gangs by project queue index, kept with every pending transition (addPendingDemand). */
  private pendingByProject = new Map<number, number>();
  private runningSeqs = new Map<number, GangState>();
  private nextSeq = 0;
  /** Per pool, how many times resources were freed there (releases, evictions, a node back): see `freesIn`. */
  private frees: Float64Array;
  /** Shape keys -> small ids (GangFacts.shape); shared with clones, which only add to it. */
  private readonly shapeIds: Map<string, number>;

  constructor(
    readonly cluster: ClusterState,
    departments: readonly DepartmentSpec[],
    options: SchedulerOptions = {},
    shared?: {
      tree: QueueTree;
      usage: QueueUsage;
      eligibility: EligibilityCache;
      shapes?: WorkloadShapes;
      shapeIds?: Map<string, number>;
    },
  ) {
    this.tree =
      shared?.tree ??
      new QueueTree(
        departments,
        cluster.layout.pools.map((p) => p.name),
      );
    this.usage = shared?.usage ?? new QueueUsage(this.tree);
    this.victims = new VictimIndex(this.tree);
    this.fairShares = new FairShareCache(this.tree);
    this.eligibility = shared?.eligibility ?? new EligibilityCache(cluster.layout, options.filters ?? DEFAULT_FILTERS);
    this.config = options.config ?? DEFAULT_SCHEDULER_CONFIG;
    this.placer = new GangPlacer(cluster, this.eligibility, this.config, shared?.shapes);
    this.actions = this.config.actions.map((name) => ACTIONS[name]);
    this.shapeIds = shared?.shapeIds ?? new Map();
    this.frees = new Float64Array(cluster.layout.pools.length);
  }

  /** Adds a gang to the pending set. Rejects what could never be scheduled rather than leave it stuck. */
  submit(spec: GangSpec, now: Micros): SubmitResult {
    if (this.gangs.has(spec.id)) return { ok: false, reason: `gang ${spec.id} already exists` };
    const project = this.tree.project(spec.project);
    if (project === undefined) return { ok: false, reason: `unknown project ${spec.project}` };
    if (spec.pods.length === 0) return { ok: false, reason: 'a gang needs at least one pod' };
    // Priority classes run 25 to 150; the bound keeps the actions' failure keys exact (see askKey).
    if (!Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority >= 1000)
      return { ok: false, reason: `priority ${spec.priority} is not an integer from 0 to 999` };
    const poolIndexes: number[] = [];
    for (const name of spec.nodePools) {
      const pool = this.cluster.layout.poolByName(name);
      if (pool === undefined) return { ok: false, reason: `unknown node pool ${name}` };
      poolIndexes.push(pool.index);
    }
    const seq = this.nextSeq++;
    const { layout } = this.cluster;
    const gang: GangState = {
      spec,
      facts: {
        pools: poolIndexes.length > 0 ? poolIndexes : layout.pools.map((p) => p.index),
        units: Float64Array.from(layout.pools, (p) => gangQuotaUnits(spec, layout, p.index)),
        needs: layout.pools.map((p) => this.placer.need(spec, p.index)),
        shape: -1,
      },
      seq,
      project: project.index,
      submittedAt: now,
      phase: 'pending',
      pool: -1,
      bindings: [],
      pending: null,
      parked: [],
      firstPlacedAt: null,
      lastPlacedAt: null,
      pendingMicros: 0,
      pendingSince: now,
      evictions: 0,
    };
    this.placer.shapes.observe(spec);
    this.gangs.set(spec.id, gang);
    this.pendingSeqs.set(seq, gang);
    this.addPendingDemand(gang, +1);
    return { ok: true, gang };
  }

  /** Removes a gang, returning its resources if it was running. */
  remove(id: string, now: Micros): RemoveResult {
    const gang = this.gangs.get(id);
    if (gang === undefined) return { ok: false, reason: `unknown gang ${id}` };
    if (gang.phase === 'running') {
      for (const binding of gang.bindings) this.cluster.release(binding);
      this.usage.charge(gang.project, gang.pool, -this.unitsOf(gang, gang.pool), gang.spec.preemptible);
      this.runningSeqs.delete(gang.seq);
      this.victims.delete(gang);
      this.frees[gang.pool]!++;
    } else {
      this.addPendingDemand(gang, -1);
      this.pendingSeqs.delete(gang.seq);
      gang.pendingMicros += now - gang.pendingSince;
    }
    this.gangs.delete(id);
    return { ok: true, gang };
  }

  /**
   * Takes a node out (a fault) or puts it back. Gangs with a pod on a failed node lose their placement and
   * return to pending (the group is recreated, as LWS does on a pod failure); they are returned.
   */
  setNodeReady(node: number, ready: boolean, now: Micros): GangState[] {
    const displaced: GangState[] = [];
    if (!ready) {
      for (const gang of this.runningSeqs.values())
        if (gang.bindings.some((b) => b.node === node)) displaced.push(gang);
      for (const gang of displaced) this.unbind(gang, now);
    }
    this.cluster.setReady(node, ready);
    if (ready) this.frees[this.cluster.layout.nodes[node]!.pool]!++;
    return displaced;
  }

  /** One scheduling cycle: every action in order over one session. */
  cycle(now: Micros): CycleReport {
    const session = new Session(this, now);
    for (const action of this.actions) action.run(session);
    const reasonChanged = session.reasonChanged.filter((g) => g.phase === 'pending');
    return { now, placed: session.placed, evictions: session.evictions, reasonChanged, pending: this.pendingSeqs.size };
  }

  gang(id: string): Readonly<GangState> | undefined {
    return this.gangs.get(id);
  }

  allGangs(): IterableIterator<Readonly<GangState>> {
    return this.gangs.values();
  }

  get pendingCount(): number {
    return this.pendingSeqs.size;
  }

  /** How many gangs of a project wait for placement. */
  pendingOf(project: string): number {
    const queue = this.tree.project(project)?.index;
    return queue === undefined ? 0 : (this.pendingByProject.get(queue) ?? 0);
  }

  /** An independent copy over a cloned cluster; static parts (queue tree, filter verdicts) are shared. */
  clone(): Scheduler {
    const cluster = this.cluster.clone();
    const copy = new Scheduler(
      cluster,
      [],
      { config: this.config },
      {
        tree: this.tree,
        usage: this.usage.clone(),
        eligibility: this.eligibility,
        shapes: this.placer.shapes.cloneFor(cluster),
        shapeIds: this.shapeIds,
      },
    );
    for (const gang of this.gangs.values()) {
      const twin: GangState = { ...gang, bindings: [...gang.bindings] };
      copy.gangs.set(gang.spec.id, twin);
      (gang.phase === 'pending' ? copy.pendingSeqs : copy.runningSeqs).set(gang.seq, twin);
      if (gang.phase === 'running') copy.victims.add(twin);
    }
    copy.nextSeq = this.nextSeq;
    copy.frees = this.frees.slice();
    copy.pendingByProject = new Map(this.pendingByProject);
    return copy;
  }

  // ---- SchedulerCore: what sessions and actions see ------------------------------------------------------

  pendingGangs(): GangState[] {
    return [...this.pendingSeqs.values()];
  }

  runningGangs(): Iterable<GangState> {
    return this.runningSeqs.values();
  }

  poolsOf(gang: GangState): readonly number[] {
    return gang.facts.pools;
  }

  freesIn(pool: number): number {
    return this.frees[pool]!;
  }

  /** Takes the counts of frees a snapshot saved (see freesIn). */
  restoreFrees(frees: readonly number[]): void {
    if (frees.length !== this.frees.length) throw new RangeError('frees of another cluster layout');
    this.frees.set(frees);
  }

  unitsOf(gang: GangState, pool: number): number {
    return gang.facts.units[pool]!;
  }

  shapeOf(gang: GangState): number {
    const facts = gang.facts;
    if (facts.shape < 0) {
      const key = JSON.stringify([
        gang.spec.pods.map((p) => [p.resources, p.constraints ?? null]),
        gang.spec.topology ?? null,
      ]);
      let id = this.shapeIds.get(key);
      if (id === undefined) this.shapeIds.set(key, (id = this.shapeIds.size));
      facts.shape = id;
    }
    return facts.shape;
  }

  applyCommit(result: CommitResult, now: Micros): void {
    for (const pool of result.evictedFrom) this.frees[pool]!++;
    for (const gang of result.evicted) {
      this.runningSeqs.delete(gang.seq);
      this.victims.delete(gang);
      this.pendingSeqs.set(gang.seq, gang);
      gang.evictions++;
      gang.pendingSince = now;
      this.addPendingDemand(gang, +1);
    }
    for (const gang of result.placed) {
      this.pendingSeqs.delete(gang.seq);
      this.runningSeqs.set(gang.seq, gang);
      this.victims.add(gang);
      this.addPendingDemand(gang, -1);
      gang.pending = null;
      gang.parked = [];
      gang.pendingMicros += now - gang.pendingSince;
      gang.firstPlacedAt ??= now;
      gang.lastPlacedAt = now;
    }
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private unbind(gang: GangState, now: Micros): void {
    this.victims.delete(gang);
    this.frees[gang.pool]!++;
    for (const binding of gang.bindings) this.cluster.release(binding);
    this.usage.charge(gang.project, gang.pool, -this.unitsOf(gang, gang.pool), gang.spec.preemptible);
    gang.phase = 'pending';
    gang.pool = -1;
    gang.bindings = [];
    gang.pendingSince = now;
    this.runningSeqs.delete(gang.seq);
    this.pendingSeqs.set(gang.seq, gang);
    this.addPendingDemand(gang, +1);
  }

  /** Pending demand counts toward fair share in the gang's first pool. */
  private addPendingDemand(gang: GangState, sign: 1 | -1): void {
    const home = this.poolsOf(gang)[0]!;
    this.usage.addPending(gang.project, home, sign * this.unitsOf(gang, home));
    this.pendingByProject.set(gang.project, (this.pendingByProject.get(gang.project) ?? 0) + sign);
  }
}
