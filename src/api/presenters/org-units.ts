/**
 * The platform contract's discovery objects from the simulated cluster: `DisplayedCluster`, `Project`,
 * `DepartmentForList` / `Department`, with each queue's quotas per node pool (`Resources`) and its allocation.
 * Node pools are numbered 1, 2, ... in cluster-file order.
 */
import type { QueueMetrics } from '../../../sim/scheduler/index.ts';
import type { Organisation, ProjectInfo } from '../../runai/organisation.ts';
import type { ClockFormat } from './clock-format.ts';

type Json = Record<string, unknown>;

export interface OrgUnitContext {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly organisation: Organisation;
  readonly clock: ClockFormat;
  /** Node pool names in cluster-file order. */
  readonly pools: readonly string[];
  /** Allocation metrics by queue and pool, as of now. */
  readonly queues: readonly QueueMetrics[];
  /** Simulated time 0 and now, as ISO dates. */
  readonly createdAt: string;
  readonly now: string;
}

export function presentCluster(ctx: OrgUnitContext): Json {
  return {
    uuid: ctx.clusterId,
    tenantId: 1,
    name: ctx.clusterName,
    createdAt: ctx.createdAt,
    domain: null,
    version: '2.24',
    status: { state: 'Connected', conditions: [] },
    updatedAt: ctx.now,
    deletedAt: null,
    lastLiveness: ctx.now,
  };
}

/** Quotas per node pool of a queue, as the contract's `Resources` (GPUs; CPU and memory are not quota'd here). */
function resources(ctx: OrgUnitContext, queue: string, kind: QueueMetrics['kind']): Json[] {
  return ctx.pools.flatMap((pool, i) => {
    const q = ctx.queues.find((m) => m.queue === queue && m.kind === kind && m.pool === pool);
    if (q === undefined) return [];
    return [
      {
        nodePool: { id: String(i + 1), name: pool },
        gpu: { deserved: q.deservedGpus, limit: q.limitGpus, overQuotaWeight: null },
        cpu: null,
        memory: null,
      },
    ];
  });
}

function totals(ctx: OrgUnitContext, queue: string, kind: QueueMetrics['kind']) {
  const mine = ctx.queues.filter((m) => m.queue === queue && m.kind === kind);
  return {
    gpuQuota: mine.reduce((sum, m) => sum + m.deservedGpus, 0),
    allocated: mine.reduce((sum, m) => sum + m.allocatedGpus, 0),
  };
}

export function presentProject(p: ProjectInfo, ctx: OrgUnitContext): Json {
  const total = totals(ctx, p.name, 'project');
  return {
    id: p.id,
    name: p.name,
    description: '',
    clusterId: ctx.clusterId,
    parentId: p.departmentId,
    requestedNamespace: null,
    enforceRunaiScheduler: true,
    status: { namespace: `runai-${p.name}`, phase: 'Ready', phaseMessage: null, lastUpdatedTime: ctx.createdAt },
    totalResources: { gpuQuota: total.gpuQuota, cpuQuota: null, memoryQuota: null },
    createdAt: ctx.createdAt,
    updatedAt: ctx.createdAt,
    effective: {},
    resources: resources(ctx, p.name, 'project'),
    defaultNodePools: null,
  };
}

export function presentDepartment(d: Organisation['departments'][number], ctx: OrgUnitContext): Json {
  const total = totals(ctx, d.name, 'department');
  return {
    id: d.id,
    name: d.name,
    description: '',
    clusterId: ctx.clusterId,
    createdAt: ctx.createdAt,
    updatedAt: ctx.createdAt,
    totalResources: { gpuQuota: total.gpuQuota, cpuQuota: null, memoryQuota: null },
    resources: resources(ctx, d.name, 'department'),
  };
}

/** The values a project or department filter (`filterBy=name==chat`, `totalGpuQuota>=8`) compares. */
export function orgUnitField(unit: Json, field: string, ctx: OrgUnitContext): string | number | null {
  const kind = 'parentId' in unit ? 'project' : 'department';
  switch (field) {
    case 'name':
    case 'clusterId':
    case 'parentId':
    case 'createdAt':
      return unit[field] as string;
    case 'departmentId':
      return (unit.parentId as string | undefined) ?? null;
    case 'parentName':
      return ctx.organisation.departments.find((d) => d.id === unit.parentId)?.name ?? null;
    case 'phase':
      return ((unit.status as Json | undefined)?.phase as string | undefined) ?? null;
    case 'totalGpuQuota':
      return totals(ctx, unit.name as string, kind).gpuQuota;
    case 'gpuAllocated':
      return totals(ctx, unit.name as string, kind).allocated;
    default:
      // Averages over past days: the simulation keeps no such history here.
      return null;
  }
}
