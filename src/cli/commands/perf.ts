// `lwsim perf`: the performance model from the command line — one iteration's price, a memory plan, the presets.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { GPU_CATALOG, type GpuTypeTable, type ScaleOutNetwork } from '../../../sim/cluster/index.ts';
import { SourceDocument } from '../../../sim/config/source-document.ts';
import {
  ARCHITECTURES,
  CALIBRATION,
  CALIBRATION_REPORT,
  checkDeployment,
  COST_TERMS,
  DEFAULT_LATENCY_MODEL,
  ENGINES,
  isLatencyModelName,
  LATENCY_MODELS,
  parameterCount,
  planMemory,
  type Batch,
  type Deployment,
  type DeploymentRequest,
  type PrefillChunk,
} from '../../../sim/perf/index.ts';
import { formatConfigError } from '../../../sim/config/source-document.ts';
import { readClusterDocument } from '../../config/cluster-document.ts';

const DEPLOYMENT_FLAGS =
  '--model M --gpu G [--tp N] [--pp N] [--dtype bf16|fp16|fp8|fp4] [--kv-dtype D] [--engine vllm|trtllm|sglang] [--cluster FILE]';

export const PERF_USAGE = `lwsim perf step ${DEPLOYMENT_FLAGS} [--prefill T[:CACHED],...] [--decode NxCONTEXT,...] [--latency-model calibrated|roofline] [--json]
       lwsim perf fit ${DEPLOYMENT_FLAGS} [--gpu-memory-utilization F] [--json]
       lwsim perf models [--json]
       lwsim perf gpus [--cluster FILE] [--json]`;

/** A typed failure of one flag: the message names it. */
type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const integer = (text: string, min: number): number | undefined => {
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && /^\d+$/.test(text.trim()) ? n : undefined;
};

/** `512,2048:4096`: chunks of new tokens, each optionally after `:CACHED` tokens already in the cache. */
export function parsePrefill(text: string | undefined): Parsed<PrefillChunk[]> {
  if (text === undefined || text === '') return { ok: true, value: [] };
  const chunks: PrefillChunk[] = [];
  for (const item of text.split(',')) {
    const [t = '', c = '0', extra] = item.split(':');
    const tokens = integer(t, 1);
    const cached = integer(c, 0);
    if (tokens === undefined || cached === undefined || extra !== undefined)
      return { ok: false, message: `--prefill: "${item}" is not TOKENS or TOKENS:CACHED (positive integers)` };
    chunks.push({ tokens, cached });
  }
  return { ok: true, value: chunks };
}

/** `64x1500,300`: N sequences at a context length, or one sequence per bare number. */
export function parseDecode(text: string | undefined): Parsed<number[]> {
  if (text === undefined || text === '') return { ok: true, value: [] };
  const contexts: number[] = [];
  for (const item of text.split(',')) {
    const [a = '', b, extra] = item.split('x');
    const count = b === undefined ? 1 : integer(a, 1);
    const context = integer(b ?? a, 0);
    if (count === undefined || context === undefined || extra !== undefined || count > 1_000_000)
      return { ok: false, message: `--decode: "${item}" is not CONTEXT or COUNTxCONTEXT (integers)` };
    for (let i = 0; i < count; i++) contexts.push(context);
  }
  return { ok: true, value: contexts };
}

