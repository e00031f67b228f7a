// A timeline `create`'s `traffic:` block: the load its clients send and what the workload serves, read into
// sim/serving's WorkloadTraffic, checked against the workload it rides on (TP is its GPUs per pod, PP its pods per
// LWS group, the GPU the cluster's), so a scenario states only what the cluster cannot know.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClusterSpec } from '../../sim/cluster/index.ts';
import type { PathSegment } from '../../sim/config/source-document.ts';
import {
  isRouterName,
  ROUTERS,
  type ArrivalProcess,
  trafficDeployment,
  type LengthDistribution,
  type ServedModel,
  type TrafficLoad,
  type WorkloadTraffic,
} from '../../sim/serving/index.ts';
import { ARCHITECTURES, isArchitectureId } from '../../sim/perf/index.ts';
import type { InferenceSpec } from '../../sim/workloads/spec.ts';

const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const count = { type: 'integer', minimum: 1 } as const;

export const TRAFFIC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    model: { type: 'string' },
    engine: { enum: ['vllm', 'trtllm', 'sglang'] },
    dtype: { type: 'string' },
    gpu: { type: 'string' },
    router: { type: 'string' },
    onReplicaLoss: { enum: ['retry', 'fail'] },
    maxNumSeqs: count,
    maxNumBatchedTokens: count,
    rate: positive,
    burstiness: { oneOf: [positive, { const: 'inf' }] },
    ramp: {
      type: 'object',
      additionalProperties: false,
      required: ['strategy', 'from', 'to'],
      properties: { strategy: { enum: ['linear', 'exponential'] }, from: positive, to: positive },
    },
    requests: count,
    concurrency: count,
    inputTokens: count,
    outputTokens: count,
    rangeRatio: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    trace: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'format'],
      properties: {
        file: { type: 'string', minLength: 1 },
        format: { enum: ['azure', 'mooncake', 'burstgpt'] },
        speedup: positive,
        start: { type: 'number', minimum: 0 },
        end: { type: 'number', minimum: 0 },
      },
    },
    slo: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { ttft: positive, tpot: positive, e2el: positive },
    },
    percentiles: {
      type: 'array',
      minItems: 1,
      items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100 },
    },
  },
} as const;

export interface RawTraffic {
  model: string;
  engine?: string;
  dtype?: string;
  gpu?: string;
  router?: string;
  onReplicaLoss?: 'retry' | 'fail';
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  rate?: number;
  burstiness?: number | 'inf';
  ramp?: { strategy: 'linear' | 'exponential'; from: number; to: number };
  requests?: number;
  concurrency?: number;
  inputTokens?: number;
  outputTokens?: number;
  rangeRatio?: number;
  trace?: { file: string; format: 'azure' | 'mooncake' | 'burstgpt'; speedup?: number; start?: number; end?: number };
  slo?: { ttft?: number; tpot?: number; e2el?: number };
  percentiles?: number[];
}

type Report = (at: PathSegment[], message: string) => undefined;

/** `raw` checked against the workload it rides on and the cluster; errors go to `error`, located under `at`. */
export function readTraffic(
  raw: RawTraffic,
  spec: InferenceSpec,
  cluster: ClusterSpec,
  base: string,
  at: PathSegment[],
  error: Report,
): WorkloadTraffic | undefined {
  const traffic = readTrafficTemplate(raw, base, at, error);
  if (traffic === undefined) return undefined;
  const deployment = trafficDeployment(traffic.serve, spec, cluster);
  if (!deployment.ok) return error(deployment.field ? [...at, deployment.field] : at, deployment.message);
  return traffic;
}

/**
 * `raw` on its own, for a workload not created yet (the cluster file's `traffic:`): the deployment is checked when
 * the workload appears, against its shape.
 */
