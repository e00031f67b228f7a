// The flags that state a capacity question, shared by `lwsim capacity`, its merge and `capacity k8s-job`: every
// shard of one search must be given the same.
import type { CapacityQuestion } from '../../../sim/capacity/index.ts';
import type { RequestSpec } from '../../../sim/serving/index.ts';
import { buildQuestion, syntheticTraffic, type QuestionParts } from '../../capacity/question.ts';
import { traceFrom, trafficFlags } from './bench.ts';
import { integer } from './perf.ts';

export const QUESTION_USAGE = `--model M [--dtype D] (--trace FILE --trace-format azure|mooncake|burstgpt [--trace-speedup X --trace-start S --trace-end S]
         | --request-rate R --random-input-len N --random-output-len N [--burstiness B] [--num-prompts N] [--seed N])
         --slo 'ttft:p90<=2000ms' [--slo 'tpot:p99<=200ms' ...] [--goodput F]
         [--gpus H100-SXM-80GB,H200-SXM-141GB] [--price GPU=USD ...] [--max-gpus N]
         [--tp 1,2,4,8] [--pp 1,2] [--engine vllm,...] [--max-num-seqs 64,128,256] [--max-num-batched-tokens 2048,8192]
         [--router least-outstanding,...]`;

/** The flags that state the question. */
export const questionOptions = {
  model: { type: 'string' },
  dtype: { type: 'string' },
  ...trafficFlags,
  slo: { type: 'string', multiple: true },
  goodput: { type: 'string' },
  gpus: { type: 'string' },
  price: { type: 'string', multiple: true },
  'max-gpus': { type: 'string' },
  tp: { type: 'string' },
  pp: { type: 'string' },
  engine: { type: 'string' },
  'max-num-seqs': { type: 'string' },
  'max-num-batched-tokens': { type: 'string' },
  router: { type: 'string' },
} as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Which flag states each part of the question, for messages. */
const FLAG_OF: Record<keyof QuestionParts, string> = {
  model: '--model',
  dtype: '--dtype',
  requests: '--num-prompts',
  slo: '--slo',
  goodput: '--goodput',
  gpus: '--gpus',
  prices: '--price',
  maxGpus: '--max-gpus',
  tp: '--tp',
  pp: '--pp',
  engines: '--engine',
  maxNumSeqs: '--max-num-seqs',
  maxNumBatchedTokens: '--max-num-batched-tokens',
  routers: '--router',
};

/** The question the flags state (reading the trace when there is one). */
export function questionFromFlags(values: FlagValues): Parsed<CapacityQuestion> {
  const text = (flag: string): string | undefined => (typeof values[flag] === 'string' ? values[flag] : undefined);
  const model = text('model');
  if (model === undefined) return { ok: false, message: '--model is required' };
  if (values.slo === undefined) return { ok: false, message: "--slo is required (e.g. --slo 'ttft:p90<=2000ms')" };
  const prices: Record<string, number> = {};
  for (const item of (values.price as string[] | undefined) ?? []) {
    const [gpu = '', usd = ''] = item.split('=');
    if (gpu === '' || !(Number(usd) > 0))
      return { ok: false, message: `--price: "${item}" is not GPU=USD with a positive price` };
    prices[gpu] = Number(usd);
  }
  const lists: Partial<Record<'tp' | 'pp' | 'maxNumSeqs' | 'maxNumBatchedTokens', number[]>> = {};
  for (const [flag, part] of [
    ['tp', 'tp'],
    ['pp', 'pp'],
    ['max-num-seqs', 'maxNumSeqs'],
    ['max-num-batched-tokens', 'maxNumBatchedTokens'],
  ] as const) {
    const given = text(flag);
    if (given === undefined) continue;
    const numbers = given.split(',').map((t) => integer(t, 1));
    if (numbers.some((n) => n === undefined))
      return { ok: false, message: `--${flag} must be positive integers separated by commas, got "${given}"` };
    lists[part] = numbers as number[];
  }
  const goodput = text('goodput');
  if (goodput !== undefined && !(Number(goodput) > 0 && Number(goodput) <= 1))
    return { ok: false, message: `--goodput must be a fraction in (0, 1], got "${goodput}"` };
  const maxGpus = text('max-gpus');
  if (maxGpus !== undefined && integer(maxGpus, 1) === undefined)
    return { ok: false, message: `--max-gpus must be a positive integer, got "${maxGpus}"` };
  const requests = trafficOf(values);
  if (!requests.ok) return requests;
  const dtype = text('dtype');
  const list = (flag: string): { value?: string[] } => {
    const given = text(flag);
    return given === undefined ? {} : { value: given.split(',') };
  };
  const gpus = list('gpus').value;
  const engines = list('engine').value;
  const routers = list('router').value;
  const built = buildQuestion({
    model,
    ...(dtype !== undefined ? { dtype } : {}),
    requests: requests.value,
    slo: values.slo as string[],
    ...(goodput !== undefined ? { goodput: Number(goodput) } : {}),
    ...(gpus ? { gpus } : {}),
    prices,
    ...(maxGpus !== undefined ? { maxGpus: Number(maxGpus) } : {}),
    ...lists,
    ...(engines ? { engines } : {}),
    ...(routers ? { routers } : {}),
  });
  return built.ok
    ? { ok: true, value: built.question }
    : { ok: false, message: `${FLAG_OF[built.part]}: ${built.message}` };
}

function trafficOf(values: FlagValues): Parsed<RequestSpec[]> {
  if (typeof values.trace === 'string') {
    const trace = traceFrom(values as Record<string, string | boolean | undefined>, undefined);
    if (!trace.ok) return trace;
    const requests = [...trace.value];
    if (trace.value.problem)
      return { ok: false, message: `${values.trace}:${trace.value.problem.line}: ${trace.value.problem.message}` };
    return { ok: true, value: requests };
  }
  const number = (flag: string, fallback?: number): number | undefined => {
    const text = values[flag];
    return typeof text === 'string' ? (Number(text) > 0 ? Number(text) : undefined) : fallback;
  };
  const rate = number('request-rate');
  const input = number('random-input-len');
  const output = number('random-output-len');
  const count = number('num-prompts', 1000);
  const burstiness = number('burstiness', 1);
  if (rate === undefined) return { ok: false, message: '--request-rate (a positive number) or --trace is required' };
  if (input === undefined || output === undefined || count === undefined || burstiness === undefined)
    return {
      ok: false,
      message: '--random-input-len, --random-output-len, --num-prompts and --burstiness must be positive numbers',
    };
  const seed = typeof values.seed === 'string' ? integer(values.seed, 0) : 0;
  if (seed === undefined) return { ok: false, message: `--seed must be a non-negative integer` };
  return {
    ok: true,
    value: syntheticTraffic({
      rate,
      inputTokens: Math.floor(input),
      outputTokens: Math.floor(output),
      burstiness,
      requests: Math.floor(count),
      seed,
    }),
  };
}
