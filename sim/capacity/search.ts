// Capacity search: the cheapest deployment that serves a traffic within its SLOs, found by simulation. For each
// replica shape (GPU × TP × PP × engine knobs × router) that fits in memory: the fastest rate one replica sustains
// within the SLO (a monotone search in virtual time: bracket by doubling, then bisect), then the replica count for
// the target traffic from simulated attainment with that many replicas and the router.
import type { GpuTypeTable } from '../cluster/gpu-catalog.ts';
import { checkDeployment, DEFAULT_LATENCY_MODEL, LATENCY_MODELS, planMemory, type Deployment } from '../perf/index.ts';
import type { RequestSpec } from '../serving/request.ts';
import type { RouterName } from '../serving/routers.ts';
import { simulateServing, type ServingResult } from '../serving/simulate.ts';
import { checkSlo, failFastOf, percentilesOf, type SloBound, type SloCheck } from './slo.ts';

export interface GpuOffer {
  readonly gpu: string;
  readonly pricePerHour: number;
}

export interface CapacityQuestion {
  readonly model: string;
  readonly dtype?: string;
  /** The target traffic, in arrival order (re-read for every simulation). */
  readonly requests: readonly RequestSpec[];
  readonly slo: readonly SloBound[];
  /** A fraction of requests that must meet every bound's threshold (vLLM's goodput). */
  readonly goodput?: number;
  readonly gpus: readonly GpuOffer[];
  readonly tp: readonly number[];
  readonly pp: readonly number[];
  readonly engines: readonly string[];
  /** Engine defaults when absent. */
  readonly maxNumSeqs?: readonly number[];
  readonly maxNumBatchedTokens?: readonly number[];
  readonly routers: readonly RouterName[];
  readonly maxGpus?: number;
  /** GPUs per node: TP stays inside one (default 8). */
  readonly gpusPerNode?: number;
  readonly gpuTypes?: GpuTypeTable;
}

export interface ReplicaShape {
  readonly gpu: string;
  readonly tp: number;
  readonly pp: number;
  readonly engine: string;
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
  readonly router: RouterName;
}

export type CandidateResult =
  | {
      readonly shape: ReplicaShape;
      readonly status: 'met';
      readonly replicas: number;
      readonly gpus: number;
      readonly costPerHour: number;
      /** The fastest rate one replica sustains within the SLO, requests/s. */
      readonly replicaRate: number;
      readonly check: SloCheck;
      readonly figures: Figures;
      readonly simulations: number;
    }
  | {
      readonly shape: ReplicaShape;
      readonly status: 'rejected';
      readonly reason: string;
      readonly simulations: number;
    };

export type MetCandidate = Extract<CandidateResult, { status: 'met' }>;

/** The headline figures of a run, ms and tokens/s. */
export interface Figures {
  readonly p90TtftMs: number;
  readonly p99TpotMs: number;
  readonly outputTokensPerSecond: number;
  readonly outputTokensPerSecondPerGpu: number;
  /** Output tokens per second each request sees while decoding: 1000 / mean TPOT. */
  readonly tokensPerSecondPerUser: number;
}

export interface CapacityAnswer {
  readonly requests: number;
  /** The traffic's mean rate, requests/s. */
  readonly rate: number;
  readonly best: MetCandidate | null;
  /** For the winner: what one more replica would buy (its SLO check). */
  readonly oneMoreReplica?: SloCheck;
  /** Met candidates no other beats on both cost and p90 TTFT, cheapest first. */
  readonly pareto: readonly MetCandidate[];
  /**
   * Met candidates no other beats on both output tokens/s per GPU and tokens/s per user (the serving trade-off:
   * batching more raises the first and lowers the second), most per GPU first.
   */
  readonly throughputPareto: readonly MetCandidate[];
  /** What the other GPU types would cost: the cheapest met candidate of each, cheapest first. */
  readonly otherGpus: readonly MetCandidate[];
  readonly candidates: readonly CandidateResult[];
  readonly simulations: number;
}

