// `lwsim capacity`: the cheapest deployment that serves a traffic within its SLOs, by simulation (sim/capacity).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  creationBody,
  DEFAULT_MAX_GPUS,
  rateShard,
  type CapacityQuestion,
  type Rated,
  type Rejected,
  DEFAULT_PRICES_PER_GPU_HOUR,
  PRICE_SOURCE,
  parseSloBound,
  searchCapacity,
  type CapacityAnswer,
  type SloBound,
} from '../../../sim/capacity/index.ts';
import { isCatalogGpuName } from '../../../sim/cluster/index.ts';
import { stableUuid } from '../../../sim/config/stable-uuid.ts';
import { Random } from '../../../sim/engine/index.ts';
import { ARCHITECTURES, isArchitectureId, isEngineName } from '../../../sim/perf/index.ts';
import {
  isRouterName,
  ROUTERS,
  syntheticRequests,
  type RequestSpec,
  type RouterName,
} from '../../../sim/serving/index.ts';
import { capacityPool } from '../../capacity/pool.ts';
import { traceFrom, trafficFlags } from './bench.ts';
import { integer } from './perf.ts';

export const CAPACITY_USAGE = `lwsim capacity --model M [--dtype D] (--trace FILE --trace-format azure|mooncake|burstgpt [--trace-speedup X --trace-start S --trace-end S]
         | --request-rate R --random-input-len N --random-output-len N [--burstiness B] [--num-prompts N] [--seed N])
         --slo 'ttft:p90<=2000ms' [--slo 'tpot:p99<=200ms' ...] [--goodput F]
         [--gpus H100-SXM-80GB,H200-SXM-141GB] [--price GPU=USD ...] [--max-gpus N]
         [--tp 1,2,4,8] [--pp 1,2] [--engine vllm,...] [--max-num-seqs 64,128,256] [--router least-outstanding,...]
         [--threads N] [--shard I/N --out DIR] [--name N --project-id ID --cluster-id UUID] [--json]`;

const MERGE_USAGE = 'lwsim capacity merge DIR <the flags the shards ran with>';

function fail(message: string): number {
  process.stderr.write(`lwsim capacity: ${message}\nusage: ${CAPACITY_USAGE}\n       ${MERGE_USAGE}\n`);
  return 2;
}

