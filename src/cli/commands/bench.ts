// `lwsim bench serve`: a virtual `vllm bench serve` — the same flags and result keys, answered by simulation.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Random } from '../../../sim/engine/index.ts';
import { DEFAULT_LATENCY_MODEL, isLatencyModelName, LATENCY_MODELS } from '../../../sim/perf/index.ts';
import {
  isRouterName,
  LATENCY_METRICS,
  ROUTERS,
  simulateServing,
  syntheticRequests,
  type ArrivalProcess,
  type LatencyMetric,
  type ServingResult,
  type Slo,
  isTraceFormat,
  TRACE_FORMATS,
  TraceRequests,
} from '../../../sim/serving/index.ts';
import { fileLines } from '../../serving/trace-file.ts';
import { deploymentFrom, deploymentOptions, integer } from './perf.ts';

export const BENCH_USAGE = `lwsim bench serve --model M --gpu G [--tp N] [--pp N] [--dtype D] [--engine E] [--replicas N] [--router ${Object.keys(ROUTERS).join('|')}]
         [--max-num-seqs N] [--max-num-batched-tokens N] [--block-size N] [--gpu-memory-utilization F]
         [--dataset-name random] --random-input-len N --random-output-len N [--random-range-ratio R]
         | --trace FILE --trace-format azure|mooncake|burstgpt [--trace-speedup X] [--trace-start S] [--trace-end S]
         [--no-enable-prefix-caching]
         [--num-prompts N] [--request-rate R|inf] [--burstiness B|inf] [--max-concurrency C]
         [--ramp-up-strategy linear|exponential --ramp-up-start-rps R --ramp-up-end-rps R] [--goodput ttft:MS,tpot:MS,e2el:MS]
         [--percentile-metrics ttft,tpot,itl,e2el] [--metric-percentiles 50,90,99] [--seed N] [--latency-model M]
         [--save-result FILE] [--json]`;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function fail(message: string): number {
  process.stderr.write(`lwsim bench: ${message}\nusage: ${BENCH_USAGE}\n`);
  return 2;
}

const number = (text: string): number | undefined =>
  text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined;

/** `ttft:2000,tpot:100` (vLLM also accepts spaces between the pairs). */
export function parseGoodput(text: string): Parsed<Slo> {
  const slo: Record<string, number> = {};
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const [key = '', value = ''] = item.split(':');
    const ms = number(value);
    if (!['ttft', 'tpot', 'e2el'].includes(key) || ms === undefined || ms <= 0)
      return { ok: false, message: `--goodput: "${item}" is not ttft:MS, tpot:MS or e2el:MS (a positive number)` };
    slo[key] = ms;
  }
  return { ok: true, value: slo };
}

/** The load's flags, shared with `lwsim capacity`: a trace, or vLLM's random dataset at a rate. */
export const trafficFlags = {
  trace: { type: 'string' },
  'trace-format': { type: 'string' },
  'trace-speedup': { type: 'string' },
  'trace-start': { type: 'string' },
  'trace-end': { type: 'string' },
  'request-rate': { type: 'string' },
  'random-input-len': { type: 'string' },
  'random-output-len': { type: 'string' },
  burstiness: { type: 'string' },
  'num-prompts': { type: 'string' },
  seed: { type: 'string' },
} as const;