/** Speed-ups tried when bracketing one replica's rate: from 1/1024 to 64 times the traffic. */
const SLOWEST = 1 / 1024;
const FASTEST = 64;
/** How far pooling under a router is assumed to lower the replicas the single-replica rate implies, at most. */
const POOLING = 4;
/** Bisection steps in log space after the bracket: the rate is known within 2^(1/32) ≈ 2%. */
const BISECTIONS = 5;

export type Progress = (done: number, total: number) => void;

/** Without --max-gpus: no answer above this many GPUs (a search space must end somewhere). */
export const DEFAULT_MAX_GPUS = 512;

/**
 * Runs the search's steps over many inputs, answering in input order: in this thread, or on a pool of worker threads
 * (src/capacity). Each step is a pure function of its inputs, so every runner gives the same answer.
 */
export interface StepRunner {
  rate(q: CapacityQuestion, shapes: readonly ReplicaShape[]): Promise<(Rated | Rejected)[]>;
  count(q: CapacityQuestion, rated: readonly Rated[], bestCost: number): Promise<CandidateResult[]>;
  /** The SLO check of `replicas` replicas of `shape` (what one more replica of the winner would buy). */
  check(q: CapacityQuestion, shape: ReplicaShape, replicas: number): Promise<SloCheck | undefined>;
}

export const IN_THREAD: StepRunner = {
  rate: async (q, shapes) => shapes.map((shape) => rateOneReplica(q, shape)),
  count: async (q, rated, bestCost) => rated.map((r) => replicaCount(q, r, bestCost)),
  check: async (q, shape, replicas) => checkReplicas(q, shape, replicas),
};

/** `replicas` replicas of `shape` against the SLO; undefined when the shape does not deploy. */
export function checkReplicas(q: CapacityQuestion, shape: ReplicaShape, replicas: number): SloCheck | undefined {
  const d = deployment(q, shape);
  return typeof d === 'string' ? undefined : check(q, d, shape, replicas).check;
}

/**
 * Replica counts are found this many shapes at a time, each batch pruned against the best found before it: a fixed
 * number, not the thread count, so the answer does not depend on how many threads ran it.
 */
export const COUNT_BATCH = 4;

export interface SearchOptions {
  readonly runner?: StepRunner;
  readonly onProgress?: Progress;
  /** Phase 1 already done (merged from shards): one rating per shape, in `replicaShapes` order. */
  readonly rated?: readonly (Rated | Rejected)[];
}

