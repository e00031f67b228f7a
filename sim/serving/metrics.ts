// The client's figures, defined exactly as `vllm bench serve` computes them (benchmarks/serve.py): TTFT from the
// send to the first token, TPOT = (E2EL − TTFT)/(output − 1) over requests with more than one output token, every
// inter-token gap as ITL, E2EL; numpy's mean, median, population std and linear-interpolation percentiles, in ms.
import { Distribution } from './distribution.ts';
import { LatencyHistogram, VLLM_E2E_BUCKETS, VLLM_TTFT_BUCKETS } from './latency-histogram.ts';
import type { Request } from './request.ts';

export const LATENCY_METRICS = ['ttft', 'tpot', 'itl', 'e2el'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Goodput: a request is good when every bound given holds (ms). */
export type Slo = Partial<Record<'ttft' | 'tpot' | 'e2el', number>>;

/**
 * A bound a run cannot pass once more than `allowed` finished requests exceed `seconds` on `metric` (a percentile
 * bound over a known number of requests): the run may stop there — a capacity search's early exit.
 */
export interface FailFastBound {
  readonly metric: 'ttft' | 'tpot' | 'e2el';
  readonly seconds: number;
  readonly allowed: number;
}

/** Collects what finished requests measured, in bounded memory (see Distribution). */
export class MetricsCollector {
  readonly ttft = new Distribution();
  readonly tpot = new Distribution();
  readonly itl = new Distribution();
  readonly e2el = new Distribution();
  /** The same latencies on vLLM's Prometheus buckets (its /metrics, Run:ai's NIM metrics). */
  readonly ttftBuckets = new LatencyHistogram(VLLM_TTFT_BUCKETS);
  readonly e2elBuckets = new LatencyHistogram(VLLM_E2E_BUCKETS);
  completed = 0;
  /** Requests meeting every bound of the SLO; TPOT of a one-token request counts as 0, as vLLM's does. */
  good = 0;
  inputTokens = 0;
  outputTokens = 0;
  lastFinish = 0;

  /** `overheadSeconds`: the server's own latency outside iterations (API, tokenisation), in every TTFT and E2EL. */
  /** Some fail-fast bound can no longer hold. */
  hopeless = false;
  private readonly exceeded: number[];

  constructor(
    private readonly overheadSeconds = 0,
    private readonly slo: Slo = {},
    private readonly failFast: readonly FailFastBound[] = [],
  ) {
    this.exceeded = failFast.map(() => 0);
  }

  token(r: Request, at: number): void {
    if (r.generated === 1 && Number.isNaN(r.firstToken)) r.firstToken = at;
    else if (!Number.isNaN(r.lastToken)) this.itl.add(at - r.lastToken);
    r.lastToken = at;
  }

  finish(r: Request): void {
    this.completed++;
    this.inputTokens += r.inputTokens;
    this.outputTokens += r.outputTokens;
    const ttft = r.firstToken - r.sent + this.overheadSeconds;
    const e2el = r.finished - r.sent + this.overheadSeconds;
    this.ttft.add(ttft);
    this.e2el.add(e2el);
    this.ttftBuckets.add(ttft);
    this.e2elBuckets.add(e2el);
    const tpot = r.outputTokens > 1 ? (e2el - ttft) / (r.outputTokens - 1) : 0;
    if (r.outputTokens > 1) this.tpot.add(tpot);
    const { slo } = this;
    if (
      !(slo.ttft !== undefined && ttft * 1000 > slo.ttft) &&
      !(slo.tpot !== undefined && tpot * 1000 > slo.tpot) &&
      !(slo.e2el !== undefined && e2el * 1000 > slo.e2el)
    )
      this.good++;
    for (let i = 0; i < this.failFast.length; i++) {
      const b = this.failFast[i]!;
      const value = b.metric === 'ttft' ? ttft : b.metric === 'e2el' ? e2el : r.outputTokens > 1 ? tpot : 0;
      if (value > b.seconds && ++this.exceeded[i]! > b.allowed) this.hopeless = true;
    }
    if (r.finished + this.overheadSeconds > this.lastFinish) this.lastFinish = r.finished + this.overheadSeconds;
  }
}

/** vLLM's key for a percentile: `p99`, `p99.9`. */
export const percentileKey = (p: number): string => `p${p}`;
