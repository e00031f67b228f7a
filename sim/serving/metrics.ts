// The client's figures, defined exactly as `vllm bench serve` computes them (benchmarks/serve.py): TTFT from the
// send to the first token, TPOT = (E2EL − TTFT)/(output − 1) over requests with more than one output token, every
// inter-token gap as ITL, E2EL; numpy's mean, median, population std and linear-interpolation percentiles, in ms.
import type { Request } from './request.ts';

export const LATENCY_METRICS = ['ttft', 'tpot', 'itl', 'e2el'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Goodput: a request is good when every bound given holds (ms). */
export type Slo = Partial<Record<'ttft' | 'tpot' | 'e2el', number>>;

/** Collects what finished requests measured; ITLs in one growing buffer, not an array per request. */
export class MetricsCollector {
  readonly ttft: number[] = [];
  readonly tpot: number[] = [];
  readonly e2el: number[] = [];
  private itlBuffer = new Float64Array(1 << 16);
  private itlCount = 0;
  private readonly perRequestTpot: number[] = [];
  completed = 0;
  inputTokens = 0;
  outputTokens = 0;
  lastFinish = 0;

  /** `overheadSeconds`: the server's own latency outside iterations (API, tokenisation), in every TTFT and E2EL. */
  constructor(private readonly overheadSeconds = 0) {}

  token(r: Request, at: number): void {
    if (r.generated === 1 && Number.isNaN(r.firstToken)) r.firstToken = at;
    else if (!Number.isNaN(r.lastToken)) this.pushItl(at - r.lastToken);
    r.lastToken = at;
  }

  private pushItl(gap: number): void {
    if (this.itlCount === this.itlBuffer.length) {
      const grown = new Float64Array(this.itlBuffer.length * 2);
      grown.set(this.itlBuffer);
      this.itlBuffer = grown;
    }
    this.itlBuffer[this.itlCount++] = gap;
  }

  finish(r: Request): void {
    this.completed++;
    this.inputTokens += r.inputTokens;
    this.outputTokens += r.outputTokens;
    const ttft = r.firstToken - r.sent + this.overheadSeconds;
    const e2el = r.finished - r.sent + this.overheadSeconds;
    this.ttft.push(ttft);
    this.e2el.push(e2el);
    const tpot = r.outputTokens > 1 ? (e2el - ttft) / (r.outputTokens - 1) : 0;
    if (r.outputTokens > 1) this.tpot.push(tpot);
    this.perRequestTpot.push(tpot);
    if (r.finished + this.overheadSeconds > this.lastFinish) this.lastFinish = r.finished + this.overheadSeconds;
  }

  get itl(): Float64Array {
    return this.itlBuffer.subarray(0, this.itlCount);
  }

  /** Requests meeting every bound in `slo` (ms); TPOT of a one-token request counts as 0, as vLLM's does. */
  good(slo: Slo): number {
    let good = 0;
    for (let i = 0; i < this.ttft.length; i++) {
      if (slo.ttft !== undefined && this.ttft[i]! * 1000 > slo.ttft) continue;
      if (slo.tpot !== undefined && this.perRequestTpot[i]! * 1000 > slo.tpot) continue;
      if (slo.e2el !== undefined && this.e2el[i]! * 1000 > slo.e2el) continue;
      good++;
    }
    return good;
  }
}

/** numpy.percentile's default: linear interpolation between closest ranks, on sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/**
 * Puts the k-th smallest value at index k, smaller ones before it and larger after (Hoare's quickselect, middle
 * pivot): a percentile of millions of ITLs without sorting them all.
 */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/** `percentile` without sorting: the values at the two ranks around p, by selection (reorders `a`). */
function selectPercentile(a: Float64Array, p: number): number {
  const rank = (p / 100) * (a.length - 1);
  const low = Math.floor(rank);
  const below = select(a, low);
  if (low + 1 >= a.length || rank === low) return below;
  // After selecting `low`, the next rank is the smallest value above it.
  let above = Infinity;
  for (let i = low + 1; i < a.length; i++) if (a[i]! < above) above = a[i]!;
  return below + (above - below) * (rank - low);
}

export interface Summary {
  readonly mean: number;
  readonly median: number;
  readonly std: number;
  readonly percentiles: readonly (readonly [number, number])[];
}

/** Mean, median, population std and percentiles of `values` (seconds), in ms; zeros for none, as vLLM reports. */
export function summarise(values: ArrayLike<number>, ps: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { mean: 0, median: 0, std: 0, percentiles: ps.map((p) => [p, 0] as const) };
  const copy = Float64Array.from(values);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += copy[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (copy[i]! - mean) ** 2;
  return {
    mean: mean * 1000,
    median: selectPercentile(copy, 50) * 1000,
    std: Math.sqrt(squares / n) * 1000,
    percentiles: ps.map((p) => [p, selectPercentile(copy, p) * 1000] as const),
  };
}

/** vLLM's key for a percentile: `p99`, `p99.9`. */
export const percentileKey = (p: number): string => `p${p}`;
