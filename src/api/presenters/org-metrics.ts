// Run:ai's cluster, node-pool and project metrics over a time range, read from the model's AllocationHistory.
// Each metric type is answered from what the simulation knows, or — where lwsim has no model for it — with a
// measurement that has no values, never with invented figures:
//
// | metric type                      | answered from                                                              |
// |----------------------------------|----------------------------------------------------------------------------|
// | TOTAL_GPU_NODES                  | ready nodes with GPUs                                                      |
// | TOTAL_GPU                        | GPUs on ready nodes (the scheduler's capacity)                             |
// | ALLOCATED_GPU, GPU_ALLOCATION    | GPUs the scheduler has allocated to the projects' running gangs            |
// | UNALLOCATED_GPU                  | TOTAL_GPU − ALLOCATED_GPU                                                  |
// | GPU_QUOTA                        | the projects' deserved GPUs (the cluster file's quotas)                    |
// | WORKLOADS_COUNT                  | workloads not deleted; in a pool: those running there or Pending for it    |
// | AVG_WORKLOAD_WAIT_TIME           | mean seconds the Pending workloads have waited; no value when none waits   |
// | CPU_ALLOCATION_MILLICORES        | CPU requests of the project's running pods                                 |
// | CPU_MEMORY_ALLOCATION_MB         | memory requests of the project's running pods, in MB (10^6 bytes)          |
// | GPU_UTILIZATION(_DISTRIBUTION)   | no values: only served workloads have a performance model, not the cluster |
// | GPU_MEMORY_UTILIZATION           | no values: likewise                                                        |
// | CPU_UTILIZATION, CPU_MEMORY_…    | no values: nothing models what the pods' CPUs and memory do                |
// | CPU_QUOTA_MILLICORES, CPU_MEMORY_QUOTA_MB | no values: lwsim's quotas are GPUs only                           |
// | groupBy Category                 | no values: the history is not kept by workload category                    |
// | nodes, capacity grouped by queue | no values: they belong to pools, not to projects or departments            |
import type { Micros } from '../../../sim/engine/index.ts';
import { GPU_UNITS } from '../../../sim/cluster/index.ts';
import type { QueueTree } from '../../../sim/scheduler/queues.ts';
import type { AllocationHistory, QueueFigure } from '../../../sim/simulator/allocation-history.ts';
import type { ClockFormat } from './clock-format.ts';

type Json = Record<string, unknown>;

/** What a measurement sums over: node pools, and the queues (projects, or departments) of the scheduler's tree. */
export interface MetricScope {
  readonly pools: readonly number[];
  readonly queues: readonly number[];
  /** Whether the scope is the whole cluster (no pool filter or grouping): workloads are counted wherever they are. */
  readonly wholeCluster: boolean;
}

export interface OrgMetricsSources {
  readonly history: AllocationHistory;
  readonly tree: QueueTree;
}

type Reader = (s: OrgMetricsSources, scope: MetricScope, t: Micros) => number | undefined;

/** The sum of a figure over the scope's queues and pools; undefined while any part is unknown. */
function sum(
  s: OrgMetricsSources,
  scope: MetricScope,
  read: (queue: number, pool: number) => number | undefined,
): number | undefined {
  let total = 0;
  for (const q of scope.queues)
    for (const p of scope.pools) {
      const v = read(q, p);
      if (v === undefined) return undefined;
      total += v;
    }
  return total;
}

const queueFigure =
  (figure: QueueFigure, scale = 1): Reader =>
  (s, scope, t) => {
    const v = sum(s, scope, (q, p) => s.history.queue(figure, q, p).at(t));
    return v === undefined ? undefined : v * scale;
  };

const poolFigure =
  (figure: 'readyNodes' | 'readyGpus'): Reader =>
  (s, scope, t) => {
    let total = 0;
    for (const p of scope.pools) {
      const v = s.history.pool(figure, p).at(t);
      if (v === undefined) return undefined;
      total += v;
    }
    return total;
  };

// Quotas do not change while the cluster runs: known from time 0.
const quota: Reader = (s, scope) => sum(s, scope, (q, p) => s.tree.deserved[s.tree.slot(q, p)]! / GPU_UNITS);

const allocated = queueFigure('allocatedGpus');

const unallocated: Reader = (s, scope, t) => {
  const total = poolFigure('readyGpus')(s, scope, t);
  const used = allocated(s, scope, t);
  return total === undefined || used === undefined ? undefined : Math.max(0, total - used);
};