export function readTrafficTemplate(
  raw: RawTraffic,
  base: string,
  at: PathSegment[],
  error: Report,
): WorkloadTraffic | undefined {
  const serve: ServedModel = {
    model: raw.model,
    ...(raw.engine !== undefined ? { engine: raw.engine } : {}),
    ...(raw.dtype !== undefined ? { dtype: raw.dtype } : {}),
    ...(raw.gpu !== undefined ? { gpu: raw.gpu } : {}),
    ...(raw.maxNumSeqs !== undefined ? { maxNumSeqs: raw.maxNumSeqs } : {}),
    ...(raw.maxNumBatchedTokens !== undefined ? { maxNumBatchedTokens: raw.maxNumBatchedTokens } : {}),
  };
  if (!isArchitectureId(raw.model))
    return error([...at, 'model'], `unknown model "${raw.model}" (known: ${Object.keys(ARCHITECTURES).join(', ')})`);
  if (raw.router !== undefined && !isRouterName(raw.router))
    return error([...at, 'router'], `unknown router "${raw.router}" (known: ${Object.keys(ROUTERS).join(', ')})`);
  const load = loadOf(raw, base, at, error);
  if (!load) return undefined;
  return {
    serve,
    load,
    router: raw.router !== undefined && isRouterName(raw.router) ? raw.router : 'least-outstanding',
    onReplicaLoss: raw.onReplicaLoss ?? 'retry',
    ...(raw.concurrency !== undefined ? { maxConcurrency: raw.concurrency } : {}),
    ...(raw.slo ? { slo: raw.slo } : {}),
    percentiles: raw.percentiles ?? [50, 90, 99],
  };
}

function loadOf(raw: RawTraffic, base: string, at: PathSegment[], error: Report): TrafficLoad | undefined {
  if (raw.trace !== undefined) {
    for (const key of ['rate', 'ramp', 'inputTokens', 'outputTokens', 'rangeRatio', 'burstiness', 'requests'] as const)
      if (raw[key] !== undefined) return error([...at, key], 'a trace sets arrivals and lengths: leave this out');
    const path = resolve(base, raw.trace.file);
    if (!existsSync(path)) return error([...at, 'trace', 'file'], `no such file ${path}`);
    const { speedup, start, end } = raw.trace;
    return {
      kind: 'trace',
      path,
      format: raw.trace.format,
      window: {
        ...(speedup !== undefined ? { speedup } : {}),
        ...(start !== undefined ? { start } : {}),
        ...(end !== undefined ? { end } : {}),
      },
    };
  }
  if (raw.inputTokens === undefined) return error(at, 'inputTokens: needed without a trace');
  if (raw.outputTokens === undefined) return error(at, 'outputTokens: needed without a trace');
  if (raw.rate !== undefined && raw.ramp !== undefined)
    return error([...at, 'ramp'], 'give a rate or a ramp, not both');
  const burstiness = raw.burstiness === 'inf' ? Infinity : (raw.burstiness ?? 1);
  let arrivals: ArrivalProcess;
  if (raw.ramp !== undefined)
    arrivals = {
      kind: 'ramp',
      strategy: raw.ramp.strategy,
      startRate: raw.ramp.from,
      endRate: raw.ramp.to,
      burstiness,
    };
  else if (raw.rate !== undefined) arrivals = { kind: 'gamma', rate: raw.rate, burstiness };
  else if (raw.concurrency !== undefined && raw.requests !== undefined) arrivals = { kind: 'burst' };
  else return error(at, 'rate: needed (or a ramp, or concurrency with requests for a closed loop)');
  const length = (tokens: number): LengthDistribution =>
    raw.rangeRatio ? { kind: 'random', tokens, rangeRatio: raw.rangeRatio } : { kind: 'fixed', tokens };
  return {
    kind: 'synthetic',
    arrivals,
    input: length(raw.inputTokens),
    output: length(raw.outputTokens),
    ...(raw.requests !== undefined ? { requests: raw.requests } : {}),
  };
}
