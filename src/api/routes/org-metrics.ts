// The cluster's figures as Run:ai's dashboards read them: GET /api/v1/clusters/{clusterUuid}/metrics (grouped by
// node pool, project or department), …/nodepools/{nodepoolName}/metrics, /api/v1/org-unit/projects/{id}/metrics
// over a time range, and /api/v1/workloads/telemetry (the workloads now, counted and grouped).
//
// Who sees what: cluster and node-pool figures are the hardware's (nodes, GPUs, how many are taken), which every
// caller already sees in the inventory (/api/v1/nodes, /sim/v1/cluster), so any caller may read them; grouped by
// project or department they show only the queues the caller may use, as the org-unit lists do. A project's
// metrics are its team's business: 403 for a project the caller may not use. Telemetry counts only the
// workloads of the caller's projects, as the workloads list does.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Micros } from '../../../sim/engine/index.ts';
import { contractRoute } from '../../contract/fastify-contract.ts';
import { canUseProject, principalOf, type Principal } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { telemetryCsv, withCsv } from '../metrics-csv.ts';
import { apiError } from '../errors.ts';
import { queryInstants } from '../presenters/metric-timeline.ts';
import {
  CLUSTER_READERS,
  presentGroupedMetrics,
  presentMetrics,
  PROJECT_READERS,
  type MetricGroup,
  type MetricScope,
  type OrgMetricsSources,
  type RangeInstants,
} from '../presenters/org-metrics.ts';
import { presentTelemetry, type TelemetryQuery } from '../presenters/workloads-telemetry.ts';

interface RangeQuery {
  readonly metricType: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly numberOfSamples?: number;
  readonly nodepoolName?: string;
  readonly groupBy?: 'Category' | 'Nodepool' | 'Project' | 'Department';
}

