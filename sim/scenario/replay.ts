import { GPU_UNITS } from '../cluster/index.ts';
import { toSeconds, type Micros } from '../engine/index.ts';
import { ClusterModel } from '../model/cluster-model.ts';
import { fragmentation, referenceRequests } from '../scheduler/index.ts';
import { requestedGpus } from '../scheduler/requests.ts';
import type { WorkloadState } from '../workloads/state.ts';
import type { GpuUse, Percentiles, ReplayReport, WorkloadReport } from './report.ts';
import type { Scenario, ScenarioAction } from './scenario.ts';

export type DeterministicReport = Omit<ReplayReport, 'run'>;

/** Called now and then with how far the replay has come, for a progress bar. */
export type ProgressListener = (done: Micros, until: Micros) => void;

/**
 * Replays a scenario in virtual time, as fast as it runs: the timeline's steps at their times, the time series
 * sampled on a fixed grid, and the report assembled at the horizon. Pure: the same scenario gives the same report.
 */
export interface ReplayOptions {
  readonly onProgress?: ProgressListener;
  /** Called once with the replay's cluster before the first step, to watch it through its observers. */
  readonly observe?: (model: ClusterModel) => void;
}

export function replay(
  scenario: Scenario,
  { onProgress, observe }: ReplayOptions = {},
): { report: DeterministicReport; events: number } {
  const model = ClusterModel.create(scenario.cluster, {
    seed: scenario.seed,
    delays: scenario.delays,
    scheduler: scenario.scheduler,
  });
  observe?.(model);
  const recorder = new Recorder(model);
  const ids = new Map<string, string>(); // workload name -> id of its latest incarnation
  let step = 0;
  for (let sampleAt = 0; ; sampleAt = Math.min(scenario.until, sampleAt + scenario.sampleEvery)) {
    for (; step < scenario.steps.length && scenario.steps[step]!.at <= sampleAt; step++) {
      const { at, action } = scenario.steps[step]!;
      model.advanceTo(at);
      recorder.count(apply(model, action, ids) ? action.kind : `${action.kind} refused`);
    }
    model.advanceTo(sampleAt);
    recorder.sample();
    onProgress?.(sampleAt, scenario.until);
    if (sampleAt >= scenario.until) break;
  }
  return { report: recorder.report(scenario), events: model.sim.processedEvents };
}

function apply(model: ClusterModel, action: ScenarioAction, ids: Map<string, string>): boolean {
  const id = (name: string): string => ids.get(name) ?? '';
  switch (action.kind) {
    case 'create': {
      const created = model.createWorkload({
        spec: action.spec,
        useGivenNameAsPrefix: action.useGivenNameAsPrefix,
        createdBy: 'scenario',
        request: JSON.stringify(action.request ?? null),
      });
      if (created.ok) ids.set(action.spec.name, created.value.id);
      return created.ok;
    }
    case 'scale':
      return model.scaleWorkload(id(action.name), action.replicas).ok;
    case 'delete':
      return model.deleteWorkload(id(action.name)).ok;
    case 'node':
      return model.setNodeReady(action.node, action.ready).ok;
    case 'fail-pod':
      return model.failPod(id(action.name), action.pod).ok;
  }
}

/** Watches a model through a replay: counts what happens, samples the series, and writes the report. */
class Recorder {
  private readonly events = new Map<string, number>();
  private readonly t: number[] = [];
  private readonly byProject = new Map<string, number[]>();
  private readonly byPool = new Map<string, number[]>();
  private readonly capacityByPool = new Map<string, number[]>();
  private readonly fragmentedByPool = new Map<string, number[]>();
  private readonly pending: number[] = [];
  private readonly running: number[] = [];
  private runningNow = 0;

  constructor(private readonly model: ClusterModel) {
    model.observers.on('scheduling-cycle', (report) => {
      this.count('scheduling cycles');
      this.count('gangs placed', report.placed.length);
      for (const e of report.evictions) this.count(`gangs ${e.action === 'reclaim' ? 'reclaimed' : 'preempted'}`);
    });
    model.observers.on('workload-phase', (w, previous) => {
      if (w.phase === 'Running') this.runningNow++;
      if (previous === 'Running') this.runningNow--;
      if (w.phase === 'Completed') this.count('jobs completed');
    });
  }

  count(what: string, n = 1): void {
    if (n !== 0) this.events.set(what, (this.events.get(what) ?? 0) + n);
  }

  sample(): void {
    const { scheduler } = this.model;
    const { cluster, tree, usage } = scheduler;
    this.t.push(toSeconds(this.model.now));
    for (const project of tree.projects) {
      let units = 0;
      for (let pool = 0; pool < tree.pools; pool++) units += usage.allocated[tree.slot(project, pool)]!;
      push(this.byProject, tree.queues[project]!.name, round(units / GPU_UNITS));
    }
    for (const pool of cluster.layout.pools) {
      const capacity = cluster.readyGpus(pool.index);
      push(this.capacityByPool, pool.name, capacity);
      push(this.byPool, pool.name, round(capacity - cluster.domainFree(pool.root).gpus));
      push(
        this.fragmentedByPool,
        pool.name,
        round(fragmentation(cluster, pool.index, referenceRequests(scheduler, pool.index)).fragmentedGpus),
      );
    }
    this.pending.push(scheduler.pendingCount);
    this.running.push(this.runningNow);
  }