export const deploymentOptions = {
  model: { type: 'string' },
  gpu: { type: 'string' },
  tp: { type: 'string' },
  pp: { type: 'string' },
  dtype: { type: 'string' },
  'kv-dtype': { type: 'string' },
  engine: { type: 'string' },
  cluster: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export type DeploymentValues = { [K in keyof typeof deploymentOptions]?: K extends 'json' ? boolean : string };

/** GPU types, and the network and GPUs per node of the first node set with `gpu`, from a cluster file. */
async function clusterFacts(
  file: string,
  gpu: string | undefined,
): Promise<Parsed<{ gpuTypes: GpuTypeTable; network?: ScaleOutNetwork; gpusPerNode?: number }>> {
  const parsed = SourceDocument.parse(file, await readFile(file, 'utf8'));
  if (!parsed.ok) return { ok: false, message: parsed.errors.map(formatConfigError).join('\n') };
  const read = readClusterDocument(parsed.value, parsed.source, []);
  if (!read.ok) return { ok: false, message: read.errors.map(formatConfigError).join('\n') };
  const { spec } = read.document;
  const set = spec.nodePools
    .flatMap((p) => ('nodes' in p ? p.nodes : []))
    .find((s) => s.gpu.model === gpu && s.gpu.count > 0);
  return {
    ok: true,
    value: {
      gpuTypes: spec.gpuTypes,
      ...(set?.network ? { network: set.network } : {}),
      ...(set ? { gpusPerNode: set.gpu.count } : {}),
    },
  };
}

export async function deploymentFrom(
  values: DeploymentValues,
  extra: Partial<DeploymentRequest> = {},
): Promise<Parsed<Deployment>> {
  if (values.model === undefined)
    return { ok: false, message: `--model is required (one of: ${Object.keys(ARCHITECTURES).join(', ')})` };
  if (values.gpu === undefined) return { ok: false, message: '--gpu is required (see `lwsim perf gpus`)' };
  const degrees: Record<string, number> = {};
  for (const flag of ['tp', 'pp'] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const n = integer(text, 1);
    if (n === undefined) return { ok: false, message: `--${flag} must be a positive integer, got "${text}"` };
    degrees[flag] = n;
  }
  const cluster = values.cluster !== undefined ? await clusterFacts(values.cluster, values.gpu) : undefined;
  if (cluster && !cluster.ok) return cluster;
  const checked = checkDeployment({
    model: values.model,
    gpu: values.gpu,
    ...degrees,
    ...(values.dtype !== undefined ? { dtype: values.dtype } : {}),
    ...(values['kv-dtype'] !== undefined ? { kvDtype: values['kv-dtype'] } : {}),
    ...(values.engine !== undefined ? { engine: values.engine } : {}),
    ...(cluster?.value ?? {}),
    ...extra,
  });
  if (!checked.ok) return { ok: false, message: `--${flagOf(checked.field)}: ${checked.message}` };
  return { ok: true, value: checked.deployment };
}

const flagOf = (field: string): string =>
  ({
    kvDtype: 'kv-dtype',
    memoryFraction: 'gpu-memory-utilization',
    maxNumSeqs: 'max-num-seqs',
    maxNumBatchedTokens: 'max-num-batched-tokens',
    blockSize: 'block-size',
    gpusPerNode: 'cluster',
    network: 'cluster',
  })[field] ?? field;

const ms = (seconds: number): string => `${(seconds * 1000).toFixed(3)} ms`;
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const n = (x: number): string => x.toLocaleString('en');

function describe(d: Deployment): string {
  return `${d.model.displayName} ${d.weights.toUpperCase()} (KV ${d.kv.toUpperCase()}) on ${d.tp * d.pp} × ${d.gpu.id} (TP ${d.tp} × PP ${d.pp}), ${d.engine.displayName}`;
}

function fail(message: string): number {
  process.stderr.write(`lwsim perf: ${message}\nusage: ${PERF_USAGE}\n`);
  return 2;
}

async function step(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...deploymentOptions,
      prefill: { type: 'string' },
      decode: { type: 'string' },
      'latency-model': { type: 'string' },
    },
  });
  const modelName = values['latency-model'] ?? DEFAULT_LATENCY_MODEL;
  if (!isLatencyModelName(modelName))
    return fail(`--latency-model: unknown "${modelName}" (known: ${Object.keys(LATENCY_MODELS).join(', ')})`);
  const prefill = parsePrefill(values.prefill);
  if (!prefill.ok) return fail(prefill.message);
  const decode = parseDecode(values.decode);
  if (!decode.ok) return fail(decode.message);
  if (prefill.value.length === 0 && decode.value.length === 0) return fail('give a batch: --prefill and/or --decode');
  const deployment = await deploymentFrom(values);
  if (!deployment.ok) return fail(deployment.message);
  const batch: Batch = { prefill: prefill.value, decode: decode.value };
  const price = LATENCY_MODELS[modelName].create(deployment.value).price(batch);
  const tokens = prefill.value.reduce((s, c) => s + c.tokens, 0) + decode.value.length;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ deployment: summary(deployment.value), latencyModel: modelName, batch: { ...batch, tokens }, ...price }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [
    describe(deployment.value),
    `${modelName} latency model; batch of ${prefill.value.length} prefill chunk(s) and ${decode.value.length} decode(s): ${n(tokens)} tokens`,
    `iteration ${ms(price.seconds)}${deployment.value.pp > 1 ? `, slowest stage ${ms(price.stageSeconds)}` : ''}`,
  ];
  for (const term of COST_TERMS) {
    const share = price.seconds > 0 ? (100 * price.terms[term]) / price.seconds : 0;
    lines.push(`  ${term.padEnd(10)} ${ms(price.terms[term]).padStart(13)}  ${share.toFixed(1).padStart(5)}%`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function summary(d: Deployment) {
  return { model: d.model.id, gpu: d.gpu.id, tp: d.tp, pp: d.pp, dtype: d.weights, kvDtype: d.kv, engine: d.engine };
}

async function fit(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...deploymentOptions, 'gpu-memory-utilization': { type: 'string' } },
  });
  const utilisation = values['gpu-memory-utilization'];
  const fraction = utilisation === undefined ? undefined : Number(utilisation);
  if (fraction !== undefined && !Number.isFinite(fraction))
    return fail(`--gpu-memory-utilization must be a number in (0, 1], got "${utilisation}"`);
  const deployment = await deploymentFrom(
    values,
    fraction !== undefined ? { engineOverrides: { memoryFraction: fraction } } : {},
  );
  if (!deployment.ok) return fail(deployment.message);
  const d = deployment.value;
  const plan = planMemory(d);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ deployment: summary(d), ...plan }, null, 2)}\n`);
    return plan.ok ? 0 : 1;
  }
  const lines = [
    describe(d),
    `  weights per GPU      ${gib(plan.weightBytes)}`,
    `  activations (peak)   ${gib(plan.activationBytes)}  (${n(d.engine.maxNumBatchedTokens)} batched tokens)`,
    `  runtime              ${gib(plan.runtimeBytes)}  (CUDA context, NCCL, graphs: an estimate)`,
    `  device / usable      ${gib(plan.deviceBytes)} / ${gib(plan.usableBytes)}  (${d.engine.memoryRule === 'total' ? 'fraction of all memory' : 'all memory; the cache takes a fraction of what is free'}: ${d.engine.memoryFraction})`,
    `  KV cache per token   ${n(plan.kvBytesPerToken)} bytes per GPU`,
    plan.ok
      ? `  KV cache             ${n(plan.kvCacheTokens)} tokens (${n(plan.kvCacheTokens / d.engine.blockSize)} blocks of ${d.engine.blockSize})`
      : `does not fit: ${plan.message}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return plan.ok ? 0 : 1;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '))
    .join('\n');
}

