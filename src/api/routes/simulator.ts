import type { FastifyInstance } from 'fastify';
import { seconds, toSeconds } from '../../../sim/engine/index.ts';
import { allocationMetrics } from '../../../sim/scheduler/index.ts';
import { canUseProject, principalOf, requireAdmin, type Principal } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { apiError, clusterApiError } from '../errors.ts';
import { workloadOf } from './distributed-inferences.ts';
import { eventRoutes } from './events.ts';

/** Schemas of the simulator's own surfaces (not Run:ai's): the server's OpenAPI document lists them too. */
export const SIM_SCHEMAS = {
  advance: {
    type: 'object',
    additionalProperties: false,
    required: ['seconds'],
    properties: { seconds: { type: 'number', minimum: 0, maximum: 31_536_000 } },
  },
  fault: {
    type: 'object',
    additionalProperties: false,
    oneOf: [
      {
        required: ['node', 'ready'],
        properties: { node: { type: 'string', minLength: 1 }, ready: { type: 'boolean' } },
      },
      {
        required: ['workloadId', 'pod'],
        properties: { workloadId: { type: 'string', format: 'uuid' }, pod: { type: 'string', minLength: 1 } },
      },
    ],
    properties: {
      node: { type: 'string' },
      ready: { type: 'boolean' },
      workloadId: { type: 'string' },
      pod: { type: 'string' },
    },
  },
} as const;

/**
 * Simulator-only surfaces, under /sim/v1 (never /api): the cluster and its allocation, the clock (and moving a
 * manual one), faults, and a Server-Sent Events stream of what the simulation does.
 */
export function simulatorRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/sim/v1/cluster', async (request) => clusterView(ctx, principalOf(request)));

  app.get('/sim/v1/clock', async () => clockView(ctx));

  app.post('/sim/v1/clock/advance', { schema: { body: SIM_SCHEMAS.advance } }, async (request) => {
    requireAdmin(request, 'moving the shared clock');
    if (ctx.live.timeScale !== 0)
      throw apiError(
        'conflict',
        'the clock follows the wall clock (--time-scale > 0); start lwsim serve with --time-scale 0 for a manual clock',
      );
    await ctx.live.advance(seconds((request.body as { seconds: number }).seconds));
    return clockView(ctx);
  });

  app.post('/sim/v1/faults', { schema: { body: SIM_SCHEMAS.fault } }, async (request, reply) => {
    const body = request.body as { node?: string; ready?: boolean; workloadId?: string; pod?: string };
    if (body.node !== undefined) {
      requireAdmin(request, 'a node fault');
      const result = await ctx.live.mutate({ type: 'node', node: body.node, ready: body.ready! });
      if (!result.ok) throw clusterApiError(result);
    } else {
      const workload = ctx.live.sync().workload(body.workloadId!);
      if (workload && !canUseProject(principalOf(request), workload.project))
        throw apiError('forbidden', `you may not use project ${workload.project}`);
      workloadOf(await ctx.live.mutate({ type: 'fail-pod', workload: { id: body.workloadId! }, pod: body.pod! }));
    }
    return reply.code(202).send({ code: 202, message: 'Request has been accepted.' });
  });

  // Compaction runs on its own as the journal grows; this is for an operator who wants a quick next start now.
  app.post('/sim/v1/journal/compact', async (request) => {
    requireAdmin(request, 'compacting the journal');
    const result = await ctx.live.compact();
    if (!result.ok) throw apiError('conflict', `the journal was not compacted: ${result.reason}`);
    return {
      snapshot: result.snapshot,
      bytes: result.bytes,
      at: ctx.clock.iso(result.at),
    };
  });

  eventRoutes(app, ctx, () => clockView(ctx));
}

function clockView(ctx: ApiContext) {
  const now = ctx.live.sync().now;
  return {
    now: ctx.clock.iso(now),
    simulatedSeconds: toSeconds(now),
    timeScale: ctx.live.timeScale,
    manual: ctx.live.timeScale === 0,
  };
}

/**
 * The cluster as the caller may see it: nodes and pools whole (the inventory), departments and projects only where
 * the caller may use a project (an administrator sees them all).
 */
function clusterView(ctx: ApiContext, principal: Principal) {
  const model = ctx.live.sync();
  const { cluster } = model.scheduler;
  const { layout } = cluster;
  const seesProject = (id: string): boolean => {
    const project = ctx.organisation.project(id);
    return project !== undefined && canUseProject(principal, project.name);
  };
  const metrics = allocationMetrics(model.scheduler);
  const queue = (name: string, kind: 'department' | 'project') =>
    Object.fromEntries(
      metrics.queues
        .filter((q) => q.queue === name && q.kind === kind)
        .map((q) => [
          q.pool,
          {
            deserved: q.deservedGpus,
            limit: q.limitGpus,
            allocated: q.allocatedGpus,
            fairShare: q.fairShareGpus,
            pending: q.pendingGpus,
          },
        ]),
    );
  return {
    clusterId: ctx.clusterId,
    name: model.spec.name,
    topologyLevels: layout.levels,
    nodePools: metrics.pools.map((p) => ({
      ...p,
      placement: layout.poolByName(p.pool)!.placement,
      nodes: layout.poolByName(p.pool)!.nodes.length,
    })),
    nodes: layout.nodes.map((node) => ({
      name: node.name,
      nodePool: layout.pools[node.pool]!.name,
      ready: cluster.isReady(node.index),
      gpuModel: node.gpuModel,
      gpus: node.gpuCount,
      allocatedGpus: node.gpuCount - cluster.nodeFree(node.index).gpus,
      topology: Object.fromEntries(node.domains.map((d, level) => [layout.levels[level]!, layout.domains[d]!.name])),
      labels: node.labels,
      taints: node.taints,
    })),
    departments: ctx.organisation.departments
      .filter((d) => d.projectIds.some(seesProject))
      .map((d) => ({
        id: d.id,
        name: d.name,
        projectIds: d.projectIds.filter(seesProject),
        quotas: queue(d.name, 'department'),
      })),
    projects: ctx.organisation.projects
      .filter((p) => seesProject(p.id))
      .map((p) => ({
        id: p.id,
        name: p.name,
        departmentId: p.departmentId,
        departmentName: p.departmentName,
        quotas: queue(p.name, 'project'),
      })),
  };
}
