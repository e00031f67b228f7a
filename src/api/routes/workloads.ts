import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canUseProject, principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { contractRoute } from '../../contract/fastify-contract.ts';
import { presentPods, presentWorkload } from '../presenters/workload.ts';
import { pageWorkloads, selectWorkloads, type WorkloadQuery } from '../presenters/workload-query.ts';
import { visibleWorkload } from './distributed-inferences.ts';

/** Run:ai's workloads operations: list, count, get one (detailed), its pods. */
export function workloadRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const visible = (request: FastifyRequest, deleted: boolean) => {
    const present = ctx.present();
    const principal = principalOf(request);
    return [...ctx.live.model.allWorkloads()]
      .filter((w) => (w.deletedAt !== null) === deleted && canUseProject(principal, w.project))
      .map((w) => presentWorkload(w, present));
  };

  app.route(
    contractRoute('get_workloads', async (request) => {
      const query = request.query as WorkloadQuery & { deleted?: boolean };
      return pageWorkloads(selectWorkloads(visible(request, query.deleted === true), query), query);
    }),
  );

  app.route(
    contractRoute('count_workloads', async (request) => {
      const query = request.query as WorkloadQuery & { deleted?: boolean };
      return { count: selectWorkloads(visible(request, query.deleted === true), query).length };
    }),
  );

  app.route(
    contractRoute('get_workload', async (request) => {
      return presentWorkload(visibleWorkload(ctx, request), ctx.present(), true);
    }),
  );

  app.route(
    contractRoute('get_workload_pods', async (request) => {
      const workload = visibleWorkload(ctx, request);
      const query = request.query as { deleted?: boolean; offset?: number; limit?: number; search?: string };
      // Pods of a live workload are never deleted ones: lwsim keeps no history of pods.
      if (query.deleted === true) return { pods: [] };
      const offset = query.offset ?? 0;
      const limit = query.limit ?? 50;
      const window = { search: query.search?.toLowerCase(), offset, limit };
      const { pods, more } = presentPods(workload, ctx.present(), window);
      return more ? { pods, next: offset + limit } : { pods };
    }),
  );
}
