import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_PRICES_PER_GPU_HOUR, PRICE_SOURCE } from '../../../sim/capacity/index.ts';
import { isCatalogGpuName } from '../../../sim/cluster/index.ts';
import type { RequestSpec } from '../../../sim/serving/index.ts';
import { buildQuestion, syntheticTraffic, UUID, WORKLOAD_NAME, type QuestionParts } from '../../capacity/question.ts';
import { CapacitySearches, MAX_RUNNING, type CapacitySearch } from '../../capacity/searches.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';

const positiveIntegers = { type: 'array', minItems: 1, maxItems: 16, items: { type: 'integer', minimum: 1 } } as const;
const names = { type: 'array', minItems: 1, maxItems: 16, items: { type: 'string', maxLength: 64 } } as const;

/** The arrivals a body may carry inline: a trace of this many requests fits the 1 MiB body limit. */
export const MAX_ARRIVALS = 20_000;

/** What `lwsim capacity` takes as flags, as a JSON body; the traffic a rate with fixed lengths or a list. */
export const CAPACITY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'traffic', 'slo'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 100 },
    dtype: { type: 'string', maxLength: 16 },
    traffic: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rate: { type: 'number', exclusiveMinimum: 0, maximum: 1e6 },
        inputTokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        outputTokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        burstiness: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
        requests: { type: 'integer', minimum: 1, maximum: 100_000 },
        seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295 },
        arrivals: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_ARRIVALS,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['arrival', 'inputTokens', 'outputTokens'],
            properties: {
              arrival: { type: 'number', minimum: 0 },
              inputTokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
              outputTokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            },
          },
        },
      },
    },
    slo: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', maxLength: 64 } },
    goodput: { type: 'number' },
    gpus: names,
    prices: { type: 'object', maxProperties: 32, additionalProperties: { type: 'number' } },
    maxGpus: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    tp: positiveIntegers,
    pp: positiveIntegers,
    engines: names,
    maxNumSeqs: positiveIntegers,
    maxNumBatchedTokens: positiveIntegers,
    routers: names,
    creation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', maxLength: 63 },
        projectId: { type: 'string', maxLength: 64 },
        clusterId: { type: 'string', maxLength: 36 },
      },
    },
  },
} as const;

type Traffic = {
  rate?: number;
  inputTokens?: number;
  outputTokens?: number;
  burstiness?: number;
  requests?: number;
  seed?: number;
  arrivals?: RequestSpec[];
};
type Body = Omit<QuestionParts, 'requests'> & {
  traffic: Traffic;
  creation?: { name?: string; projectId?: string; clusterId?: string };
};

/**
 * `POST /sim/v1/capacity` starts a capacity search (what `lwsim capacity` answers) on the server's worker threads
 * and answers 202 with its id; `GET /sim/v1/capacity/{id}` follows its progress and, when done, holds the answer
 * and the winner's creation body. Side-effect free: no live workload, journal or clock is touched. GPUs per node
 * and declared GPU types come from the live cluster.
 */
export function capacityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const searches = new CapacitySearches(availableParallelism());
  app.addHook('onClose', () => searches.close());

  app.post('/sim/v1/capacity', { schema: { body: CAPACITY_SCHEMA } }, async (request, reply) => {
    const body = request.body as Body;
    const requests = requestsOf(body.traffic);
    const names = body.creation ?? {};
    if (names.name !== undefined && !WORKLOAD_NAME.test(names.name))
      throw apiError('badRequest', `creation.name: must be a DNS-1123 label (a Run:ai workload name)`);
    if (names.clusterId !== undefined && !UUID.test(names.clusterId))
      throw apiError('badRequest', 'creation.clusterId: must be a UUID');
    const { traffic: _traffic, creation: _creation, ...parts } = body;
    const spec = ctx.live.model.spec;
    // By default the GPU types this cluster has (those with a price), as many per node as its largest node.
    const priced = { ...DEFAULT_PRICES_PER_GPU_HOUR, ...parts.prices };
    const clusterGpus = [...new Set(spec.nodePools.flatMap((p) => p.nodes.map((n) => n.gpu.model)))].filter(
      (gpu) => isCatalogGpuName(gpu) && priced[gpu] !== undefined,
    );
    const gpusPerNode = Math.max(1, ...spec.nodePools.flatMap((p) => p.nodes.map((n) => n.gpu.count)));
    const built = buildQuestion({
      ...(clusterGpus.length > 0 ? { gpus: clusterGpus } : {}),
      ...parts,
      requests,
    });
    if (!built.ok)
      throw apiError('badRequest', `${built.part === 'requests' ? 'traffic' : built.part}: ${built.message}`);
    const search = searches.start(
      { ...built.question, gpusPerNode, gpuTypes: spec.gpuTypes },
      { clusterId: ctx.clusterId, ...names },
    );
    if (search === undefined)
      throw apiError('tooManyRequests', `${MAX_RUNNING} capacity searches are running: try again when one finishes`);
    return reply.code(202).header('location', `/sim/v1/capacity/${search.id}`).send(view(search));
  });

  app.get(
    '/sim/v1/capacity/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } } },
    async (request) => {
      const { id } = request.params as { id: string };
      const search = searches.get(id);
      if (search === undefined)
        throw apiError('notFound', `id: no capacity search ${id} (finished ones are kept a while)`);
      return view(search);
    },
  );
}

/** The traffic's requests: inline arrivals (in order) or a rate with fixed lengths, one or the other. */
function requestsOf(t: Traffic): RequestSpec[] {
  if (t.arrivals !== undefined) {
    const synthetic = (['rate', 'inputTokens', 'outputTokens', 'burstiness', 'requests', 'seed'] as const).find(
      (k) => t[k] !== undefined,
    );
    if (synthetic !== undefined)
      throw apiError('badRequest', `traffic.${synthetic}: give either arrivals or a rate with lengths, not both`);
    const late = t.arrivals.findIndex((r, i) => i > 0 && r.arrival < t.arrivals![i - 1]!.arrival);
    if (late >= 0) throw apiError('badRequest', `traffic.arrivals[${late}].arrival: arrivals must be in time order`);
    return t.arrivals;
  }
  for (const k of ['rate', 'inputTokens', 'outputTokens'] as const)
    if (t[k] === undefined) throw apiError('badRequest', `traffic.${k}: required (or give traffic.arrivals)`);
  return syntheticTraffic({
    rate: t.rate!,
    inputTokens: t.inputTokens!,
    outputTokens: t.outputTokens!,
    ...(t.burstiness !== undefined ? { burstiness: t.burstiness } : {}),
    ...(t.requests !== undefined ? { requests: t.requests } : {}),
    ...(t.seed !== undefined ? { seed: t.seed } : {}),
  });
}

function view(s: CapacitySearch): Record<string, unknown> {
  return {
    id: s.id,
    status: s.status,
    progress: s.progress,
    createdAt: s.createdAt,
    ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
    ...(s.answer
      ? { result: { prices: PRICE_SOURCE, ...s.answer, ...(s.creation ? { creation: s.creation } : {}) } }
      : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
  };
}
