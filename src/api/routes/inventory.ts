// The cluster's inventory as Run:ai lists it: GET /api/v1/nodes (and /count), /api/v1/clusters/{clusterUuid}/nodes,
// /api/v1/node-pools (list, count, by id). Nodes and pools are the cluster's hardware: every caller may see them,
// as every caller sees them in /sim/v1/cluster.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contractRoute } from '../../contract/fastify-contract.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { presentNodePools, presentNodes, type InventoryContext } from '../presenters/inventory.ts';
import { pageItems, selectItems, type ListFields, type ListQuery } from '../presenters/listing.ts';

type Json = Record<string, unknown>;

const DATES = new Set(['createdAt', 'updatedAt']);

/** Fields as filters name them: most are the presented object's own; `gpuType` is inside `gpuInfo`. */
const FIELDS: ListFields = {
  value: (item, field) => {
    if (field === 'gpuType') return ((item.gpuInfo as Json | null)?.gpuType as string | undefined) ?? null;
    const value = item[field];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
  },
  kind: (field) => (DATES.has(field) ? 'date' : 'text'),
};

export function inventoryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const context = (): InventoryContext => {
    const model = ctx.live.sync();
    return {
      clusterId: ctx.clusterId,
      clusterName: model.spec.name,
      cluster: model.scheduler.cluster,
      createdAt: ctx.clock.iso(0),
      now: ctx.clock.iso(model.now),
    };
  };
  const nodes = (request: FastifyRequest): Json[] => {
    const query = request.query as ListQuery & { nodeName?: string };
    const all = presentNodes(context());
    const named = query.nodeName === undefined ? all : all.filter((n) => n.name === query.nodeName);
    return selectItems(named, query, FIELDS);
  };
  const listNodes = async (request: FastifyRequest) => ({
    nodes: pageItems(nodes(request), request.query as ListQuery, FIELDS).page,
  });

  app.route(contractRoute('get_tenant_nodes', listNodes));
  app.route(contractRoute('count_tenant_nodes', async (request) => ({ count: nodes(request).length })));
  app.route(
    contractRoute('get_nodes', async (request) => {
      const { clusterUuid } = request.params as { clusterUuid: string };
      if (clusterUuid.toLowerCase() !== ctx.clusterId) throw apiError('notFound', `cluster ${clusterUuid} not found`);
      return listNodes(request);
    }),
  );

  const pools = (request: FastifyRequest): Json[] =>
    selectItems(presentNodePools(context()), request.query as ListQuery, FIELDS);
  app.route(
    contractRoute('get_nodepools', async (request) => ({
      nodepools: pageItems(pools(request), request.query as ListQuery, FIELDS).page,
    })),
  );
  app.route(contractRoute('count_nodepools', async (request) => ({ count: pools(request).length })));
  app.route(
    contractRoute('get_nodepool', async (request) => {
      const { nodepoolId } = request.params as { nodepoolId: string };
      const found = presentNodePools(context()).find((p) => p.id === nodepoolId);
      if (found === undefined) throw apiError('notFound', `node pool ${nodepoolId} not found`);
      return found;
    }),
  );
}