const options = {
  ...deploymentOptions,
  ...trafficFlags,
  replicas: { type: 'string' },
  router: { type: 'string' },
  'max-num-seqs': { type: 'string' },
  'max-num-batched-tokens': { type: 'string' },
  'block-size': { type: 'string' },
  'gpu-memory-utilization': { type: 'string' },
  'dataset-name': { type: 'string' },
  'random-range-ratio': { type: 'string' },
  'ramp-up-strategy': { type: 'string' },
  'ramp-up-start-rps': { type: 'string' },
  'ramp-up-end-rps': { type: 'string' },
  'max-concurrency': { type: 'string' },
  goodput: { type: 'string' },
  'percentile-metrics': { type: 'string' },
  'metric-percentiles': { type: 'string' },
  'latency-model': { type: 'string' },
  'save-result': { type: 'string' },
  'enable-prefix-caching': { type: 'boolean' },
  'no-enable-prefix-caching': { type: 'boolean' },
} as const;

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options });
  const int = (flag: keyof typeof values, min: number, fallback?: number): Parsed<number | undefined> => {
    const text = values[flag];
    if (typeof text !== 'string') return { ok: true, value: fallback };
    const n = integer(text, min);
    return n === undefined
      ? { ok: false, message: `--${flag} must be an integer >= ${min}, got "${text}"` }
      : { ok: true, value: n };
  };
  const ints: Record<string, number | undefined> = {};
  for (const [flag, min, fallback] of [
    ['replicas', 1, 1],
    ['max-num-seqs', 1],
    ['max-num-batched-tokens', 1],
    ['block-size', 1],
    ['random-input-len', 1, 1024],
    ['random-output-len', 1, 128],
    ['num-prompts', 1, 1000],
    ['max-concurrency', 1],
    ['seed', 0, 0],
  ] as const) {
    const parsed = int(flag, min, fallback);
    if (!parsed.ok) return fail(parsed.message);
    ints[flag] = parsed.value;
  }
  if ((values['dataset-name'] ?? 'random') !== 'random')
    return fail(`--dataset-name: only "random" is simulated so far (got "${values['dataset-name']}")`);
  const fractions: Record<string, number | undefined> = {};
  for (const [flag, low, high] of [
    ['gpu-memory-utilization', 0, 1],
    ['random-range-ratio', 0, 1],
    ['burstiness', 0, Infinity],
  ] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const x = flag === 'burstiness' && text === 'inf' ? Infinity : number(text);
    if (x === undefined || !(x > low || (flag === 'random-range-ratio' && x === 0)) || x > high)
      return fail(
        `--${flag} must be a number in ${flag === 'random-range-ratio' ? '[0, 1)' : `(${low}, ${high === Infinity ? '∞' : high}]`}, got "${text}"`,
      );
    fractions[flag] = x;
  }
  const rateText = values['request-rate'] ?? 'inf';
  const rate = rateText === 'inf' ? Infinity : number(rateText);
  if (rate === undefined || !(rate > 0))
    return fail(`--request-rate must be a positive number or inf, got "${rateText}"`);
  const ramp = rampFrom(values, values['request-rate'] !== undefined, fractions.burstiness ?? 1);
  if (ramp && !ramp.ok) return fail(ramp.message);
  const arrivals: ArrivalProcess =
    ramp?.value ??
    (rate === Infinity ? { kind: 'burst' } : { kind: 'gamma', rate, burstiness: fractions.burstiness ?? 1 });
  const router = values.router ?? 'round-robin';
  if (!isRouterName(router)) return fail(`--router: unknown "${router}" (known: ${Object.keys(ROUTERS).join(', ')})`);
  const latencyModel = values['latency-model'] ?? DEFAULT_LATENCY_MODEL;
  if (!isLatencyModelName(latencyModel))
    return fail(`--latency-model: unknown "${latencyModel}" (known: ${Object.keys(LATENCY_MODELS).join(', ')})`);
  const metricNames = (values['percentile-metrics'] ?? 'ttft,tpot,itl').split(',');
  const unknownMetric = metricNames.find((m) => !(LATENCY_METRICS as readonly string[]).includes(m));
  if (unknownMetric !== undefined)
    return fail(`--percentile-metrics: unknown "${unknownMetric}" (known: ${LATENCY_METRICS.join(', ')})`);
  const percentiles = (values['metric-percentiles'] ?? '99').split(',').map(number);
  if (percentiles.some((p) => p === undefined || p <= 0 || p >= 100))
    return fail(`--metric-percentiles must be numbers in (0, 100), got "${values['metric-percentiles']}"`);
  const slo = values.goodput !== undefined ? parseGoodput(values.goodput) : undefined;
  if (slo && !slo.ok) return fail(slo.message);
  const overrides = {
    ...(ints['max-num-seqs'] !== undefined ? { maxNumSeqs: ints['max-num-seqs'] } : {}),
    ...(ints['max-num-batched-tokens'] !== undefined ? { maxNumBatchedTokens: ints['max-num-batched-tokens'] } : {}),
    ...(ints['block-size'] !== undefined ? { blockSize: ints['block-size'] } : {}),
    ...(fractions['gpu-memory-utilization'] !== undefined
      ? { memoryFraction: fractions['gpu-memory-utilization'] }
      : {}),
  };
  const deployment = await deploymentFrom(values, { engineOverrides: overrides });
  if (!deployment.ok) return fail(deployment.message);
  const pricer = LATENCY_MODELS[latencyModel].create(deployment.value);
  const ratio = fractions['random-range-ratio'] ?? 0;
  const length = (tokens: number) =>
    ratio > 0 ? ({ kind: 'random', tokens, rangeRatio: ratio } as const) : ({ kind: 'fixed', tokens } as const);
  const trace =
    values.trace !== undefined
      ? traceFrom(values, values['num-prompts'] !== undefined ? ints['num-prompts'] : undefined)
      : undefined;
  if (trace && !trace.ok) return fail(trace.message);
  let result: ServingResult;
  try {
    result = simulateServing({
      pricer,
      replicas: ints.replicas!,
      router,
      prefixCaching: values['no-enable-prefix-caching'] !== true,
      requests:
        trace?.value ??
        syntheticRequests(
          new Random(ints.seed!),
          ints['num-prompts']!,
          arrivals,
          length(ints['random-input-len']!),
          length(ints['random-output-len']!),
        ),
      ...(ints['max-concurrency'] !== undefined ? { maxConcurrency: ints['max-concurrency'] } : {}),
      ...(slo ? { slo: slo.value } : {}),
      percentiles: percentiles as number[],
      metrics: metricNames as LatencyMetric[],
    });
  } catch (e) {
    // The deployment does not fit in memory (the plan's message says by how much), or the trace file is unreadable.
    return fail(e instanceof Error ? e.message : String(e));
  }
  if (trace?.value.problem) {
    const p = trace.value.problem;
    return fail(`${values.trace}:${p.line}: ${p.message} (${values['trace-format']} trace)`);
  }
  const saved = {
    ...result,
    request_rate: rateText === 'inf' ? 'inf' : rate,
    burstiness: fractions.burstiness === Infinity ? 'inf' : (fractions.burstiness ?? 1),
    ...(arrivals.kind === 'ramp'
      ? {
          ramp_up_strategy: arrivals.strategy,
          ramp_up_start_rps: arrivals.startRate,
          ramp_up_end_rps: arrivals.endRate,
        }
      : {}),
    num_prompts: ints['num-prompts'],
  };
  if (values['save-result'] !== undefined)
    await writeFile(values['save-result'], `${JSON.stringify(saved, null, 2)}\n`);
  process.stdout.write(
    values.json
      ? `${JSON.stringify(saved, null, 2)}\n`
      : `${formatResult(result, metricNames as LatencyMetric[], percentiles as number[])}\n`,
  );
  return 0;
}

