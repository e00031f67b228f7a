// What each replica did over time, sampled on a fixed grid in bounded memory: past MAX_POINTS samples, neighbours
// are merged and the interval doubles, so an hour and a month cost the same.
import type { Replica } from './replica.ts';

/** Samples kept per series before neighbours are merged. */
export const MAX_POINTS = 2048;

/** One replica's figures at each sample time: gauges at that moment, counts and rates over the interval before. */
export interface ReplicaSeries {
  readonly running: number[];
  readonly waiting: number[];
  /** Fraction of the KV cache's blocks in use. */
  readonly kvUsage: number[];
  /** Mean tokens per iteration over the interval (0 when idle). */
  readonly batchTokens: number[];
  readonly preemptions: number[];
  /** Prompt tokens served from the prefix cache / prompt tokens looked up, over the interval. */
  readonly prefixHitRate: number[];
  readonly up: number[];
}

export interface ServingSeries {
  /** Seconds between samples; samples at t = interval, 2·interval, … */
  readonly interval: number;
  readonly t: number[];
  /** Output tokens streamed to clients per second over the interval, all replicas together. */
  readonly outputTokensPerSecond: number[];
  readonly completed: number[];
  readonly failed: number[];
  readonly replicas: readonly ReplicaSeries[];
}

/** Cumulative counts at the last sample, to take differences from. */
interface Marks {
  iterations: number;
  batchTokens: number;
  preemptions: number;
  hit: number;
  looked: number;
}

export class SeriesRecorder {
  private interval: number;
  /** When the next sample is due. */
  next: number;
  private readonly marks: Marks[];
  private outputMark = 0;
  private completedMark = 0;
  private failedMark = 0;
  readonly series: ServingSeries;

  constructor(interval: number) {
    this.interval = interval;
    this.next = interval;
    this.marks = [];
    this.series = { interval, t: [], outputTokensPerSecond: [], completed: [], failed: [], replicas: [] };
  }

  /** A replica joins; its figures before read as 0 (it did not exist). */
  addReplica(): void {
    this.marks.push({ iterations: 0, batchTokens: 0, preemptions: 0, hit: 0, looked: 0 });
    const zeros = (): number[] => this.series.t.map(() => 0);
    (this.series.replicas as ReplicaSeries[]).push({
      running: zeros(),
      waiting: zeros(),
      kvUsage: zeros(),
      batchTokens: zeros(),
      preemptions: zeros(),
      prefixHitRate: zeros(),
      up: zeros(),
    });
  }

  /** Takes the sample due at `this.next` (the state is unchanged since the last event before it). */
  sample(replicas: readonly Replica[], outputTokens: number, completed: number, failed: number): void {
    const s = this.series;
    s.t.push(this.next);
    s.outputTokensPerSecond.push((outputTokens - this.outputMark) / this.interval);
    s.completed.push(completed - this.completedMark);
    s.failed.push(failed - this.failedMark);
    this.outputMark = outputTokens;
    this.completedMark = completed;
    this.failedMark = failed;
    replicas.forEach((r, i) => {
      const m = this.marks[i]!;
      const out = s.replicas[i]!;
      const { hitTokens, lookedUpTokens } = r.prefixHits;
      const iterations = r.iterations - m.iterations;
      const looked = lookedUpTokens - m.looked;
      out.running.push(r.running.length);
      out.waiting.push(r.waitingCount);
      out.kvUsage.push(r.totalBlocks > 0 ? r.usedBlocks / r.totalBlocks : 0);
      out.batchTokens.push(iterations > 0 ? (r.batchTokens - m.batchTokens) / iterations : 0);
      out.preemptions.push(r.preemptions - m.preemptions);
      out.prefixHitRate.push(looked > 0 ? (hitTokens - m.hit) / looked : 0);
      out.up.push(r.up ? 1 : 0);
      Object.assign(m, {
        iterations: r.iterations,
        batchTokens: r.batchTokens,
        preemptions: r.preemptions,
        hit: hitTokens,
        looked: lookedUpTokens,
      });
    });
    this.next += this.interval;
    if (s.t.length >= MAX_POINTS) this.halve();
  }

  /** Merges neighbouring samples: gauges keep the later one, counts add up, rates average. */
  private halve(): void {
    const s = this.series as { -readonly [K in keyof ServingSeries]: ServingSeries[K] };
    const later = (a: number[]) => a.filter((_, i) => i % 2 === 1);
    const sum = (a: number[]) => later(a).map((x, i) => x + a[2 * i]!);
    const mean = (a: number[]) => sum(a).map((x) => x / 2);
    const replace = (a: number[], b: number[]) => a.splice(0, a.length, ...b);
    // MAX_POINTS is even: every sample has its pair.
    replace(s.t, later(s.t));
    replace(s.outputTokensPerSecond, mean(s.outputTokensPerSecond));
    replace(s.completed, sum(s.completed));
    replace(s.failed, sum(s.failed));
    for (const r of s.replicas) {
      replace(r.running, later(r.running));
      replace(r.waiting, later(r.waiting));
      replace(r.kvUsage, later(r.kvUsage));
      replace(r.batchTokens, mean(r.batchTokens));
      replace(r.preemptions, sum(r.preemptions));
      replace(r.prefixHitRate, mean(r.prefixHitRate));
      replace(r.up, later(r.up));
    }
    this.interval *= 2;
    s.interval = this.interval;
    this.next = s.t[s.t.length - 1]! + this.interval;
  }
}
