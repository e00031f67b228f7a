// A latency histogram on fixed bucket bounds, as a Prometheus client keeps one: what vLLM exports as
// `vllm:time_to_first_token_seconds` and `vllm:e2e_request_latency_seconds`, and what Run:ai's NIM metrics read.

/** vLLM's bucket upper bounds (s) for time to first token. */
export const VLLM_TTFT_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560,
];

/** vLLM's bucket upper bounds (s) for end-to-end request latency. */
export const VLLM_E2E_BUCKETS: readonly number[] = [
  0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680,
];

/** Counts per bucket (not cumulative; the last one is +Inf), their sum and count. */
export interface HistogramCounts {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export class LatencyHistogram {
  private readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  add(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  snapshot(): HistogramCounts {
    return { bounds: this.bounds, counts: [...this.counts], sum: this.sum, count: this.count };
  }
}

/** Prometheus's `le` buckets: for each bound (then `+Inf`), the observations at or below it. */
export function cumulativeBuckets(h: HistogramCounts): { le: string; count: number }[] {
  let below = 0;
  return h.counts.map((c, i) => {
    below += c;
    return { le: i < h.bounds.length ? String(h.bounds[i]) : '+Inf', count: below };
  });
}

/** What was added between `earlier` and `later` (snapshots of one histogram). */
export function histogramDelta(later: HistogramCounts, earlier: HistogramCounts): HistogramCounts {
  return {
    bounds: later.bounds,
    counts: later.counts.map((c, i) => c - earlier.counts[i]!),
    sum: later.sum - earlier.sum,
    count: later.count - earlier.count,
  };
}

/**
 * The `q` quantile as PromQL's histogram_quantile computes it: linear inside the bucket that holds it, the lower
 * bound of the first bucket being 0, and the highest finite bound for the +Inf bucket. NaN with no observations.
 */
export function histogramQuantile(h: HistogramCounts, q: number): number {
  if (h.count === 0) return NaN;
  const rank = q * h.count;
  let below = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (below + c >= rank && c > 0) {
      if (i === h.bounds.length) return h.bounds[h.bounds.length - 1]!;
      const lo = i === 0 ? 0 : h.bounds[i - 1]!;
      return lo + ((h.bounds[i]! - lo) * (rank - below)) / c;
    }
    below += c;
  }
  return h.bounds[h.bounds.length - 1]!;
}