/** vLLM's ramp-up flags: all three or none, and no --request-rate beside them. */
function rampFrom(
  values: Record<string, string | boolean | undefined>,
  rateGiven: boolean,
  burstiness: number,
): Parsed<ArrivalProcess> | undefined {
  const strategy = values['ramp-up-strategy'];
  const start = values['ramp-up-start-rps'];
  const end = values['ramp-up-end-rps'];
  if (strategy === undefined && start === undefined && end === undefined) return undefined;
  if (strategy !== 'linear' && strategy !== 'exponential')
    return { ok: false, message: `--ramp-up-strategy must be linear or exponential, got "${String(strategy)}"` };
  if (rateGiven) return { ok: false, message: '--request-rate cannot be given with --ramp-up-strategy' };
  const rates: number[] = [];
  for (const [flag, text] of [
    ['ramp-up-start-rps', start],
    ['ramp-up-end-rps', end],
  ] as const) {
    const x = typeof text === 'string' ? number(text) : undefined;
    if (x === undefined || !(x > 0))
      return { ok: false, message: `--${flag} must be a positive number, got "${String(text)}"` };
    rates.push(x);
  }
  return { ok: true, value: { kind: 'ramp', strategy, startRate: rates[0]!, endRate: rates[1]!, burstiness } };
}

