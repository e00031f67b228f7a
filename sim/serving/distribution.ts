// One latency metric's values in bounded memory: kept exactly while they are few (the summary is then numpy's, to
// the last bit), folded into a log-bucketed histogram past a limit, so a trace of millions of requests streams in
// flat memory with every percentile within 0.1% (relative) of the exact one. Mean and std are always exact.

/** A histogram bin: values in [lo, hi) ms (the last bin includes its upper end). */
export interface Bin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
}

export interface Summary {
  readonly mean: number;
  readonly median: number;
  readonly std: number;
  readonly percentiles: readonly (readonly [number, number])[];
}

/** Values kept exactly, per metric, before the histogram takes over (8 MiB of doubles). */
export const EXACT_VALUES = 1 << 20;

/** Bucket k holds [γ^k, γ^(k+1)) · MIN; its midpoint is within (γ − 1)/(γ + 1) < 0.1% of any value in it. */
const GAMMA = 1.002;
const LOG_GAMMA = Math.log(GAMMA);
/** 1 ns to 10⁶ s: every latency a simulation can produce; values outside are clamped into the end buckets. */
const MIN = 1e-9;
const BUCKETS = Math.ceil(Math.log(1e6 / MIN) / LOG_GAMMA) + 1;

export class Distribution {
  private exact: Float64Array | undefined = new Float64Array(1024);
  private histogram: Float64Array | undefined;
  count = 0;
  private sum = 0;
  private mean = 0;
  /** Welford's running sum of squared deviations. */
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(private readonly exactLimit = EXACT_VALUES) {}

  add(x: number): void {
    this.count++;
    this.sum += x;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const exact = this.exact;
    if (exact === undefined) {
      this.histogram![bucketOf(x)]!++;
      return;
    }
    const i = this.count - 1;
    if (i < exact.length) exact[i] = x;
    else if (i < this.exactLimit) {
      const grown = new Float64Array(Math.min(exact.length * 2, this.exactLimit));
      grown.set(exact);
      grown[i] = x;
      this.exact = grown;
    } else {
      const histogram = new Float64Array(BUCKETS);
      for (let j = 0; j < i; j++) histogram[bucketOf(exact[j]!)]!++;
      histogram[bucketOf(x)]!++;
      this.histogram = histogram;
      this.exact = undefined;
    }
  }

  /** True while every value is kept: percentiles are then exact. */
  get isExact(): boolean {
    return this.exact !== undefined;
  }

  /** Mean, median, population std and percentiles (numpy's linear interpolation), in ms; zeros for none. */
  summary(ps: readonly number[]): Summary {
    if (this.count === 0) return { mean: 0, median: 0, std: 0, percentiles: ps.map((p) => [p, 0] as const) };
    const at =
      this.exact !== undefined
        ? exactPercentiles(this.exact.slice(0, this.count))
        : (p: number) => this.histogramPercentile(p);
    return {
      mean: (this.sum / this.count) * 1000,
      median: at(50) * 1000,
      std: Math.sqrt(this.m2 / this.count) * 1000,
      percentiles: ps.map((p) => [p, at(p) * 1000] as const),
    };
  }

  /** The values as `count` log-spaced bins from the least to the greatest, in ms (one bin when they are all equal). */
  bins(count = 30): Bin[] {
    if (this.count === 0) return [];
    const lo = Math.max(this.min, MIN);
    const hi = Math.max(this.max, lo);
    if (hi === lo) return [{ lo: lo * 1000, hi: hi * 1000, count: this.count }];
    const counts = new Array<number>(count).fill(0);
    const step = Math.log(hi / lo) / count;
    const put = (x: number, n: number) => {
      const i = Math.floor(Math.log(Math.max(x, lo) / lo) / step);
      counts[Math.min(count - 1, Math.max(0, i))]! += n;
    };
    if (this.exact !== undefined) for (let i = 0; i < this.count; i++) put(this.exact[i]!, 1);
    else this.histogram!.forEach((n, k) => n > 0 && put(midpoint(k), n));
    return counts.map((n, i) => ({
      lo: lo * Math.exp(step * i) * 1000,
      hi: lo * Math.exp(step * (i + 1)) * 1000,
      count: n,
    }));
  }

  /** The value of the given 0-based rank, from the bucket that holds it (clamped to the exact extremes). */
  private rankValue(rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    const h = this.histogram!;
    let seen = 0;
    for (let k = 0; k < h.length; k++) {
      seen += h[k]!;
      if (seen > rank) return Math.min(this.max, Math.max(this.min, midpoint(k)));
    }
    return this.max;
  }

  private histogramPercentile(p: number): number {
    const rank = (p / 100) * (this.count - 1);
    const low = Math.floor(rank);
    const below = this.rankValue(low);
    return rank === low ? below : below + (this.rankValue(low + 1) - below) * (rank - low);
  }
}

function bucketOf(x: number): number {
  if (!(x > MIN)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log(x / MIN) / LOG_GAMMA));
}

function midpoint(k: number): number {
  return (MIN * GAMMA ** k * 2 * GAMMA) / (GAMMA + 1);
}

/** numpy.percentile's default: linear interpolation between closest ranks, on sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** Percentiles of `a` by selection, not a full sort (reorders `a`). */
function exactPercentiles(a: Float64Array): (p: number) => number {
  return (p) => {
    const rank = (p / 100) * (a.length - 1);
    const low = Math.floor(rank);
    const below = select(a, low);
    if (low + 1 >= a.length || rank === low) return below;
    // After selecting `low`, the next rank is the smallest value above it.
    let above = Infinity;
    for (let i = low + 1; i < a.length; i++) if (a[i]! < above) above = a[i]!;
    return below + (above - below) * (rank - low);
  };
}

/**
 * Puts the k-th smallest value at index k, smaller ones before it and larger after (Hoare's quickselect, middle
 * pivot): a percentile of a million values without sorting them all.
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

/** The summary of `values` (seconds), in ms. */
export function summarise(values: ArrayLike<number>, ps: readonly number[], exactLimit = EXACT_VALUES): Summary {
  const d = new Distribution(exactLimit);
  for (let i = 0; i < values.length; i++) d.add(values[i]!);
  return d.summary(ps);
}
