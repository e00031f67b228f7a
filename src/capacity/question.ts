// One capacity question from the parts a user states — as `lwsim capacity` flags or as the JSON body of
// `POST /sim/v1/capacity` — checked part by part, so either front end names the part that is wrong.
import {
  creationBody,
  DEFAULT_PRICES_PER_GPU_HOUR,
  parseSloBound,
  type CapacityAnswer,
  type CapacityQuestion,
  type SloBound,
} from '../../sim/capacity/index.ts';
import { isCatalogGpuName } from '../../sim/cluster/index.ts';
import { Random } from '../../sim/engine/index.ts';
import { ARCHITECTURES, checkDeployment, isArchitectureId, isEngineName } from '../../sim/perf/index.ts';
import { isRouterName, ROUTERS, syntheticRequests, type RequestSpec } from '../../sim/serving/index.ts';

/** A rate with fixed lengths, as `vllm bench serve --dataset-name random` sends it. */
export interface SyntheticTraffic {
  readonly rate: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Gamma-distributed gaps: 1 is Poisson, lower is burstier. */
  readonly burstiness?: number;
  readonly requests?: number;
  readonly seed?: number;
}

export interface QuestionParts {
  readonly model: string;
  readonly dtype?: string;
  readonly requests: readonly RequestSpec[];
  /** `ttft:p90<=2000ms`, … */
  readonly slo: readonly string[];
  readonly goodput?: number;
  readonly gpus?: readonly string[];
  /** USD per GPU-hour, over the defaults. */
  readonly prices?: Readonly<Record<string, number>>;
  readonly maxGpus?: number;
  readonly tp?: readonly number[];
  readonly pp?: readonly number[];
  readonly engines?: readonly string[];
  readonly maxNumSeqs?: readonly number[];
  readonly maxNumBatchedTokens?: readonly number[];
  readonly routers?: readonly string[];
}

export type QuestionCheck =
  | { readonly ok: true; readonly question: CapacityQuestion }
  | { readonly ok: false; readonly part: keyof QuestionParts; readonly message: string };

export const DEFAULT_GPUS = ['A100-SXM-80GB', 'H100-SXM-80GB', 'H200-SXM-141GB'] as const;
export const DEFAULT_TP = [1, 2, 4, 8] as const;

