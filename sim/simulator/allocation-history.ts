// The cluster's figures over time, per node pool and per queue (project or department) in each pool: ready nodes
// and GPUs, GPUs allocated and pending, CPU and memory held, workloads running and waiting. Each figure is a step
// function recorded when it changes, read back by the API's cluster, node-pool and project metrics.
//
// Built by watching the model (like WorkloadHistory), so a replayed journal rebuilds it exactly. Cheap per event:
// allocations are read from the scheduler's per-queue usage (one pass over queues × pools); CPU, memory and running
// workloads change only for the workload touched, so only its gangs are looked at; ready nodes only on node faults.
import { GPU_UNITS } from '../cluster/index.ts';
import type { Micros } from '../engine/index.ts';
import type { WorkloadState } from '../workloads/state.ts';
import type { SimulatedCluster } from './simulated-cluster.ts';

/** A StepSeries as data: its times, then its values. */
export type StepSeriesSnapshot = readonly [readonly Micros[], readonly number[]];

/** An AllocationHistory as plain data (see model-snapshot.ts): every series, the running sums, the holdings. */
export interface AllocationHistorySnapshot {
  readonly series: readonly StepSeriesSnapshot[];
  readonly current: readonly (readonly number[])[];
  readonly held: readonly (readonly [number, Held])[];
}

/** A value from `at` until the next point; bounded, the oldest points dropped first. */
export class StepSeries {
  private readonly times: Micros[] = [];
  private readonly values: number[] = [];

  constructor(private readonly cap: number) {}

  /** The value from `at` on (a change at the same instant replaces the one before). */
  set(at: Micros, value: number): void {
    const last = this.values.length - 1;
    if (last >= 0 && this.values[last] === value) return;
    if (last >= 0 && this.times[last] === at) {
      this.times.pop();
      this.values.pop();
      if (last >= 1 && this.values[last - 1] === value) return;
    }
    this.times.push(at);
    this.values.push(value);
    if (this.times.length > this.cap) {
      const drop = Math.floor(this.cap / 2);
      this.times.splice(0, drop);
      this.values.splice(0, drop);
    }
  }

  snapshot(): StepSeriesSnapshot {
    return [[...this.times], [...this.values]];
  }

  restore([times, values]: StepSeriesSnapshot): void {
    this.times.splice(0, this.times.length, ...times);
    this.values.splice(0, this.values.length, ...values);
  }