const options = {
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
  router: { type: 'string' },
  threads: { type: 'string' },
  shard: { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  'project-id': { type: 'string' },
  'cluster-id': { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** `1,2,4` as positive integers. */
function integers(flag: string, text: string | undefined, fallback: number[]): Parsed<number[]> {
  if (text === undefined) return { ok: true, value: fallback };
  const values = text.split(',').map((t) => integer(t, 1));
  return values.some((v) => v === undefined)
    ? { ok: false, message: `--${flag} must be positive integers separated by commas, got "${text}"` }
    : { ok: true, value: values as number[] };
}

export async function capacityCommand(args: string[]): Promise<number> {
  const mergeDir = args[0] === 'merge' ? args[1] : undefined;
  if (args[0] === 'merge' && (mergeDir === undefined || mergeDir.startsWith('--')))
    return fail("merge needs the directory the shards wrote: lwsim capacity merge DIR <the shards' flags>");
  const { values } = parseArgs({ args: mergeDir !== undefined ? args.slice(2) : args, strict: true, options });
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, process.env.JOB_COMPLETION_INDEX);
  if (shard && !shard.ok) return fail(shard.message);
  if (shard && values.out === undefined) return fail('--shard needs --out DIR (where the shard writes its part)');
  if (values.model === undefined) return fail('--model is required');
  const slo: SloBound[] = [];
  for (const text of values.slo ?? []) {
    const parsed = parseSloBound(text);
    if (!parsed.ok) return fail(`--slo: ${parsed.message}`);
    slo.push(parsed.value);
  }
  if (slo.length === 0) return fail("--slo is required (e.g. --slo 'ttft:p90<=2000ms')");
  const goodput = values.goodput === undefined ? undefined : Number(values.goodput);
  if (goodput !== undefined && !(goodput > 0 && goodput <= 1))
    return fail(`--goodput must be a fraction in (0, 1], got "${values.goodput}"`);
  const prices: Record<string, number> = { ...DEFAULT_PRICES_PER_GPU_HOUR };
  for (const item of values.price ?? []) {
    const [gpu = '', usd = ''] = item.split('=');
    if (!isCatalogGpuName(gpu) || !(Number(usd) > 0))
      return fail(`--price: "${item}" is not GPU=USD with a known GPU and a positive price`);
    prices[gpu] = Number(usd);
  }
  const gpus = (values.gpus ?? 'A100-SXM-80GB,H100-SXM-80GB,H200-SXM-141GB').split(',');
  for (const gpu of gpus) {
    if (!isCatalogGpuName(gpu)) return fail(`--gpus: unknown GPU "${gpu}"`);
    if (prices[gpu] === undefined) return fail(`--gpus: no default price for ${gpu}; give one with --price ${gpu}=USD`);
  }
  const lists: Record<string, number[]> = {};
  for (const [flag, fallback] of [
    ['tp', [1, 2, 4, 8]],
    ['pp', [1]],
    ['max-num-seqs', []],
  ] as const) {
    const parsed = integers(flag, values[flag], [...fallback]);
    if (!parsed.ok) return fail(parsed.message);
    lists[flag] = parsed.value;
  }
  const engines = (values.engine ?? 'vllm').split(',');
  const badEngine = engines.find((e) => !isEngineName(e));
  if (badEngine !== undefined) return fail(`--engine: unknown "${badEngine}"`);
  const routers = (values.router ?? 'least-outstanding').split(',');
  const badRouter = routers.find((r) => !isRouterName(r));
  if (badRouter !== undefined)
    return fail(`--router: unknown "${badRouter}" (known: ${Object.keys(ROUTERS).join(', ')})`);
  const maxGpus = values['max-gpus'] === undefined ? undefined : integer(values['max-gpus'], 1);
  if (values['max-gpus'] !== undefined && maxGpus === undefined)
    return fail(`--max-gpus must be a positive integer, got "${values['max-gpus']}"`);
  const threads = values.threads === undefined ? availableParallelism() : integer(values.threads, 1);
  if (threads === undefined) return fail(`--threads must be a positive integer, got "${values.threads}"`);
  if (values.name !== undefined && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.name))
    return fail(`--name must be a DNS-1123 label (a Run:ai workload name), got "${values.name}"`);
  if (
    values['cluster-id'] !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values['cluster-id'])
  )
    return fail(`--cluster-id must be a UUID, got "${values['cluster-id']}"`);
  const requests = trafficOf(values);
  if (!requests.ok) return fail(requests.message);
  // One thread needs no pool; more give the same answer sooner.
  const pool = threads > 1 ? capacityPool(threads) : undefined;
  const question: CapacityQuestion = {
    model: values.model,
    ...(values.dtype !== undefined ? { dtype: values.dtype } : {}),
    requests: requests.value,
    slo,
    ...(goodput !== undefined ? { goodput } : {}),
    gpus: gpus.map((gpu) => ({ gpu, pricePerHour: prices[gpu]! })),
    tp: lists.tp!,
    pp: lists.pp!,
    engines,
    ...(lists['max-num-seqs']!.length > 0 ? { maxNumSeqs: lists['max-num-seqs']! } : {}),
    routers: routers as RouterName[],
    ...(maxGpus !== undefined ? { maxGpus } : {}),
  };
  const fingerprint = stableUuid(JSON.stringify(question));
  if (shard) {
    const { index, count } = shard.value;
    const part = await rateShard(question, index, count, pool).finally(() => pool?.close());
    const file = join(values.out!, `shard-${index}-of-${count}.json`);
    await mkdir(values.out!, { recursive: true });
    await writeFile(file, `${JSON.stringify({ fingerprint, index, count, ...part })}\n`);
    process.stdout.write(`${file}: ${part.rated.length} of ${part.shapes} shapes rated\n`);
    return 0;
  }
  let rated: (Rated | Rejected)[] | undefined;
  if (mergeDir !== undefined) {
    const merged = await readShards(mergeDir, fingerprint);
    if (!merged.ok) {
      await pool?.close();
      return fail(merged.message);
    }
    rated = merged.value;
  }
  const answer = await searchCapacity(question, {
    ...(pool ? { runner: pool } : {}),
    ...(rated ? { rated } : {}),
    onProgress: (done, total) => void (process.stderr.isTTY && process.stderr.write(`\r${done}/${total} steps`)),
  }).finally(() => pool?.close());
  if (process.stderr.isTTY) process.stderr.write('\n');
  const creation =
    answer.best &&
    creationBody(answer.best.shape, answer.best.replicas, {
      name: values.name ?? `${values.model.replace(/\./g, '-')}-serving`,
      projectId: values['project-id'] ?? '101',
      clusterId: values['cluster-id'] ?? DEFAULT_CLUSTER_ID,
      modelId: huggingFaceRepo(values.model),
    });
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ prices: PRICE_SOURCE, ...answer, ...(creation ? { creation } : {}) }, null, 2)}\n`
      : summary(answer),
  );
  return 0;
}

/** `I/N`, or `/N` with the index from an Indexed Job's JOB_COMPLETION_INDEX. */
function parseShard(text: string, jobIndex: string | undefined): Parsed<{ index: number; count: number }> {
  const m = /^(\d*)\/(\d+)$/.exec(text);
  const index =
    m && (m[1] !== '' ? Number(m[1]) : jobIndex !== undefined && /^\d+$/.test(jobIndex) ? Number(jobIndex) : NaN);
  const count = m ? Number(m[2]) : NaN;
  if (m === null || !(count >= 1) || !(index! >= 0 && index! < count))
    return {
      ok: false,
      message: `--shard must be I/N with 0 <= I < N (or /N with JOB_COMPLETION_INDEX set), got "${text}"${jobIndex !== undefined ? ` (JOB_COMPLETION_INDEX=${jobIndex})` : ''}`,
    };
  return { ok: true, value: { index: index!, count } };
}

/** The shards' ratings in shape order, when every shard of one question wrote its part. */
async function readShards(dir: string, fingerprint: string): Promise<Parsed<(Rated | Rejected)[]>> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /^shard-\d+-of-\d+\.json$/.test(f)).sort();
  } catch (e) {
    return { ok: false, message: `merge: cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  type Part = {
    fingerprint: string;
    index: number;
    count: number;
    shapes: number;
    rated: { shape: number; rating: Rated | Rejected }[];
  };
  const parts: Part[] = [];
  for (const f of files) {
    try {
      parts.push(JSON.parse(await readFile(join(dir, f), 'utf8')) as Part);
    } catch {
      return { ok: false, message: `merge: ${join(dir, f)} is not a shard's JSON` };
    }
  }
  if (parts.length === 0) return { ok: false, message: `merge: no shard-I-of-N.json files in ${dir}` };
  const other = parts.find((p) => p.fingerprint !== fingerprint);
  if (other)
    return { ok: false, message: `merge: shard ${other.index} answered another question (different flags or traffic)` };
  const count = parts[0]!.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter(
    (i) => !parts.some((p) => p.index === i && p.count === count),
  );
  if (missing.length > 0)
    return { ok: false, message: `merge: shards ${missing.join(', ')} of ${count} are missing in ${dir}` };
  const rated = new Array<Rated | Rejected>(parts[0]!.shapes);
  for (const p of parts) for (const r of p.rated) rated[r.shape] = r.rating;
  return { ok: true, value: rated };
}