export async function searchCapacity(
  q: CapacityQuestion,
  { runner = IN_THREAD, onProgress, rated: given }: SearchOptions = {},
): Promise<CapacityAnswer> {
  const shapes = [...replicaShapes(q)];
  if (given !== undefined && given.length !== shapes.length)
    throw new RangeError(`${given.length} ratings given for ${shapes.length} shapes`);
  // Phase 1: what one replica of each shape sustains (cheap: one replica, the traffic slowed or sped up).
  const rated = given ?? (await runner.rate(q, shapes));
  onProgress?.(shapes.length, shapes.length * 2);
  // Phase 2: replica counts, the cheapest estimates first; a shape whose quarter-estimate already costs more than
  // the best found is not simulated further. A heuristic bound: pooling replicas under a router lowers what they
  // need (on the Azure code hour, 11 replicas of Llama-3.1-70B TP 2 served what one replica's rate put at 25), but
  // by a factor of ~2, not 4.
  const order = rated
    .map((r, i) => ({ r, i }))
    .sort((a, b) => estimatedCost(q, a.r) - estimatedCost(q, b.r) || a.i - b.i);
  const candidates: CandidateResult[] = new Array(shapes.length);
  let bestCost = Infinity;
  let done = shapes.length;
  for (const { r, i } of order) if ('reason' in r) candidates[i] = r;
  const toCount = order.filter((o): o is { r: Rated; i: number } => !('reason' in o.r));
  done += shapes.length - toCount.length;
  for (let start = 0; start < toCount.length; start += COUNT_BATCH) {
    const batch = toCount.slice(start, start + COUNT_BATCH);
    const counted = await runner.count(
      q,
      batch.map((b) => b.r),
      bestCost,
    );
    counted.forEach((c, k) => {
      candidates[batch[k]!.i] = c;
      if (c.status === 'met') bestCost = Math.min(bestCost, c.costPerHour);
    });
    done += batch.length;
    onProgress?.(done, shapes.length * 2);
  }
  const met = candidates.filter((c): c is MetCandidate => c.status === 'met');
  const best = [...met].sort(cheapestFirst)[0] ?? null;
  const oneMore =
    best && best.gpus + best.shape.tp * best.shape.pp <= maxGpus(q)
      ? await runner.check(q, best.shape, best.replicas + 1)
      : undefined;
  return {
    requests: q.requests.length,
    rate: rateOf(q.requests),
    best,
    ...(oneMore ? { oneMoreReplica: oneMore } : {}),
    pareto: pareto(met),
    throughputPareto: throughputPareto(met),
    otherGpus: q.gpus
      .filter((g) => g.gpu !== best?.shape.gpu)
      .flatMap((g) => [...met].sort(cheapestFirst).find((c) => c.shape.gpu === g.gpu) ?? [])
      .sort(cheapestFirst),
    candidates,
    simulations: candidates.reduce((s, c) => s + c.simulations, 0) + (oneMore ? 1 : 0),
  };
}

const maxGpus = (q: CapacityQuestion): number => q.maxGpus ?? DEFAULT_MAX_GPUS;

/** A shard's part of phase 1: the ratings of shapes `index`, `index + count`, … (an Indexed Job's completion). */
export async function rateShard(
  q: CapacityQuestion,
  index: number,
  count: number,
  runner: StepRunner = IN_THREAD,
): Promise<{
  readonly shapes: number;
  readonly rated: readonly { readonly shape: number; readonly rating: Rated | Rejected }[];
}> {
  const all = [...replicaShapes(q)];
  const mine = all.map((shape, i) => ({ shape, i })).filter(({ i }) => i % count === index);
  const ratings = await runner.rate(
    q,
    mine.map((m) => m.shape),
  );
  return { shapes: all.length, rated: mine.map((m, k) => ({ shape: m.i, rating: ratings[k]! })) };
}

/**
 * Every shape of the search space, in a fixed order (GPU, TP, PP, engine, max_num_seqs, max_num_batched_tokens,
 * router).
 */
export function* replicaShapes(q: CapacityQuestion): Generator<ReplicaShape> {
  for (const { gpu } of q.gpus)
    for (const tp of q.tp)
      for (const pp of q.pp)
        for (const engine of q.engines)
          for (const maxNumSeqs of q.maxNumSeqs ?? [undefined])
            for (const maxNumBatchedTokens of q.maxNumBatchedTokens ?? [undefined])
              for (const router of q.routers)
                yield {
                  gpu,
                  tp,
                  pp,
                  engine,
                  ...(maxNumSeqs !== undefined ? { maxNumSeqs } : {}),
                  ...(maxNumBatchedTokens !== undefined ? { maxNumBatchedTokens } : {}),
                  router,
                };
}

function deployment(q: CapacityQuestion, shape: ReplicaShape): Deployment | string {
  const checked = checkDeployment({
    model: q.model,
    gpu: shape.gpu,
    tp: shape.tp,
    pp: shape.pp,
    engine: shape.engine,
    ...(q.dtype !== undefined ? { dtype: q.dtype } : {}),
    ...(q.gpuTypes ? { gpuTypes: q.gpuTypes } : {}),
    gpusPerNode: q.gpusPerNode ?? 8,
    stagesAcrossNodes: shape.pp > 1,
    engineOverrides: {
      ...(shape.maxNumSeqs !== undefined ? { maxNumSeqs: shape.maxNumSeqs } : {}),
      ...(shape.maxNumBatchedTokens !== undefined ? { maxNumBatchedTokens: shape.maxNumBatchedTokens } : {}),
    },
  });
  if (!checked.ok) return `${checked.field}: ${checked.message}`;
  const memory = planMemory(checked.deployment);
  return memory.ok ? checked.deployment : `does not fit: ${memory.message}`;
}

