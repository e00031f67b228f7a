// GET /metrics: what Prometheus scrapes (text exposition format); for administrators, as it spans every project.
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { ClusterMetrics } from '../prometheus.ts';

export function prometheusRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const metrics = new ClusterMetrics(ctx);
  app.get('/metrics', async (request, reply) => {
    requireAdmin(request, 'GET /metrics (every queue, node and pod)');
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).send(text);
  });
}