/** Placeholder ids for the creation body when none are given: lwsim's default cluster, its first project. */
const DEFAULT_CLUSTER_ID = '00000000-0000-4000-8000-000000000000';

/** The Hugging Face repository an architecture preset was read from (what vLLM loads). */
function huggingFaceRepo(model: string): string {
  const source = isArchitectureId(model) ? ARCHITECTURES[model].source : '';
  return /huggingface\.co\/([^/]+\/[^/]+)\//.exec(source)?.[1] ?? model;
}

function trafficOf(values: Record<string, string | boolean | string[] | undefined>): Parsed<RequestSpec[]> {
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
    value: [
      ...syntheticRequests(
        new Random(seed),
        Math.floor(count),
        { kind: 'gamma', rate, burstiness },
        { kind: 'fixed', tokens: Math.floor(input) },
        { kind: 'fixed', tokens: Math.floor(output) },
      ),
    ],
  };
}

function summary(a: CapacityAnswer): string {
  const lines = [
    `${a.requests} requests at ${a.rate.toFixed(2)} req/s; ${a.candidates.length} candidates, ${a.simulations} simulations`,
  ];
  if (a.best === null) lines.push('no candidate meets the SLO; --json lists why each was rejected');
  else {
    const b = a.best;
    lines.push(
      `best: ${b.replicas} × ${b.shape.gpu} TP ${b.shape.tp}${b.shape.pp > 1 ? ` PP ${b.shape.pp}` : ''} (${b.shape.engine}${b.shape.maxNumSeqs ? `, max_num_seqs ${b.shape.maxNumSeqs}` : ''}, ${b.shape.router}) = ${b.gpus} GPUs, $${b.costPerHour.toFixed(2)}/h`,
      ...b.check.bounds.map((c) => `  ${c.bound}: ${c.valueMs.toFixed(1)} ms (margin ${c.marginMs.toFixed(1)} ms)`),
      `  binds: ${b.check.binding}`,
    );
    if (a.oneMoreReplica)
      lines.push(
        `  one more replica: ${a.oneMoreReplica.bounds.map((c) => `${c.bound.split(':')[0]} ${c.valueMs.toFixed(1)} ms`).join(', ')}`,
      );
  }
  lines.push(
    `pareto (cost vs p90 TTFT): ${a.pareto.map((c) => `$${c.costPerHour}/h ${c.figures.p90TtftMs.toFixed(0)} ms`).join('; ')}`,
  );
  if (a.best) lines.push('the Run:ai creation body of the best: --json, under creation');
  lines.push(`prices: ${PRICE_SOURCE}; max GPUs by default ${DEFAULT_MAX_GPUS}`);
  return `${lines.join('\n')}\n`;
}
