import type { FastifyInstance } from 'fastify';
import { toSeconds } from '../../../sim/engine/index.ts';
import { servedDeployment } from '../../../sim/simulator/serving-watch.ts';
import { canUseProject, principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';

/**
 * `GET /sim/v1/workloads/{workloadId}/serving`: how a workload with traffic (the cluster file's `traffic:`) has
 * served its clients so far — `vllm bench serve`'s figures from its creation to now, lwsim's own (failed and
 * retried requests, preemptions, per-replica series) under `lwsim`. Run:ai's workload metrics are built on it.
 */
export function servingMetricsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/sim/v1/workloads/:workloadId/serving',
    { schema: { params: { type: 'object', properties: { workloadId: { type: 'string', format: 'uuid' } } } } },
    async (request) => {
      const { workloadId } = request.params as { workloadId: string };
      const model = ctx.live.sync();
      const workload = model.workload(workloadId);
      if (workload === undefined) throw apiError('notFound', `workloadId: no workload ${workloadId}`);
      if (!canUseProject(principalOf(request), workload.project))
        throw apiError('forbidden', `you may not use project ${workload.project}`);
      const serving = ctx.live.serving.serving(workload);
      if (serving === undefined)
        throw apiError(
          'notFound',
          `workload ${workload.name} has no traffic: declare it under traffic: in the cluster file (workload: ${workload.requestedName})`,
        );
      if (!serving.ok) return { workloadId, name: workload.name, served: false, reason: serving.message };
      const { lwsim, ...result } = serving.result;
      return {
        workloadId,
        name: workload.name,
        served: true,
        since: ctx.clock.iso(serving.from),
        until: ctx.clock.iso(model.now),
        seconds: toSeconds(model.now - serving.from),
        deployment: servedDeployment(serving.deployment),
        replicaChanges: serving.replicaChanges,
        ...(serving.traceProblem ? { traceProblem: serving.traceProblem } : {}),
        result,
        lwsim,
      };
    },
  );
}
