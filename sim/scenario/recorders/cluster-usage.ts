import { GPU_UNITS, isPolicyPlacement } from '../../cluster/index.ts';
import { toSeconds } from '../../engine/index.ts';
import type { SimulatedCluster } from '../../simulator/simulated-cluster.ts';
import { fgdFragmentation, fragmentation, referenceRequests } from '../../scheduler/index.ts';
import { max, mean, roundTo } from '../../stats/stats.ts';
import type { Recorder, ReplayEnd } from '../recorder.ts';
import type { GpuUse, ReplayReport } from '../report.ts';

type UsageSections = Pick<ReplayReport, 'gpu' | 'series'>;

/** The cluster's GPUs over time: allocated by project and pool, capacity, fragmentation, queue and running. */
export class ClusterUsage implements Recorder<UsageSections> {
  private readonly t: number[] = [];
  private readonly byProject = new Map<string, number[]>();
  private readonly byPool = new Map<string, number[]>();
  private readonly capacityByPool = new Map<string, number[]>();
  private readonly fragmentedByPool = new Map<string, number[]>();
  /** Only pools an FGD policy places: FGD's fragmentation ratio. */
  private readonly fgdByPool = new Map<string, number[]>();
  private readonly pending: number[] = [];
  private readonly running: number[] = [];
  private runningNow = 0;

  attach(cluster: SimulatedCluster): void {
    cluster.observers.on('workload-phase', (w, previous) => {
      if (w.phase === 'Running') this.runningNow++;
      if (previous === 'Running') this.runningNow--;
    });
  }

  sample(cluster: SimulatedCluster): void {
    const { scheduler } = cluster;
    const { cluster: state, tree, usage } = scheduler;
    this.t.push(toSeconds(cluster.now));
    for (const project of tree.projects) {
      let units = 0;
      for (let pool = 0; pool < tree.pools; pool++) units += usage.allocated[tree.slot(project, pool)]!;
      push(this.byProject, tree.queues[project]!.name, round(units / GPU_UNITS));
    }
    for (const pool of state.layout.pools) {
      const capacity = state.readyGpus(pool.index);
      push(this.capacityByPool, pool.name, capacity);
      push(this.byPool, pool.name, round(capacity - state.domainFree(pool.root).gpus));
      push(
        this.fragmentedByPool,
        pool.name,
        round(fragmentation(state, pool.index, referenceRequests(scheduler, pool.index)).fragmentedGpus),
      );
      if (isPolicyPlacement(pool.placement)) {
        const typical = scheduler.placer.shapes.typicalPods(pool.index);
        push(this.fgdByPool, pool.name, round(fgdFragmentation(state, pool.index, typical)));
      }
    }
    this.pending.push(scheduler.pendingCount);
    this.running.push(this.runningNow);
  }

  section({ scenario, cluster }: ReplayEnd): UsageSections {
    const sum = (series: Map<string, number[]>) =>
      this.t.map((_, i) => round([...series.values()].reduce((s, v) => s + v[i]!, 0)));
    return {
      gpu: {
        overall: use(sum(this.capacityByPool), sum(this.byPool), sum(this.fragmentedByPool)),
        pools: cluster.scheduler.cluster.layout.pools.map((p) => {
          const fgd = this.fgdByPool.get(p.name);
          return {
            pool: p.name,
            ...use(this.capacityByPool.get(p.name)!, this.byPool.get(p.name)!, this.fragmentedByPool.get(p.name)!),
            ...(fgd
              ? { fgd: { placement: p.placement, meanFragmentation: round(mean(fgd)), peakFragmentation: max(fgd) } }
              : {}),
          };
        }),
        projects: [...this.byProject].map(([project, series]) => ({
          project,
          meanAllocated: round(mean(series)),
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
    };
  }
}

function use(capacity: readonly number[], allocated: readonly number[], fragmented: readonly number[]): GpuUse {
  return {
    capacity: max(capacity),
    meanAllocated: round(mean(allocated)),
    peakAllocated: max(allocated),
    meanFragmented: round(mean(fragmented)),
    peakFragmented: max(fragmented),
  };
}

function push(series: Map<string, number[]>, key: string, value: number): void {
  const list = series.get(key);
  if (list) list.push(value);
  else series.set(key, [value]);
}

const round = (x: number): number => roundTo(x, 3);
