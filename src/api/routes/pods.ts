// GET /api/v1/workloads/pods and /count: the pods of every workload the caller may see (terminating ones included;
// deleted workloads keep no pods, so `deleted=true` lists none).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contractRoute } from '../../contract/fastify-contract.ts';
import { canUseProject, principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { pageItems, selectItems, type ListFields, type ListQuery } from '../presenters/listing.ts';
import { presentPods } from '../presenters/workload.ts';

type Json = Record<string, unknown>;

const DATES = new Set(['createdAt', 'completedAt', 'deletedAt']);

const FIELDS: ListFields = {
  value: (pod, field) => {
    const value = pod[field === 'currentNodepool' ? 'currentNodePool' : field === 'revisionId' ? 'id' : field];
    return typeof value === 'string' || typeof value === 'number' ? value : null;
  },
  kind: (field) => (DATES.has(field) ? 'date' : 'text'),
};

export function podRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const pods = (request: FastifyRequest): Json[] => {
    const query = request.query as ListQuery & { deleted?: boolean };
    if (query.deleted === true) return [];
    const principal = principalOf(request);
    const present = ctx.present();
    const all: Json[] = [];
    for (const w of ctx.live.model.allWorkloads())
      if (w.deletedAt === null && canUseProject(principal, w.project))
        all.push(...presentPods(w, present, { search: undefined, offset: 0, limit: Infinity }).pods);
    return selectItems(all, query, FIELDS);
  };
  app.route(
    contractRoute('list_pods', async (request) => {
      const { page, next } = pageItems(pods(request), request.query as ListQuery, FIELDS);
      return next === undefined ? { pods: page } : { pods: page, next };
    }),
  );
  app.route(contractRoute('count_pods', async (request) => ({ count: pods(request).length })));
}
