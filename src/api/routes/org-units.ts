// Discovery, as Run:ai clients find their cluster and project ids: GET /api/v1/clusters (and by uuid),
// /api/v1/org-unit/projects and /departments (list, count, by id), from the simulated cluster and filtered by what
// the caller may use.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allocationMetrics } from '../../../sim/scheduler/index.ts';
import { contractRoute } from '../../contract/fastify-contract.ts';
import { canUseProject, principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import {
  orgUnitField,
  presentCluster,
  presentDepartment,
  presentProject,
  type OrgUnitContext,
} from '../presenters/org-units.ts';
import { pageItems, selectItems, type ListFields, type ListQuery } from '../presenters/listing.ts';

type Json = Record<string, unknown>;

const NUMERIC = new Set(['totalGpuQuota', 'gpuAllocated']);

/**
 * Projects and departments are written without fast-json-stringify: it cannot build a serializer for their
 * schemas (an allOf whose members reach the recursive DepartmentProjectParent overflows its stack). The
 * presenters build exactly the contract's fields, and the tests validate every answer against the contract.
 */
const UNSERIALIZED = { responses: false } as const;

export function orgUnitRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const context = (): OrgUnitContext => {
    const model = ctx.live.sync();
    return {
      clusterId: ctx.clusterId,
      clusterName: model.spec.name,
      organisation: ctx.organisation,
      clock: ctx.clock,
      pools: model.spec.nodePools.map((p) => p.name),
      queues: allocationMetrics(model.scheduler).queues,
      createdAt: ctx.clock.iso(0),
      now: ctx.clock.iso(model.now),
    };
  };
  const projects = (request: FastifyRequest, c: OrgUnitContext): Json[] => {
    const principal = principalOf(request);
    return ctx.organisation.projects.filter((p) => canUseProject(principal, p.name)).map((p) => presentProject(p, c));
  };
  const departments = (request: FastifyRequest, c: OrgUnitContext): Json[] => {
    const principal = principalOf(request);
    return ctx.organisation.departments
      .filter((d) => d.projectIds.some((id) => canUseProject(principal, ctx.organisation.project(id)!.name)))
      .map((d) => presentDepartment(d, c));
  };
  const fields = (c: OrgUnitContext): ListFields => ({
    value: (unit, field) => orgUnitField(unit, field, c),
    kind: (field) => (NUMERIC.has(field) ? 'number' : field === 'createdAt' ? 'date' : 'text'),
  });
  const select = (units: Json[], query: ListQuery, c: OrgUnitContext): Json[] => selectItems(units, query, fields(c));
  const page = (units: Json[], query: ListQuery, c: OrgUnitContext) => pageItems(units, query, fields(c));

  app.route(contractRoute('get_clusters', async () => [presentCluster(context())]));
  app.route(
    contractRoute('get_cluster_by_uuid', async (request) => {
      const { clusterUuid } = request.params as { clusterUuid: string };
      if (clusterUuid.toLowerCase() !== ctx.clusterId) throw apiError('notFound', `cluster ${clusterUuid} not found`);
      return presentCluster(context());
    }),
  );

  // Projects and departments answer the same three operations: a page, a count, one by id.
  const units = (
    [list, count, get]: readonly [string, string, string],
    key: 'projects' | 'departments',
    noun: string,
    all: (request: FastifyRequest, c: OrgUnitContext) => Json[],
  ): void => {
    app.route(
      contractRoute(
        list,
        async (request) => {
          const c = context();
          const query = request.query as ListQuery;
          const { page: found, next } = page(select(all(request, c), query, c), query, c);
          return next === undefined ? { [key]: found } : { [key]: found, next };
        },
        UNSERIALIZED,
      ),
    );
    app.route(
      contractRoute(count, async (request) => {
        const c = context();
        return { count: select(all(request, c), request.query as ListQuery, c).length };
      }),
    );
    app.route(
      contractRoute(
        get,
        async (request) => {
          const id = Object.values(request.params as Record<string, string>)[0];
          const found = all(request, context()).find((u) => u.id === id);
          if (found === undefined) throw apiError('notFound', `${noun} ${id} not found`);
          return found;
        },
        UNSERIALIZED,
      ),
    );
  };
  units(['get_projects', 'count_projects', 'get_project'], 'projects', 'project', projects);
  units(['get_departments', 'count_departments', 'get_department'], 'departments', 'department', departments);
}