const workloads: Reader = (s, scope, t) => {
  if (scope.wholeCluster) {
    let total = 0;
    for (const q of scope.queues) {
      const v = s.history.workloadCount(q).at(t);
      if (v === undefined) return undefined;
      total += v;
    }
    return total;
  }
  const running = queueFigure('runningWorkloads')(s, scope, t);
  const pending = queueFigure('pendingWorkloads')(s, scope, t);
  return running === undefined || pending === undefined ? undefined : running + pending;
};

const averageWait: Reader = (s, scope, t) => {
  const count = queueFigure('pendingWorkloads')(s, scope, t);
  const since = queueFigure('pendingSinceSum')(s, scope, t);
  if (count === undefined || since === undefined || count === 0) return undefined;
  return (t * count - since) / count / 1e6;
};

/** MetricsType (cluster and node-pool metrics): the figures over the cluster's projects. */
export const CLUSTER_READERS: Readonly<Record<string, Reader>> = {
  TOTAL_GPU_NODES: poolFigure('readyNodes'),
  TOTAL_GPU: poolFigure('readyGpus'),
  ALLOCATED_GPU: allocated,
  UNALLOCATED_GPU: unallocated,
  GPU_QUOTA: quota,
  WORKLOADS_COUNT: workloads,
  AVG_WORKLOAD_WAIT_TIME: averageWait,
};

/** The cluster figures that mean something per project or department (groupBy Project, Department). */
const QUEUE_TYPES: ReadonlySet<string> = new Set([
  'ALLOCATED_GPU',
  'GPU_QUOTA',
  'WORKLOADS_COUNT',
  'AVG_WORKLOAD_WAIT_TIME',
]);

/** OrgUnitMetricType (project metrics). */
export const PROJECT_READERS: Readonly<Record<string, Reader>> = {
  GPU_QUOTA: quota,
  GPU_ALLOCATION: allocated,
  CPU_ALLOCATION_MILLICORES: queueFigure('cpuMillis'),
  CPU_MEMORY_ALLOCATION_MB: queueFigure('memoryBytes', 1e-6),
};

export interface RangeInstants {
  readonly types: readonly string[];
  readonly instants: readonly Micros[];
}

/** One measurement's values at the instants (those unknown left out). */
export function measurementValues(
  read: Reader | undefined,
  s: OrgMetricsSources,
  scope: MetricScope,
  query: RangeInstants,
  clock: ClockFormat,
): Json[] {
  if (read === undefined) return [];
  const out: Json[] = [];
  for (const t of query.instants) {
    const v = read(s, scope, t);
    if (v !== undefined && Number.isFinite(v))
      out.push({ value: String(Number(v.toPrecision(12))), timestamp: clock.iso(t) });
  }
  return out;
}

/** The contract's MetricsResponse: one measurement per type asked. */
export function presentMetrics(
  readers: Readonly<Record<string, Reader>>,
  s: OrgMetricsSources,
  scope: MetricScope,
  query: RangeInstants,
  clock: ClockFormat,
): Json {
  return {
    measurements: query.types.map((type) => ({
      type,
      values: measurementValues(readers[type], s, scope, query, clock),
    })),
  };
}

/** A group of a grouped answer: its key and value, and the scope it sums over. */
export interface MetricGroup {
  readonly key: string;
  readonly value: string;
  readonly scope: MetricScope;
}

/**
 * The contract's GroupedMetricsResponse: per type, one measurement per group (ungrouped: one). `by`: what the
 * groups are — pools, or queues (where pool figures such as nodes and capacity have no meaning, so no values).
 */
export function presentGroupedMetrics(
  s: OrgMetricsSources,
  scope: MetricScope,
  groups: { readonly by: 'pool' | 'queue'; readonly groups: readonly MetricGroup[] } | undefined,
  query: RangeInstants,
  clock: ClockFormat,
): Json {
  const measurements: Json[] = [];
  for (const type of query.types) {
    if (groups === undefined) {
      measurements.push({ type, values: measurementValues(CLUSTER_READERS[type], s, scope, query, clock) });
      continue;
    }
    const read = groups.by === 'queue' && !QUEUE_TYPES.has(type) ? undefined : CLUSTER_READERS[type];
    for (const g of groups.groups)
      measurements.push({
        type,
        groups: [{ key: g.key, value: g.value }],
        values: measurementValues(read, s, g.scope, query, clock),
      });
  }
  return { measurements };
}
