// Reading a workload's recorded figures at the instants a metrics query asks for, as a Prometheus range query
// would: a gauge at t is its last sample at or before t, a count at t is what happened since the previous instant.
import type { Micros } from '../../../sim/engine/index.ts';
import { histogramQuantile, type HistogramCounts } from '../../../sim/serving/latency-histogram.ts';
import type { MetricsSamples, ReplicaSamples } from '../../../sim/serving/metrics-series.ts';
import type { AllocationPoint } from '../../../sim/simulator/workload-history.ts';

/**
 * `count` instants evenly spread over [start, end] (both ends included; one instant is `end`), keeping those the
 * model can speak about: after `from` (the workload's creation) and not after `now`.
 */
export function queryInstants(start: Micros, end: Micros, count: number, from: Micros, now: Micros): Micros[] {
  const instants: Micros[] = [];
  for (let k = 0; k < count; k++) {
    const t = count === 1 ? end : Math.round(start + ((end - start) * k) / (count - 1));
    if (t >= from && t <= now) instants.push(t);
  }
  return instants;
}

/** What the workload held at `t` (its allocation step function); undefined before its first point. */
export function holdingsAt(points: readonly AllocationPoint[], t: Micros): AllocationPoint | undefined {
  let lo = 0;
  let hi = points.length - 1;
  let found: AllocationPoint | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.at <= t) {
      found = points[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A served workload's samples, read at simulated instants (its serving began at `from`). */
export class ServingTimeline {
  constructor(
    private readonly samples: Readonly<MetricsSamples>,
    private readonly from: Micros,
  ) {}

  /** The index of the last sample at or before `t`; -1 when there is none yet. */
  private at(t: Micros): number {
    const seconds = (t - this.from) / 1e6;
    const times = this.samples.t;
    let lo = 0;
    let hi = times.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= seconds) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** A gauge of the replicas chosen (summed, or averaged over those serving), at `t`. */
  gauge(t: Micros, read: (r: ReplicaSamples, k: number) => number, how: 'sum' | 'mean-up', replicas?: number[]) {
    const k = this.at(t);
    if (k < 0) return undefined;
    const chosen = (replicas ?? this.samples.replicas.map((_, i) => i))
      .map((i) => this.samples.replicas[i])
      .filter((r): r is ReplicaSamples => r !== undefined);
    if (how === 'sum') return chosen.reduce((total, r) => total + read(r, k), 0);
    const up = chosen.filter((r) => r.up[k] === 1);
    return up.length === 0 ? 0 : up.reduce((total, r) => total + read(r, k), 0) / up.length;
  }

  /** Requests completed (or failed) from the start up to `t`: a counter. */
  total(t: Micros, counts: 'completed' | 'failed'): number | undefined {
    const k = this.at(t);
    if (k < 0) return undefined;
    let total = 0;
    for (let i = 0; i <= k; i++) total += this.samples[counts][i]!;
    return total;
  }

  /** A latency histogram of the requests finished in (a, b]; undefined when no sample falls inside. */
  window(a: Micros, b: Micros, which: 'ttft' | 'e2el'): HistogramCounts | undefined {
    const first = this.at(a) + 1;
    const last = this.at(b);
    if (last < first) return undefined;
    const parts = this.samples[which].slice(first, last + 1);
    return parts.reduce((sum, h) => ({
      bounds: h.bounds,
      counts: h.counts.map((c, i) => c + sum.counts[i]!),
      sum: sum.sum + h.sum,
      count: sum.count + h.count,
    }));
  }
}

/** A histogram's quantile, or undefined without observations. */
export function quantileOf(h: HistogramCounts | undefined, q: number): number | undefined {
  if (h === undefined || h.count === 0) return undefined;
  return histogramQuantile(h, q);
}
