// A served workload's figures over time, all replicas together, as a metrics database would keep them: what
// Run:ai's workload metrics (GPU_UTILIZATION, NIM_*) answer over a time range. Sampled on a fixed grid in bounded
// memory: past MAX_POINTS samples, neighbours merge and the interval doubles.
import { histogramDelta, type HistogramCounts, type LatencyHistogram } from './latency-histogram.ts';
import type { Replica } from './replica.ts';
import { MAX_POINTS } from './series.ts';

/** One replica's gauges at each sample time, and its GPUs' busy share over the interval before (0..1). */
export interface ReplicaSamples {
  readonly running: number[];
  readonly waiting: number[];
  /** Fraction of its KV-cache blocks in use. */
  readonly kvUsage: number[];
  readonly gpuUtilization: number[];
  /** 1 while its group serves. */
  readonly up: number[];
}

export interface MetricsSamples {
  /** Seconds between samples; sample k covers (t[k] − interval, t[k]]. */
  readonly interval: number;
  readonly t: number[];
  /** Counts over the interval, all replicas. */
  readonly completed: number[];
  readonly failed: number[];
  readonly ttft: HistogramCounts[];
  readonly e2el: HistogramCounts[];
  readonly replicas: ReplicaSamples[];
}

/** What the recorder reads from the simulation at a sample. */
export interface MetricsSource {
  readonly replicas: readonly Replica[];
  readonly completed: number;
  readonly failed: number;
  readonly ttft: LatencyHistogram;
  readonly e2el: LatencyHistogram;
}

export class MetricsRecorder {
  /** When the next sample is due. */
  next: number;
  private interval: number;
  private busyMarks: number[] = [];
  private completedMark = 0;
  private failedMark = 0;
  private ttftMark: HistogramCounts | undefined;
  private e2elMark: HistogramCounts | undefined;
  readonly samples: MetricsSamples;

  constructor(interval: number) {
    this.interval = interval;
    this.next = interval;
    this.samples = { interval, t: [], completed: [], failed: [], ttft: [], e2el: [], replicas: [] };
  }

  /** Takes the sample due at `this.next` (nothing changed since the last event before it). */
  sample(source: MetricsSource): void {
    const s = this.samples;
    // A replica that joined reads as idle and down before (it did not exist).
    while (s.replicas.length < source.replicas.length) {
      const zeros = (): number[] => s.t.map(() => 0);
      s.replicas.push({ running: zeros(), waiting: zeros(), kvUsage: zeros(), gpuUtilization: zeros(), up: zeros() });
    }
    s.t.push(this.next);
    source.replicas.forEach((r, i) => {
      const out = s.replicas[i]!;
      out.running.push(r.running.length);
      out.waiting.push(r.waitingCount);
      out.kvUsage.push(r.totalBlocks > 0 ? r.usedBlocks / r.totalBlocks : 0);
      out.gpuUtilization.push(Math.min(1, (r.busySeconds - (this.busyMarks[i] ?? 0)) / this.interval));
      out.up.push(r.up ? 1 : 0);
      this.busyMarks[i] = r.busySeconds;
    });
    s.completed.push(source.completed - this.completedMark);
    s.failed.push(source.failed - this.failedMark);
    this.completedMark = source.completed;
    this.failedMark = source.failed;
    const ttft = source.ttft.snapshot();
    const e2el = source.e2el.snapshot();
    s.ttft.push(this.ttftMark ? histogramDelta(ttft, this.ttftMark) : ttft);
    s.e2el.push(this.e2elMark ? histogramDelta(e2el, this.e2elMark) : e2el);
    this.ttftMark = ttft;
    this.e2elMark = e2el;
    this.next += this.interval;
    if (s.t.length >= MAX_POINTS) this.halve();
  }

  /** Merges neighbouring samples: gauges keep the later one, counts add up, utilisation averages. */
  private halve(): void {
    const s = this.samples as { -readonly [K in keyof MetricsSamples]: MetricsSamples[K] };
    const later = <T>(a: T[]): T[] => a.filter((_, i) => i % 2 === 1);
    const pairs = <T>(a: T[], f: (x: T, y: T) => T): T[] => later(a).map((y, i) => f(a[2 * i]!, y));
    const replace = <T>(a: T[], b: T[]) => a.splice(0, a.length, ...b);
    const add = (x: HistogramCounts, y: HistogramCounts): HistogramCounts => ({
      bounds: y.bounds,
      counts: y.counts.map((c, i) => c + x.counts[i]!),
      sum: x.sum + y.sum,
      count: x.count + y.count,
    });
    replace(s.t, later(s.t));
    for (const count of [s.completed, s.failed])
      replace(
        count,
        pairs(count, (x, y) => x + y),
      );
    replace(s.ttft, pairs(s.ttft, add));
    replace(s.e2el, pairs(s.e2el, add));
    for (const r of s.replicas) {
      for (const gauge of [r.running, r.waiting, r.kvUsage, r.up]) replace(gauge, later(gauge));
      replace(
        r.gpuUtilization,
        pairs(r.gpuUtilization, (x, y) => (x + y) / 2),
      );
    }
    this.interval *= 2;
    s.interval = this.interval;
    this.next = s.t[s.t.length - 1]! + this.interval;
  }
}