export function buildQuestion(parts: QuestionParts): QuestionCheck {
  const fail = (part: keyof QuestionParts, message: string): QuestionCheck => ({ ok: false, part, message });
  const model = checkDeployment({ model: parts.model, gpu: 'H100-SXM-80GB', ...dtypeOf(parts) });
  if (!model.ok && (model.field === 'model' || model.field === 'dtype')) return fail(model.field, model.message);
  if (parts.requests.length === 0) return fail('requests', 'the traffic has no requests');
  const slo: SloBound[] = [];
  for (const text of parts.slo) {
    const parsed = parseSloBound(text);
    if (!parsed.ok) return fail('slo', parsed.message);
    slo.push(parsed.value);
  }
  if (slo.length === 0) return fail('slo', "at least one bound is needed (e.g. 'ttft:p90<=2000ms')");
  if (parts.goodput !== undefined && !(parts.goodput > 0 && parts.goodput <= 1))
    return fail('goodput', `must be a fraction in (0, 1], got ${parts.goodput}`);
  const prices: Record<string, number> = { ...DEFAULT_PRICES_PER_GPU_HOUR };
  for (const [gpu, usd] of Object.entries(parts.prices ?? {})) {
    if (!isCatalogGpuName(gpu)) return fail('prices', `unknown GPU "${gpu}"`);
    if (!(usd > 0)) return fail('prices', `${gpu}: the price must be a positive number of USD, got ${usd}`);
    prices[gpu] = usd;
  }
  const gpus = parts.gpus ?? DEFAULT_GPUS;
  for (const gpu of gpus) {
    if (!isCatalogGpuName(gpu)) return fail('gpus', `unknown GPU "${gpu}"`);
    if (prices[gpu] === undefined) return fail('gpus', `no default price for ${gpu}: give one (${gpu}=USD)`);
  }
  for (const part of ['tp', 'pp', 'maxNumSeqs', 'maxNumBatchedTokens'] as const) {
    const bad = parts[part]?.find((n) => !(Number.isInteger(n) && n >= 1));
    if (bad !== undefined) return fail(part, `must be positive integers, got ${bad}`);
    if (parts[part]?.length === 0) return fail(part, 'must list at least one value');
  }
  const engines = parts.engines ?? ['vllm'];
  const badEngine = engines.find((e) => !isEngineName(e));
  if (badEngine !== undefined) return fail('engines', `unknown engine "${badEngine}"`);
  const routers = parts.routers ?? ['least-outstanding'];
  const badRouter = routers.find((r) => !isRouterName(r));
  if (badRouter !== undefined)
    return fail('routers', `unknown router "${badRouter}" (known: ${Object.keys(ROUTERS).join(', ')})`);
  if (parts.maxGpus !== undefined && !(Number.isInteger(parts.maxGpus) && parts.maxGpus >= 1))
    return fail('maxGpus', `must be a positive integer, got ${parts.maxGpus}`);
  return {
    ok: true,
    question: {
      model: parts.model,
      ...dtypeOf(parts),
      requests: parts.requests,
      slo,
      ...(parts.goodput !== undefined ? { goodput: parts.goodput } : {}),
      gpus: gpus.map((gpu) => ({ gpu, pricePerHour: prices[gpu]! })),
      tp: parts.tp ?? DEFAULT_TP,
      pp: parts.pp ?? [1],
      engines,
      ...(parts.maxNumSeqs ? { maxNumSeqs: parts.maxNumSeqs } : {}),
      ...(parts.maxNumBatchedTokens ? { maxNumBatchedTokens: parts.maxNumBatchedTokens } : {}),
      routers: routers.filter(isRouterName),
      ...(parts.maxGpus !== undefined ? { maxGpus: parts.maxGpus } : {}),
    },
  };
}

const dtypeOf = (parts: QuestionParts): { dtype?: string } => (parts.dtype !== undefined ? { dtype: parts.dtype } : {});

/** The requests of a synthetic traffic, the same for the same seed. */
export function syntheticTraffic(t: SyntheticTraffic): RequestSpec[] {
  return [
    ...syntheticRequests(
      new Random(t.seed ?? 0),
      t.requests ?? 1000,
      { kind: 'gamma', rate: t.rate, burstiness: t.burstiness ?? 1 },
      { kind: 'fixed', tokens: t.inputTokens },
      { kind: 'fixed', tokens: t.outputTokens },
    ),
  ];
}

/** Where the winner's creation body goes; placeholders for what is not given. */
export interface CreationNames {
  readonly name?: string;
  readonly projectId?: string;
  readonly clusterId?: string;
}

/** lwsim's default cluster, its first project: placeholders a user replaces with their own ids. */
const DEFAULT_CLUSTER_ID = '00000000-0000-4000-8000-000000000000';
const DEFAULT_PROJECT_ID = '101';

export const WORKLOAD_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The winner as a Run:ai distributed-inference creation body, when there is one. */
export function creationOf(
  question: CapacityQuestion,
  answer: CapacityAnswer,
  names: CreationNames = {},
): Record<string, unknown> | undefined {
  return answer.best
    ? creationBody(answer.best.shape, answer.best.replicas, {
        name: names.name ?? `${question.model.replace(/\./g, '-')}-serving`,
        projectId: names.projectId ?? DEFAULT_PROJECT_ID,
        clusterId: names.clusterId ?? DEFAULT_CLUSTER_ID,
        modelId: huggingFaceRepo(question.model),
      })
    : undefined;
}

/** The Hugging Face repository an architecture preset was read from (what vLLM loads). */
function huggingFaceRepo(model: string): string {
  const source = isArchitectureId(model) ? ARCHITECTURES[model].source : '';
  return /huggingface\.co\/([^/]+\/[^/]+)\//.exec(source)?.[1] ?? model;
}
