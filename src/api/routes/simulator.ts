import type { FastifyInstance } from 'fastify';
import { seconds, toSeconds } from '../../../sim/engine/index.ts';
import { allocationMetrics } from '../../../sim/scheduler/index.ts';
import type { WorkloadState } from '../../../sim/workloads/state.ts';
import { canUseProject, principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { apiError, clusterApiError } from '../errors.ts';
import { workloadOf } from './distributed-inferences.ts';

/** Bytes of events a subscriber may have unread before its events are dropped. */
export const MAX_SUBSCRIBER_BUFFER = 1 << 20;

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
  app.get('/sim/v1/cluster', async () => clusterView(ctx));

  app.get('/sim/v1/clock', async () => clockView(ctx));

  app.post('/sim/v1/clock/advance', { schema: { body: SIM_SCHEMAS.advance } }, async (request) => {
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

  app.get('/sim/v1/events', (request, reply) => {
    const observers = ctx.live.model.observers;
    const principal = principalOf(request);
    const clock = clockView(ctx);
    // The stream is written by hand, so fastify must not answer this request itself.
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    // HEAD (which fastify routes here) asks for the headers alone: subscribing would hold it open forever.
    if (request.method === 'HEAD') return void reply.raw.end();
    // A subscriber that does not read must not hold the server's memory: past a bounded buffer its events are
    // dropped, and once it has drained it is told how many it missed.
    let dropped = 0;
    const send = (event: string, data: unknown): void => {
      if (dropped > 0 || reply.raw.writableLength > MAX_SUBSCRIBER_BUFFER) {
        if (dropped++ === 0)
          reply.raw.once('drain', () => {
            reply.raw.write(`event: dropped\ndata: ${JSON.stringify({ dropped })}\n\n`);
            dropped = 0;
          });
        return;
      }
      reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('clock', clock);
    const workload = (w: Readonly<WorkloadState>) => ({
      workloadId: w.id,
      name: w.name,
      project: w.project,
      phase: w.phase,
      phaseMessage: w.phaseMessage,
      at: ctx.clock.iso(ctx.live.model.now),
    });
    // A user hears only about the projects they may use, as in lists.
    const visible = (w: Readonly<WorkloadState>): boolean => canUseProject(principal, w.project);
    const onCreated = (w: WorkloadState): void => void (visible(w) && send('workload-created', workload(w)));
    const onPhase = (w: WorkloadState, previous: string): void =>
      void (visible(w) && send('workload-phase', { ...workload(w), previous }));
    const onDeleted = (w: WorkloadState): void => void (visible(w) && send('workload-deleted', workload(w)));
    const onNode = (node: string, ready: boolean): void =>
      send('node', { node, ready, at: ctx.clock.iso(ctx.live.model.now) });
    observers
      .on('workload-created', onCreated)
      .on('workload-phase', onPhase)
      .on('workload-deleted', onDeleted)
      .on('node-ready', onNode);
    const heartbeat = setInterval(() => void reply.raw.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      observers
        .off('workload-created', onCreated)
        .off('workload-phase', onPhase)
        .off('workload-deleted', onDeleted)
        .off('node-ready', onNode);
    });
  });
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

function clusterView(ctx: ApiContext) {
  const model = ctx.live.sync();
  const { cluster } = model.scheduler;
  const { layout } = cluster;
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
    departments: ctx.organisation.departments.map((d) => ({
      id: d.id,
      name: d.name,
      projectIds: d.projectIds,
      quotas: queue(d.name, 'department'),
    })),
    projects: ctx.organisation.projects.map((p) => ({
      id: p.id,
      name: p.name,
      departmentId: p.departmentId,
      departmentName: p.departmentName,
      quotas: queue(p.name, 'project'),
    })),
  };
}