async function models(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean' } } });
  const presets = Object.values(ARCHITECTURES).map((a) => ({ ...a, parameters: parameterCount(a) }));
  const latency = Object.entries(LATENCY_MODELS).map(([name, m]) => ({ name, description: m.description }));
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ models: presets, engines: ENGINES, latencyModels: latency, calibration: CALIBRATION_REPORT }, null, 2)}\n`,
    );
    return 0;
  }
  const rows = [
    ['model', 'params', 'layers', 'hidden', 'heads/kv', 'ffn', 'vocab', 'experts', 'source'],
    ...presets.map((a) => [
      a.id,
      `${(a.parameters / 1e9).toFixed(2)}B`,
      String(a.layers),
      String(a.hidden),
      `${a.heads}/${a.kvHeads}`,
      String(a.ffn),
      String(a.vocab),
      a.experts > 1 ? `${a.activeExperts} of ${a.experts}` : '—',
      a.source,
    ]),
  ];
  const engines = Object.values(ENGINES).map((e) => `  ${e.name.padEnd(7)} ${e.source}`);
  const latencyLines = latency.map((m) => `  ${m.name.padEnd(11)} ${m.description}`);
  process.stdout.write(
    `${table(rows)}\n\nengines:\n${engines.join('\n')}\n\nlatency models:\n${latencyLines.join('\n')}\n`,
  );
  return 0;
}

async function gpus(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { json: { type: 'boolean' }, cluster: { type: 'string' } },
  });
  let types: GpuTypeTable = GPU_CATALOG;
  if (values.cluster !== undefined) {
    const facts = await clusterFacts(values.cluster, undefined);
    if (!facts.ok) return fail(facts.message);
    types = facts.value.gpuTypes;
  }
  const listed = Object.values(types).filter((g) => g.id !== 'cpu');
  const fitted = (id: string): string => (CALIBRATION.devices[id] ? 'own' : 'borrowed');
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        listed.map((g) => ({ ...g, calibration: fitted(g.id) })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const figure = (x: number | null): string => (x === null ? '—' : String(x));
  const rows = [
    ['gpu', 'GiB', 'bf16 TF', 'fp8 TF', 'fp4 TF', 'HBM TB/s', 'link GB/s', 'fit', 'source'],
    ...listed.map((g) => [
      g.id,
      String(g.memoryGiB),
      figure(g.bf16Tflops),
      figure(g.fp8Tflops),
      figure(g.fp4Tflops),
      figure(g.memoryBandwidthTBs),
      g.nvlinkGBs !== null ? `${g.nvlinkGBs} NVLink` : (g.interconnect ?? '—'),
      fitted(g.id),
      g.source,
    ]),
  ];
  process.stdout.write(`${table(rows)}\n`);
  return 0;
}

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = { step, fit, models, gpus };

/** `lwsim perf SUBCOMMAND`: exit 0; 1 when `fit` finds it does not fit; 2 for bad flags. */
export async function perfCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const sub = name !== undefined && Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (sub === undefined) return fail(name === undefined ? 'name a subcommand' : `unknown subcommand "${name}"`);
  return sub(rest);
}