  report(scenario: Scenario): DeterministicReport {
    const layout = this.model.scheduler.cluster.layout;
    const workloads = [...this.model.allWorkloads()].map((w) => workloadReport(w, scenario.until));
    const ran = workloads.filter((w) => w.firstRunningAt !== null);
    const pools = layout.pools.map((p) => ({
      pool: p.name,
      ...use(this.capacityByPool.get(p.name)!, this.byPool.get(p.name)!, this.fragmentedByPool.get(p.name)!),
    }));
    const sum = (series: Map<string, number[]>) =>
      this.t.map((_, i) => round([...series.values()].reduce((s, v) => s + v[i]!, 0)));
    return {
      scenario: {
        name: scenario.name,
        file: scenario.file,
        seed: scenario.seed,
        until: toSeconds(scenario.until),
        cluster: {
          name: scenario.cluster.name,
          nodes: layout.nodes.length,
          gpus: layout.totalGpus,
          pools: layout.pools.map((p) => ({ name: p.name, gpus: p.gpuCount })),
        },
      },
      workloads,
      summary: {
        workloads: workloads.length,
        ran: ran.length,
        neverRan: workloads.length - ran.length,
        pendingSeconds: percentiles(workloads.map((w) => w.pendingSeconds)),
        timeToRunningSeconds: percentiles(ran.map((w) => w.timeToRunningSeconds!)),
        preemptions: workloads.reduce((s, w) => s + w.preemptions, 0),
        restarts: workloads.reduce((s, w) => s + w.restarts, 0),
      },
      gpu: {
        overall: use(sum(this.capacityByPool), sum(this.byPool), sum(this.fragmentedByPool)),
        pools,
        projects: [...this.byProject].map(([project, series]) => ({
          project,
          meanAllocated: mean(series),
          peakAllocated: max(series),
        })),
      },
      series: {
        interval: toSeconds(scenario.sampleEvery),
        t: this.t,
        allocatedByProject: Object.fromEntries(this.byProject),
        allocatedByPool: Object.fromEntries(this.byPool),
        pendingGangs: this.pending,
        runningWorkloads: this.running,
        fragmentedGpus: sum(this.fragmentedByPool),
      },
      events: Object.fromEntries([...this.events].sort(([a], [b]) => (a < b ? -1 : 1))),
    };
  }
}

function workloadReport(w: Readonly<WorkloadState>, until: Micros): WorkloadReport {
  const spec = w.spec;
  const groupGpus =
    requestedGpus(spec.leader.resources.gpu) +
    spec.workers * (spec.worker ? requestedGpus(spec.worker.resources.gpu) : 0);
  const end = w.firstScheduledAt ?? w.deletedAt ?? until;
  const restarts = w.groups.reduce((s, g) => s + g.restarts, 0) - w.evictions;
  return {
    name: w.name,
    project: w.project,
    kind: spec.runFor === undefined ? 'inference' : 'training',
    gpus: round(groupGpus * w.replicas),
    submittedAt: toSeconds(w.createdAt),
    firstRunningAt: w.firstRunningAt === null ? null : toSeconds(w.firstRunningAt),
    pendingSeconds: round(toSeconds(Math.max(0, end - w.createdAt))),
    timeToRunningSeconds: w.firstRunningAt === null ? null : round(toSeconds(w.firstRunningAt - w.createdAt)),
    preemptions: w.evictions,
    restarts: Math.max(0, restarts),
    finalPhase: w.deletedAt !== null ? 'Deleted' : w.phase,
    pendingReason: w.firstRunningAt === null ? w.phaseMessage || null : null,
  };
}

function use(capacity: readonly number[], allocated: readonly number[], fragmented: readonly number[]): GpuUse {
  return {
    capacity: max(capacity),
    meanAllocated: mean(allocated),
    peakAllocated: max(allocated),
    meanFragmented: mean(fragmented),
    peakFragmented: max(fragmented),
  };
}

/** Nearest-rank percentiles (zeros for an empty sample). */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1]! };
}

/** The largest value (0 for none), without spreading a long series into Math.max's arguments. */
function max(values: readonly number[]): number {
  let best = 0;
  for (const v of values) if (v > best) best = v;
  return best;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : round(values.reduce((s, v) => s + v, 0) / values.length);
}

function push(series: Map<string, number[]>, key: string, value: number): void {
  const list = series.get(key);
  if (list) list.push(value);
  else series.set(key, [value]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
