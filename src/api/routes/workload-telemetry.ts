// What a client watches a workload through besides its phase: its events, its history (events and phase
// updates), and its metrics over a time range — and the same metrics for one of its pods.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Micros } from '../../../sim/engine/index.ts';
import type { WorkloadState } from '../../../sim/workloads/state.ts';
import { contractRoute } from '../../contract/fastify-contract.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { withCsv } from '../metrics-csv.ts';
import { queryInstants } from '../presenters/metric-timeline.ts';
import { presentEvent, presentHistoryRecord } from '../presenters/workload-events.ts';
import { presentPodMetrics, presentWorkloadMetrics, type MetricsQuery } from '../presenters/workload-metrics.ts';
import { podId } from '../presenters/workload.ts';
import { visibleWorkload } from './distributed-inferences.ts';

interface PageQuery {
  readonly offset?: number;
  readonly limit?: number;
}

interface RangeQuery {
  readonly metricType: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly numberOfSamples?: number;
}

export function workloadTelemetryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const recordsOf = (w: Readonly<WorkloadState>) => ctx.live.history.records(w.id) ?? [];

  app.route(
    contractRoute('get_workload_events', async (request) => {
      const w = visibleWorkload(ctx, request);
      const query = request.query as PageQuery & { sortOrder?: 'asc' | 'desc' };
      const events = recordsOf(w).filter((r) => r.kind === 'event');
      if ((query.sortOrder ?? 'desc') === 'desc') events.reverse();
      const present = ctx.present();
      return page(events, query, 'events', (e) => presentEvent(w, e, present));
    }),
  );

  app.route(
    contractRoute('get_workload_history', async (request) => {
      const w = visibleWorkload(ctx, request);
      const present = ctx.present();
      // Newest first, as the events are by default.
      const records = [...recordsOf(w)].reverse();
      return page(records, request.query as PageQuery, 'records', (r) => presentHistoryRecord(w, r, present));
    }),
  );

  app.route(
    contractRoute(
      'get_workload_metrics',
      withCsv(async (request) => {
        const w = visibleWorkload(ctx, request);
        return presentWorkloadMetrics(sourcesOf(w), rangeOf(request, w), ctx.clock);
      }),
    ),
  );

  app.route(
    contractRoute(
      'get_workload_pod_metrics',
      withCsv(async (request) => {
        const w = visibleWorkload(ctx, request);
        const { podId: wanted } = request.params as { podId: string };
        for (const group of w.groups)
          for (const pod of group.pods)
            if (podId(w, pod) === wanted) {
              const gpus = pod.binding?.gpus ?? [];
              const sources = { ...sourcesOf(w), pod: { replica: group.index, gpus, leader: pod.role === 'leader' } };
              return presentPodMetrics(sources, rangeOf(request, w), ctx.clock);
            }
        throw apiError('notFound', `podId: workload ${w.name} has no pod ${wanted}`);
      }),
    ),
  );

  const sourcesOf = (w: Readonly<WorkloadState>) => {
    const serving = ctx.live.serving.metrics(w as WorkloadState);
    return {
      points: ctx.live.history.allocation(w.id) ?? [],
      serving: typeof serving === 'object' ? serving : undefined,
    };
  };

  /** The instants a range query asks for, those the model can answer (since creation, up to now). */
  const rangeOf = (request: FastifyRequest, w: Readonly<WorkloadState>): MetricsQuery => {
    const query = request.query as RangeQuery;
    const start = ctx.clock.micros(query.start);
    const end = ctx.clock.micros(query.end);
    if (end < start) throw apiError('badRequest', `end: ${query.end} is before start ${query.start}`);
    const count = query.numberOfSamples ?? 20;
    const step: Micros = count > 1 ? (end - start) / (count - 1) : end - start;
    return {
      types: [...new Set(query.metricType)],
      instants: queryInstants(start, end, count, w.createdAt, ctx.live.model.now),
      step,
    };
  };
}

function page<T>(
  items: readonly T[],
  query: PageQuery,
  key: string,
  present: (item: T) => Record<string, unknown>,
): Record<string, unknown> {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  if (offset < 0) throw apiError('badRequest', `offset: ${offset} is negative`);
  const body: Record<string, unknown> = { [key]: items.slice(offset, offset + limit).map(present) };
  if (offset + limit < items.length) body.next = offset + limit;
  return body;
}