/** A trace file's requests, read lazily; its flags checked here. */
export function traceFrom(
  values: Record<string, string | boolean | undefined>,
  limit: number | undefined,
): Parsed<TraceRequests> {
  const format = values['trace-format'];
  if (typeof format !== 'string' || !isTraceFormat(format))
    return {
      ok: false,
      message: `--trace-format must be one of ${TRACE_FORMATS.join(', ')} (got ${format === undefined ? 'none' : `"${String(format)}"`})`,
    };
  const window: Record<string, number> = {};
  for (const [flag, key] of [
    ['trace-speedup', 'speedup'],
    ['trace-start', 'start'],
    ['trace-end', 'end'],
  ] as const) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    const x = number(text);
    if (x === undefined || x < 0 || (key === 'speedup' && x === 0))
      return {
        ok: false,
        message: `--${flag} must be a ${key === 'speedup' ? 'positive' : 'non-negative'} number of ${key === 'speedup' ? 'times' : 'seconds'}, got "${text}"`,
      };
    window[key] = x;
  }
  if (!existsSync(String(values.trace))) return { ok: false, message: `--trace: no such file ${String(values.trace)}` };
  return {
    ok: true,
    value: new TraceRequests(fileLines(String(values.trace)), format, {
      ...window,
      ...(limit !== undefined ? { limit } : {}),
    }),
  };
}

const LABELS: Record<LatencyMetric, string> = {
  ttft: 'Time to First Token',
  tpot: 'Time per Output Token (excl. 1st token)',
  itl: 'Inter-token Latency',
  e2el: 'End-to-end Latency',
};

/** Python's `'{:c^50}'.format(s)`, as vLLM prints its section titles. */
function center(text: string, fill: string): string {
  const left = Math.floor((50 - text.length) / 2);
  return `${fill.repeat(Math.max(0, left))}${text}${fill.repeat(Math.max(0, 50 - text.length - left))}`;
}

/** The layout of vLLM's printed summary, so the two read side by side. */
function formatResult(r: ServingResult, metrics: readonly LatencyMetric[], percentiles: readonly number[]): string {
  const row = (label: string, value: number | string) =>
    `${label.padEnd(40)}${typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : value}`;
  const lines = [
    center(' Serving Benchmark Result (simulated) ', '='),
    row('Successful requests:', r.completed),
    row('Benchmark duration (s):', r.duration),
    row('Total input tokens:', r.total_input_tokens!),
    row('Total generated tokens:', r.total_output_tokens!),
    row('Request throughput (req/s):', r.request_throughput!),
    ...(r.request_goodput !== undefined ? [row('Request goodput (req/s):', r.request_goodput)] : []),
    row('Output token throughput (tok/s):', r.output_throughput!),
    row('Total Token throughput (tok/s):', r.total_token_throughput!),
  ];
  for (const m of metrics) {
    lines.push(center(LABELS[m], '-'));
    lines.push(row(`Mean ${m.toUpperCase()} (ms):`, r[`mean_${m}_ms`]!));
    lines.push(row(`Median ${m.toUpperCase()} (ms):`, r[`median_${m}_ms`]!));
    for (const p of percentiles) lines.push(row(`P${p} ${m.toUpperCase()} (ms):`, r[`p${p}_${m}_ms`]!));
  }
  const x = r.lwsim;
  lines.push('='.repeat(50));
  lines.push(
    `lwsim: ${x.iterations} iterations, mean batch ${x.meanBatchTokens.toFixed(0)} tokens, ${x.preemptions} preemptions, ${x.rejected} refused, KV cache ${x.kvCacheTokensPerReplica.toLocaleString('en')} tokens per replica`,
  );
  return lines.join('\n');
}

/** `lwsim bench SUBCOMMAND`. */
export async function benchCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name !== 'serve') return fail(name === undefined ? 'name a subcommand (serve)' : `unknown subcommand "${name}"`);
  return serve(rest);
}
