// Run:ai's workloads telemetry (`GET /api/v1/workloads/telemetry`): the workloads now, counted (WORKLOADS_COUNT),
// their GPUs summed (GPU_ALLOCATION, as each workload's own GPU_ALLOCATION metric counts them), or the Pending ones
// spread over four buckets of time since they entered Pending (PENDING_TIME_DISTRIBUTION) — grouped by up to two
// fields (the buckets take one of the two places the contract allows).
import type { Micros } from '../../../sim/engine/index.ts';
import type { SimulatedCluster } from '../../../sim/simulator/simulated-cluster.ts';
import type { WorkloadHistory } from '../../../sim/simulator/workload-history.ts';
import type { WorkloadState } from '../../../sim/workloads/state.ts';
import type { Organisation } from '../../runai/organisation.ts';
import { apiError } from '../errors.ts';
import type { ClockFormat } from './clock-format.ts';

type Json = Record<string, unknown>;

export type TelemetryGroupBy =
  'ClusterId' | 'DepartmentId' | 'ProjectId' | 'Type' | 'CurrentNodepools' | 'Phase' | 'Category';

export interface TelemetryQuery {
  readonly telemetryType: 'WORKLOADS_COUNT' | 'GPU_ALLOCATION' | 'PENDING_TIME_DISTRIBUTION';
  readonly groupBy?: readonly TelemetryGroupBy[];
  readonly clusterId?: string;
  readonly nodepoolName?: string;
  readonly departmentId?: string;
  readonly filterByPhases?: readonly string[];
}

export interface TelemetrySources {
  readonly model: SimulatedCluster;
  readonly history: WorkloadHistory;
  readonly organisation: Organisation;
  readonly clusterId: string;
  readonly now: Micros;
  readonly clock: ClockFormat;
  /** Whether the caller may see a project's workloads. */
  readonly visible: (project: string) => boolean;
}

/** Run:ai documents four buckets of pending time, not their bounds: these suit a simulated cluster's waits. */
const PENDING_BUCKETS: readonly { readonly label: string; readonly below: number }[] = [
  { label: '0-5m', below: 5 * 60 },
  { label: '5m-30m', below: 30 * 60 },
  { label: '30m-2h', below: 2 * 3600 },
  { label: '2h+', below: Number.POSITIVE_INFINITY },
];

interface Group {
  readonly key: string;
  readonly value: string;
  readonly name?: string;
}

export function presentTelemetry(query: TelemetryQuery, s: TelemetrySources): Json {
  const groupBy = [...new Set(query.groupBy ?? [])];
  const pending = query.telemetryType === 'PENDING_TIME_DISTRIBUTION';
  if (pending && groupBy.length > 1)
    throw apiError(
      'badRequest',
      'groupBy: PENDING_TIME_DISTRIBUTION is grouped by its time buckets and one field at most',
    );
  const phases = query.filterByPhases === undefined ? undefined : new Set(query.filterByPhases);
  const department =
    query.departmentId === undefined ? undefined : s.organisation.departments.find((d) => d.id === query.departmentId);
  const rows = new Map<string, { groups: Group[]; value: number }>();
  const add = (groups: Group[], value: number) => {
    const key = JSON.stringify(groups.map((g) => g.value));
    const row = rows.get(key);
    if (row === undefined) rows.set(key, { groups, value });
    else row.value += value;
  };
  if (pending && groupBy.length === 0) for (const b of PENDING_BUCKETS) add([bucketGroup(b.label)], 0);
  for (const w of s.model.allWorkloads()) {
    if (w.deletedAt !== null || !s.visible(w.project)) continue;
    if (department !== undefined && w.department !== department.name) continue;
    if (phases !== undefined && !phases.has(w.phase)) continue;
    const pools = currentPools(s.model, w);
    if (query.nodepoolName !== undefined && !pools.includes(query.nodepoolName)) continue;
    const groups = groupBy.map((by) => groupOf(by, w, pools, s));
    if (query.telemetryType === 'WORKLOADS_COUNT') add(groups, 1);
    else if (query.telemetryType === 'GPU_ALLOCATION') add(groups, gpusOf(s.history, w));
    else if (w.phase === 'Pending') {
      const waited = (s.now - w.phaseUpdatedAt) / 1e6;
      add([...groups, bucketGroup(PENDING_BUCKETS.find((b) => waited < b.below)!.label)], 1);
    }
  }
  // Ungrouped, one value: the total (zero with no workloads).
  if (!pending && groupBy.length === 0 && rows.size === 0) add([], 0);
  return {
    type: query.telemetryType,
    timestamp: s.clock.iso(s.now),
    values: [...rows.values()].map(({ groups, value }) => ({
      value: String(Number(value.toPrecision(12))),
      ...(groups.length > 0 ? { groups } : {}),
    })),
  };
}

const bucketGroup = (label: string): Group => ({ key: 'PendingTime', value: label });

/** The pools the workload's running groups are in, in cluster-file order. */
function currentPools(model: SimulatedCluster, w: Readonly<WorkloadState>): string[] {
  const scheduler = model.scheduler;
  const pools = new Set<number>();
  for (const group of w.groups) {
    const gang = scheduler.gang(group.gang);
    if (gang?.phase === 'running') pools.add(gang.pool);
  }
  return [...pools].sort((a, b) => a - b).map((p) => scheduler.tree.poolNames[p]!);
}

function gpusOf(history: WorkloadHistory, w: Readonly<WorkloadState>): number {
  const points = history.allocation(w.id) ?? [];
  return points[points.length - 1]?.gpus ?? 0;
}

function groupOf(
  by: TelemetryGroupBy,
  w: Readonly<WorkloadState>,
  pools: readonly string[],
  s: TelemetrySources,
): Group {
  // A job that runs for a while is a training (Run:ai's Train category); a service is an inference (Deploy).
  const training = w.spec.runFor !== undefined;
  switch (by) {
    case 'ClusterId':
      return { key: by, value: s.clusterId, name: s.model.spec.name };
    case 'DepartmentId': {
      const d = s.organisation.departments.find((x) => x.name === w.department);
      return { key: by, value: d?.id ?? '', name: w.department };
    }
    case 'ProjectId':
      return { key: by, value: s.organisation.projectNamed(w.project)?.id ?? '', name: w.project };
    case 'Type':
      return { key: by, value: training ? 'training' : 'distributed-inference' };
    case 'CurrentNodepools':
      return { key: by, value: pools.join(',') };
    case 'Phase':
      return { key: by, value: w.phase };
    case 'Category':
      return { key: by, value: training ? 'Train' : 'Deploy' };
  }
}