/** A shape whose single replica met the SLO at `speedup` times the traffic (its fastest, within 2%). */
export interface Rated {
  readonly shape: ReplicaShape;
  readonly deployment: Deployment;
  readonly speedup: number;
  readonly simulations: number;
}

export type Rejected = Extract<CandidateResult, { status: 'rejected' }>;

export function rateOneReplica(q: CapacityQuestion, shape: ReplicaShape): Rated | Rejected {
  const replicaGpus = shape.tp * shape.pp;
  if (replicaGpus > maxGpus(q))
    return {
      shape,
      status: 'rejected',
      reason: `one replica takes ${replicaGpus} GPUs > max ${maxGpus(q)}`,
      simulations: 0,
    };
  const d = deployment(q, shape);
  if (typeof d === 'string') return { shape, status: 'rejected', reason: d, simulations: 0 };
  let simulations = 0;
  const meets = (speedup: number): Check => {
    simulations++;
    return check(q, d, shape, 1, speedup);
  };
  let low = 0;
  let high = Infinity;
  let lastMiss: Check | undefined;
  for (let s = 1; s >= SLOWEST && s <= FASTEST;) {
    const c = meets(s);
    if (c.check.met) {
      low = s;
      if (high !== Infinity) break;
      s *= 2;
    } else {
      lastMiss = c;
      high = s;
      if (low > 0) break;
      s /= 2;
    }
  }
  if (low === 0)
    return {
      shape,
      status: 'rejected',
      reason: `even at 1/${1 / SLOWEST} of the traffic one replica misses the SLO (${lastMiss?.check.reason})`,
      simulations,
    };
  if (high !== Infinity)
    for (let i = 0; i < BISECTIONS; i++) {
      const mid = Math.sqrt(low * high);
      if (meets(mid).check.met) low = mid;
      else high = mid;
    }
  return { shape, deployment: d, speedup: low, simulations };
}

function estimatedCost(q: CapacityQuestion, r: Rated | Rejected): number {
  if ('reason' in r) return Infinity;
  return Math.ceil(1 / r.speedup) * r.shape.tp * r.shape.pp * price(q, r.shape);
}

const price = (q: CapacityQuestion, shape: ReplicaShape): number =>
  q.gpus.find((g) => g.gpu === shape.gpu)!.pricePerHour;

/** The whole traffic: from the estimate up until it is met, then down while it still is. */
export function replicaCount(q: CapacityQuestion, rated: Rated, bestCost: number): CandidateResult {
  const { shape, deployment: d } = rated;
  const replicaGpus = shape.tp * shape.pp;
  let simulations = rated.simulations;
  const estimate = Math.max(1, Math.ceil(1 / rated.speedup));
  const reject = (reason: string): Rejected => ({ shape, status: 'rejected', reason, simulations });
  const limit = Math.floor(maxGpus(q) / replicaGpus);
  const floor = Math.ceil(estimate / POOLING);
  if (floor > limit)
    return reject(`needs about ${estimate} replicas (${estimate * replicaGpus} GPUs) > max ${maxGpus(q)} GPUs`);
  const least = floor * replicaGpus * price(q, shape);
  if (least > bestCost)
    return reject(
      `costs at least $${round(least, 2)}/h (${floor} of the ~${estimate} replicas one replica's rate implies) > the best found, $${bestCost}/h`,
    );
  const meets = (replicas: number): Check => {
    simulations++;
    return check(q, d, shape, replicas);
  };
  let replicas = Math.min(limit, estimate);
  let c = meets(replicas);
  while (!c.check.met && replicas < limit) c = meets(++replicas);
  if (!c.check.met) return reject(`${replicas} replicas (the most within max GPUs) miss the SLO: ${c.check.reason}`);
  while (replicas > 1) {
    const fewer = meets(replicas - 1);
    if (!fewer.check.met) break;
    replicas--;
    c = fewer;
  }
  const gpus = replicas * replicaGpus;
  return {
    shape,
    status: 'met',
    replicas,
    gpus,
    costPerHour: round(gpus * price(q, shape), 4),
    replicaRate: round(rated.speedup * rateOf(q.requests), 4),
    check: c.check,
    figures: figures(c.result, gpus),
    simulations,
  };
}