  /** The value at `t`; undefined before the first point kept (nothing known, nothing invented). */
  at(t: Micros): number | undefined {
    let lo = 0;
    let hi = this.times.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= t) {
        found = this.values[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

/** Figures of a node pool. */
export type PoolFigure = 'readyNodes' | 'readyGpus';

/**
 * Figures of a queue in a pool (a department's sum its projects'). `pendingGpus`: GPUs asked by waiting gangs;
 * `pendingWorkloads` (phase Pending) and `pendingSinceSum` (the sum of the instants they entered Pending, so a
 * mean wait at t is t − sum / count) are charged, like the scheduler's pending demand, to the first pool listed.
 */
export type QueueFigure =
  | 'allocatedGpus'
  | 'pendingGpus'
  | 'cpuMillis'
  | 'memoryBytes'
  | 'runningWorkloads'
  | 'pendingWorkloads'
  | 'pendingSinceSum';

const QUEUE_FIGURES: readonly QueueFigure[] = [
  'allocatedGpus',
  'pendingGpus',
  'cpuMillis',
  'memoryBytes',
  'runningWorkloads',
  'pendingWorkloads',
  'pendingSinceSum',
];

export interface AllocationHistoryLimits {
  /** Points kept per series (oldest dropped first)… */
  readonly pointsPerSeries: number;
  /** …and in all series together: a large organisation gets fewer points a series (at least 64). */
  readonly points: number;
}

export const DEFAULT_ALLOCATION_HISTORY_LIMITS: AllocationHistoryLimits = { pointsPerSeries: 4096, points: 2_000_000 };

/** What one workload adds to its queue, per pool: running gangs' CPU and memory, whether it runs there. */
interface Held {
  project: number;
  readonly cpuMillis: number[];
  readonly memoryBytes: number[];
  readonly running: number[];
  /** Since when it is Pending (and in which pool it is counted), or null. */
  pending: { readonly since: Micros; readonly pool: number } | null;
}

export class AllocationHistory {
  private readonly pools: number;
  private readonly poolSeries: Record<PoolFigure, StepSeries[]>;
  private readonly queueSeries: Record<QueueFigure, StepSeries[]>;
  /** Workloads not deleted, per queue. */
  private readonly workloadSeries: StepSeries[];
  /** The current values the series follow (queue × pools + pool), for the figures not read from the scheduler. */
  private readonly current: Record<Exclude<QueueFigure, 'allocatedGpus' | 'pendingGpus'>, Float64Array>;
  private readonly workloads: Float64Array;
  /** What each workload holds, by seq (dense: cheaper than a Map of 100,000 id strings). */
  private readonly held: (Held | undefined)[] = [];
  private readonly allQueues: readonly number[];
  private readonly scratch: Held;

  constructor(
    private readonly cluster: SimulatedCluster,
    limits: AllocationHistoryLimits = DEFAULT_ALLOCATION_HISTORY_LIMITS,
  ) {
    const tree = cluster.scheduler.tree;
    this.pools = tree.pools;
    const slots = tree.queues.length * this.pools;
    const count = this.pools * 2 + slots * QUEUE_FIGURES.length + tree.queues.length;
    const cap = Math.min(limits.pointsPerSeries, Math.max(64, Math.floor(limits.points / count)));
    const series = (n: number) => Array.from({ length: n }, () => new StepSeries(cap));
    this.poolSeries = { readyNodes: series(this.pools), readyGpus: series(this.pools) };
    this.queueSeries = Object.fromEntries(
      QUEUE_FIGURES.map((f) => [f, series(slots)]),
    ) as AllocationHistory['queueSeries'];
    this.workloadSeries = series(tree.queues.length);
    const zeros = () => new Float64Array(slots);
    this.current = {
      cpuMillis: zeros(),
      memoryBytes: zeros(),
      runningWorkloads: zeros(),
      pendingWorkloads: zeros(),
      pendingSinceSum: zeros(),
    };
    this.workloads = new Float64Array(tree.queues.length);
    this.allQueues = tree.queues.map((q) => q.index);
    const perPool = () => new Array<number>(this.pools).fill(0);
    this.scratch = { project: 0, cpuMillis: perPool(), memoryBytes: perPool(), running: perPool(), pending: null };
    for (let pool = 0; pool < this.pools; pool++) this.nodesChanged(pool);
    this.record();
    const o = cluster.observers;
    o.on('workload-created', (w) => this.touched(w));
    o.on('workload-touched', (w) => this.touched(w));
    o.on('workload-phase', (w) => this.touched(w));
    o.on('workload-deleted', (w) => this.touched(w));
    o.on('scheduling-cycle', () => this.record());
    o.on('node-ready', (name) => {
      const node = cluster.scheduler.cluster.layout.nodeByName(name);
      if (node !== undefined) this.nodesChanged(node.pool);
      this.record();
    });
  }

  /** A pool's figure over time (pool index in cluster-file order). */
  pool(figure: PoolFigure, pool: number): StepSeries {
    return this.poolSeries[figure][pool]!;
  }

  /** A queue's figure in a pool over time (queue index of the scheduler's queue tree). */
  queue(figure: QueueFigure, queue: number, pool: number): StepSeries {
    return this.queueSeries[figure][queue * this.pools + pool]!;
  }

  /** A queue's workloads (not deleted, whatever their phase) over time. */
  workloadCount(queue: number): StepSeries {
    return this.workloadSeries[queue]!;
  }

  /** Everything recorded, as data (serialise it at once: the holdings are this history's objects). */
  snapshot(): AllocationHistorySnapshot {
    const held: [number, Held][] = [];
    this.held.forEach((h, seq) => void (h !== undefined && held.push([seq, h])));
    return {
      series: this.allSeries().map((s) => s.snapshot()),
      current: this.sums().map((a) => Array.from(a)),
      held,
    };
  }

  /** Takes the state of a snapshot of a history of the same cluster. */
  restore(s: AllocationHistorySnapshot): void {
    const series = this.allSeries();
    const sums = this.sums();
    if (s.series.length !== series.length || s.current.length !== sums.length)
      throw new RangeError('allocation history snapshot of another cluster');
    series.forEach((x, i) => x.restore(s.series[i]!));
    sums.forEach((a, i) => a.set(s.current[i]!));
    this.held.length = 0;
    for (const [seq, h] of s.held)
      this.held[seq] = {
        ...h,
        cpuMillis: [...h.cpuMillis],
        memoryBytes: [...h.memoryBytes],
        running: [...h.running],
      };
  }

  /** Every series in a fixed order: pools' figures, queues' figures, workload counts. */
  private allSeries(): StepSeries[] {
    return [
      ...this.poolSeries.readyNodes,
      ...this.poolSeries.readyGpus,
      ...QUEUE_FIGURES.flatMap((f) => this.queueSeries[f]),
      ...this.workloadSeries,
    ];
  }

  private sums(): Float64Array[] {
    const c = this.current;
    return [c.cpuMillis, c.memoryBytes, c.runningWorkloads, c.pendingWorkloads, c.pendingSinceSum, this.workloads];
  }

  private nodesChanged(pool: number): void {
    const state = this.cluster.scheduler.cluster;
    const p = state.layout.pools[pool]!;
    let ready = 0;
    for (const node of p.nodes) if (state.isReady(node) && state.layout.nodes[node]!.gpuCount > 0) ready++;
    this.poolSeries.readyNodes[pool]!.set(this.cluster.now, ready);
    this.poolSeries.readyGpus[pool]!.set(this.cluster.now, state.readyGpus(pool));
  }

  /**
   * A workload may hold something else now: take back what it added, add what it adds now, and record its
   * queues. Only they can have changed: a gang removed between cycles gives back its own project's GPUs; what
   * cycles and node faults move between queues is recorded for all.
   */
  private touched(w: Readonly<WorkloadState>): void {
    const scheduler = this.cluster.scheduler;
    const project = scheduler.tree.project(w.project)?.index;
    if (project === undefined) return;
    const chain = scheduler.tree.chain(project);
    const before = this.held[w.seq];
    const now = w.deletedAt === null ? this.holdings(w, project) : undefined;
    // Most touches (a pod's next start step) change nothing it holds: only the scheduler's GPU figures are looked at.
    if (before !== undefined && now !== undefined && sameHoldings(before, now)) {
      this.recordGpus(chain);
      return;
    }
    if (before !== undefined) this.charge(before, -1);
    if (now === undefined) this.held[w.seq] = undefined;
    else {
      const held: Held = {
        ...now,
        cpuMillis: [...now.cpuMillis],
        memoryBytes: [...now.memoryBytes],
        running: [...now.running],
      };
      this.held[w.seq] = held;
      this.charge(held, +1);
    }
    this.record(chain);
  }

  /** What `w` holds now, in a scratch value reused from one call to the next (copy it to keep it). */
  private holdings(w: Readonly<WorkloadState>, project: number): Held {
    const scheduler = this.cluster.scheduler;
    const held = this.scratch;
    held.project = project;
    held.cpuMillis.fill(0);
    held.memoryBytes.fill(0);
    held.running.fill(0);
    held.pending = null;
    for (const group of w.groups) {
      const gang = scheduler.gang(group.gang);
      if (gang === undefined || gang.phase !== 'running') continue;
      held.running[gang.pool] = 1;
      for (const b of gang.bindings) {
        held.cpuMillis[gang.pool]! += b.cpuMillis;
        held.memoryBytes[gang.pool]! += b.memoryBytes;
      }
    }
    if (w.phase === 'Pending') {
      const listed = w.spec.nodePools.length > 0 ? scheduler.cluster.layout.poolByName(w.spec.nodePools[0]!) : null;
      held.pending = { since: w.phaseUpdatedAt, pool: listed?.index ?? 0 };
    }
    return held;
  }

  private charge(held: Held, sign: 1 | -1): void {
    const tree = this.cluster.scheduler.tree;
    const c = this.current;
    for (const q of tree.chain(held.project)) {
      this.workloads[q]! += sign;
      for (let pool = 0; pool < this.pools; pool++) {
        const slot = q * this.pools + pool;
        c.cpuMillis[slot]! += sign * held.cpuMillis[pool]!;
        c.memoryBytes[slot]! += sign * held.memoryBytes[pool]!;
        c.runningWorkloads[slot]! += sign * held.running[pool]!;
      }
      if (held.pending !== null) {
        const slot = q * this.pools + held.pending.pool;
        c.pendingWorkloads[slot]! += sign;
        c.pendingSinceSum[slot]! += sign * held.pending.since;
      }
    }
  }

  /** The scheduler's GPU figures of these queues (a gang submitted or removed moves them between cycles). */
  private recordGpus(queues: readonly number[]): void {
    const now = this.cluster.now;
    const { usage } = this.cluster.scheduler;
    const s = this.queueSeries;
    for (const q of queues)
      for (let slot = q * this.pools; slot < (q + 1) * this.pools; slot++) {
        s.allocatedGpus[slot]!.set(now, usage.allocated[slot]! / GPU_UNITS);
        s.pendingGpus[slot]!.set(now, usage.pending[slot]! / GPU_UNITS);
      }
  }

  /** The series of these queues (all without) follow their current values: only changes are kept. */
  private record(queues?: readonly number[]): void {
    const now = this.cluster.now;
    const { usage } = this.cluster.scheduler;
    const s = this.queueSeries;
    const c = this.current;
    for (const q of queues ?? this.allQueues) {
      this.workloadSeries[q]!.set(now, this.workloads[q]!);
      for (let slot = q * this.pools; slot < (q + 1) * this.pools; slot++) {
        s.allocatedGpus[slot]!.set(now, usage.allocated[slot]! / GPU_UNITS);
        s.pendingGpus[slot]!.set(now, usage.pending[slot]! / GPU_UNITS);
        s.cpuMillis[slot]!.set(now, c.cpuMillis[slot]!);
        s.memoryBytes[slot]!.set(now, c.memoryBytes[slot]!);
        s.runningWorkloads[slot]!.set(now, c.runningWorkloads[slot]!);
        s.pendingWorkloads[slot]!.set(now, c.pendingWorkloads[slot]!);
        s.pendingSinceSum[slot]!.set(now, c.pendingSinceSum[slot]!);
      }
    }
  }
}

function sameHoldings(a: Held, b: Held): boolean {
  if (a.project !== b.project || (a.pending === null) !== (b.pending === null)) return false;
  if (a.pending !== null && (a.pending.since !== b.pending!.since || a.pending.pool !== b.pending!.pool)) return false;
  for (let i = 0; i < a.running.length; i++)
    if (a.running[i] !== b.running[i] || a.cpuMillis[i] !== b.cpuMillis[i] || a.memoryBytes[i] !== b.memoryBytes[i])
      return false;
  return true;
}