export function orgMetricsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const sources = (): OrgMetricsSources => {
    const model = ctx.live.sync();
    return { history: ctx.live.allocations, tree: model.scheduler.tree };
  };
  const tree = () => ctx.live.model.scheduler.tree;
  const poolNames = () => tree().poolNames;
  const allPools = () => poolNames().map((_, i) => i);

  /** The instants asked for that the model can speak about (since the cluster's start, up to now). */
  const rangeOf = (request: FastifyRequest): RangeInstants => {
    const query = request.query as RangeQuery;
    const start = ctx.clock.micros(query.start);
    const end = ctx.clock.micros(query.end);
    if (end < start) throw apiError('badRequest', `end: ${query.end} is before start ${query.start}`);
    return {
      types: [...new Set(query.metricType)],
      instants: queryInstants(start, end, query.numberOfSamples ?? 20, 0 as Micros, ctx.live.model.now),
    };
  };
  const poolIndex = (name: string, parameter: string): number => {
    const index = poolNames().indexOf(name);
    if (index < 0) throw apiError('notFound', `${parameter}: node pool ${name} not found`);
    return index;
  };
  /** The pools a `nodepoolName` filter leaves (all without one). */
  const filteredPools = (request: FastifyRequest): number[] => {
    const name = (request.query as RangeQuery).nodepoolName;
    return name === undefined ? allPools() : [poolIndex(name, 'nodepoolName')];
  };
  const checkCluster = (request: FastifyRequest): void => {
    const { clusterUuid } = request.params as { clusterUuid: string };
    if (clusterUuid.toLowerCase() !== ctx.clusterId) throw apiError('notFound', `cluster ${clusterUuid} not found`);
  };
  const projectQueues = () => [...tree().projects];

  app.route(
    contractRoute(
      'get_cluster_metrics',
      withCsv(async (request) => {
        checkCluster(request);
        const query = request.query as RangeQuery;
        const s = sources();
        const range = rangeOf(request);
        const pools = filteredPools(request);
        const scope: MetricScope = { pools, queues: projectQueues(), wholeCluster: query.nodepoolName === undefined };
        // The history is not kept by workload category: each type once, without values.
        if (query.groupBy === 'Category') return { measurements: range.types.map((type) => ({ type, values: [] })) };
        return presentGroupedMetrics(s, scope, groupsOf(request, scope), range, ctx.clock);
      }),
    ),
  );

  /** The groups a `groupBy` (other than Category) asks for. */
  const groupsOf = (request: FastifyRequest, scope: MetricScope) => {
    const by = (request.query as RangeQuery).groupBy;
    if (by === undefined || by === 'Category') return undefined;
    if (by === 'Nodepool')
      return {
        by: 'pool' as const,
        groups: scope.pools.map((p): MetricGroup => ({
          key: by,
          value: poolNames()[p]!,
          scope: { ...scope, pools: [p], wholeCluster: false },
        })),
      };
    const principal = principalOf(request);
    const kind = by === 'Project' ? 'project' : 'department';
    const groups = tree()
      .queues.filter((q) => q.kind === kind && usableQueue(principal, q.index))
      .map((q): MetricGroup => ({ key: by, value: queueId(q.index), scope: { ...scope, queues: [q.index] } }));
    return { by: 'queue' as const, groups };
  };

  /** A project the caller may use, or a department with one. */
  const usableQueue = (principal: Principal, queue: number): boolean => {
    const q = tree().queues[queue]!;
    const projects = q.kind === 'project' ? [q] : q.children.map((c) => tree().queues[c]!);
    return projects.some((p) => canUseProject(principal, p.name));
  };
  /** Run:ai's id of a queue: its project's or department's. */
  const queueId = (queue: number): string => {
    const q = tree().queues[queue]!;
    if (q.kind === 'project') return ctx.organisation.projectNamed(q.name)!.id;
    return ctx.organisation.departments.find((d) => d.name === q.name)!.id;
  };
  app.route(
    contractRoute(
      'get_nodepool_metrics',
      withCsv(async (request) => {
        checkCluster(request);
        const { nodepoolName } = request.params as { nodepoolName: string };
        const pool = poolIndex(nodepoolName, 'nodepoolName');
        const s = sources();
        const scope: MetricScope = { pools: [pool], queues: projectQueues(), wholeCluster: false };
        return presentMetrics(CLUSTER_READERS, s, scope, rangeOf(request), ctx.clock);
      }),
    ),
  );

  app.route(
    contractRoute(
      'get_project_metrics',
      withCsv(async (request) => {
        const { projectId } = request.params as { projectId: string };
        const project = ctx.organisation.project(projectId);
        if (project === undefined) throw apiError('notFound', `projectId: project ${projectId} not found`);
        if (!canUseProject(principalOf(request), project.name))
          throw apiError('forbidden', `projectId: you may not use project ${project.name}`);
        const s = sources();
        const queue = s.tree.project(project.name)!.index;
        const scope: MetricScope = { pools: filteredPools(request), queues: [queue], wholeCluster: false };
        return presentMetrics(PROJECT_READERS, s, scope, rangeOf(request), ctx.clock);
      }),
    ),
  );

  app.route(
    contractRoute(
      'get_workloads_telemetry',
      withCsv(async (request) => {
        const query = request.query as TelemetryQuery;
        if (query.clusterId !== undefined && query.clusterId.toLowerCase() !== ctx.clusterId)
          throw apiError('notFound', `clusterId: cluster ${query.clusterId} not found`);
        if (query.nodepoolName !== undefined) poolIndex(query.nodepoolName, 'nodepoolName');
        if (query.departmentId !== undefined && !ctx.organisation.departments.some((d) => d.id === query.departmentId))
          throw apiError('notFound', `departmentId: department ${query.departmentId} not found`);
        const present = ctx.present();
        const principal = principalOf(request);
        return presentTelemetry(query, {
          model: ctx.live.model,
          history: ctx.live.history,
          organisation: ctx.organisation,
          clusterId: ctx.clusterId,
          now: present.now,
          clock: ctx.clock,
          visible: (project) => canUseProject(principal, project),
        });
      }, telemetryCsv),
    ),
  );
}
