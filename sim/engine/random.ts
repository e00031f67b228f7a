/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) and the distributions the
 * simulator draws from. Its whole state is four 32-bit words, so it can be saved, restored and forked exactly.
 */
export type RandomState = readonly [number, number, number, number];

export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number | RandomState = 1) {
    if (typeof seed === 'number') this.seed(seed);
    else this.restore(seed);
  }

  /** Any finite number seeds a distinct stream (both 32-bit halves of integers up to 2^53 count). */
  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    let x = (Math.floor(seed) ^ (Math.floor(seed / 2 ** 32) * 0x9e3779b9)) >>> 0;
    const next = (): number => {
      // splitmix32: spreads a small seed over the whole state so nearby seeds give unrelated streams.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  state(): RandomState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  restore(state: RandomState): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError('random state must be four unsigned 32-bit integers');
    }
    [this.s0, this.s1, this.s2, this.s3] = state;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) throw new RangeError('random state must not be all zero');
  }

  /** An independent generator that continues from the same state (for forks). */
  clone(): Random {
    return new Random(this.state());
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(min, max) needs integers with min <= max, got ${min}, ${max}`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Exponential with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number {
    if (!(mean > 0)) throw new RangeError(`exponential mean must be > 0, got ${mean}`);
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal by Box-Muller; no cached spare, so the state stays four words. */
  normal(mean = 0, stddev = 1): number {
    const u = 1 - this.next(); // (0, 1]: log(0) never happens
    const v = this.next();
    return mean + stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal whose underlying normal has parameters mu and sigma. */
  lognormal(mu: number, sigma: number): number {
    if (!(sigma >= 0)) throw new RangeError(`lognormal sigma must be >= 0, got ${sigma}`);
    return Math.exp(this.normal(mu, sigma));
  }

  /** Lognormal parameterised by its median and the 90th percentile, the way people state delays. */
  lognormalFromMedian(median: number, p90: number): number {
    if (!(median > 0) || !(p90 >= median)) throw new RangeError(`need 0 < median <= p90, got ${median}, ${p90}`);
    return this.lognormal(Math.log(median), Math.log(p90 / median) / 1.2815515655446004);
  }

  /** One item drawn with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    if (items.length === 0 || items.length !== weights.length) {
      throw new RangeError('weighted() needs as many weights as items, and at least one item');
    }
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weights must be finite and >= 0, got ${w}`);
      total += w;
    }
    if (total === 0) throw new RangeError('weights must not all be zero');
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r < 0 && weights[i]! > 0) return items[i]!;
    }
    // Rounding can leave r at ~0 after the last positive weight.
    for (let i = items.length - 1; i >= 0; i--) if (weights[i]! > 0) return items[i]!;
    throw new Error('unreachable');
  }

  /** One item, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('choice() needs at least one item');
    return items[Math.floor(this.next() * items.length)]!;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