interface Check {
  readonly check: SloCheck;
  readonly result: ServingResult;
}

/** The traffic sped up `speedup` times on `replicas` replicas of `d`, against the SLO. */
function check(q: CapacityQuestion, d: Deployment, shape: ReplicaShape, replicas: number, speedup = 1): Check {
  const requests: Iterable<RequestSpec> =
    speedup === 1 ? q.requests : q.requests.map((r) => ({ ...r, arrival: r.arrival / speedup }));
  const result = simulateServing({
    pricer: LATENCY_MODELS[DEFAULT_LATENCY_MODEL].create(d),
    replicas,
    router: shape.router,
    requests,
    percentiles: percentilesOf(q.slo),
    slo: Object.fromEntries(q.slo.filter((b) => b.metric !== 'itl').map((b) => [b.metric, b.ms])),
    failFast: failFastOf(q.slo, q.requests.length),
  });
  return { check: checkSlo(result, q.slo, q.goodput), result };
}

function figures(r: ServingResult, gpus: number): Figures {
  const tpot = r.mean_tpot_ms ?? 0;
  return {
    p90TtftMs: round(r.p90_ttft_ms ?? 0, 3),
    p99TpotMs: round(r.p99_tpot_ms ?? 0, 3),
    outputTokensPerSecond: round(r.output_throughput ?? 0, 3),
    outputTokensPerSecondPerGpu: round((r.output_throughput ?? 0) / gpus, 3),
    tokensPerSecondPerUser: tpot > 0 ? round(1000 / tpot, 3) : 0,
  };
}

/** Cheapest, then fewest GPUs, then the lowest p90 TTFT, then the shape's order: one answer for one question. */
function cheapestFirst(a: MetCandidate, b: MetCandidate): number {
  return a.costPerHour - b.costPerHour || a.gpus - b.gpus || a.figures.p90TtftMs - b.figures.p90TtftMs;
}

function pareto(met: readonly MetCandidate[]): MetCandidate[] {
  const out: MetCandidate[] = [];
  for (const c of [...met].sort(cheapestFirst))
    if (out.length === 0 || c.figures.p90TtftMs < out[out.length - 1]!.figures.p90TtftMs) out.push(c);
  return out;
}

function throughputPareto(met: readonly MetCandidate[]): MetCandidate[] {
  const out: MetCandidate[] = [];
  const order = [...met].sort(
    (a, b) =>
      b.figures.outputTokensPerSecondPerGpu - a.figures.outputTokensPerSecondPerGpu ||
      b.figures.tokensPerSecondPerUser - a.figures.tokensPerSecondPerUser ||
      cheapestFirst(a, b),
  );
  for (const c of order)
    if (out.length === 0 || c.figures.tokensPerSecondPerUser > out[out.length - 1]!.figures.tokensPerSecondPerUser)
      out.push(c);
  return out;
}

/** Requests per second over the span of the arrivals. */
export function rateOf(requests: readonly RequestSpec[]): number {
  if (requests.length < 2) return requests.length;
  const span = requests[requests.length - 1]!.arrival - requests[0]!.arrival;
  return span > 0 ? (requests.length - 1) / span : Infinity;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
