// When requests arrive and how long they are: vLLM's `bench serve` load shapes (benchmarks/serve.py `get_request`),
// from a seeded generator.
import { Random } from '../engine/random.ts';
import type { RequestSpec } from './request.ts';

export type ArrivalProcess =
  /** All at once (vLLM's request rate `inf`). */
  | { readonly kind: 'burst' }
  /**
   * Gaps from Gamma(shape b, scale 1/(rate·b)): b = 1 is Poisson, b < 1 burstier, b = ∞ constant (vLLM's
   * --burstiness). As vLLM does, every request (the first too) waits one gap, and the arrival times are then
   * rescaled so the last lands at count / rate.
   */
  | { readonly kind: 'gamma'; readonly rate: number; readonly burstiness: number }
  /**
   * vLLM's --ramp-up-strategy: the i-th gap is drawn at rate start + (end − start)·i/(n − 1) (linear) or
   * start·(end/start)^(i/(n − 1)) (exponential); not rescaled.
   */
  | {
      readonly kind: 'ramp';
      readonly strategy: 'linear' | 'exponential';
      readonly startRate: number;
      readonly endRate: number;
      readonly burstiness: number;
    };

export type LengthDistribution =
  | { readonly kind: 'fixed'; readonly tokens: number }
  /** vLLM's random dataset: uniform integers in [n·(1 − r), n·(1 + r)]. */
  | { readonly kind: 'random'; readonly tokens: number; readonly rangeRatio: number };

/** Marsaglia and Tsang's method (shape < 1 boosted by U^(1/shape)). */
export function gamma(random: Random, shape: number, scale: number): number {
  if (shape < 1) return gamma(random, shape + 1, scale) * Math.pow(random.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = random.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

function length(random: Random, d: LengthDistribution): number {
  if (d.kind === 'fixed') return d.tokens;
  const low = Math.max(1, Math.floor(d.tokens * (1 - d.rangeRatio)));
  const high = Math.max(low, Math.ceil(d.tokens * (1 + d.rangeRatio)));
  return random.int(low, high);
}

/** The rate the i-th of `count` requests is drawn at. */
function rateAt(arrivals: Exclude<ArrivalProcess, { kind: 'burst' }>, i: number, count: number): number {
  if (arrivals.kind === 'gamma') return arrivals.rate;
  const progress = i / Math.max(count - 1, 1);
  return arrivals.strategy === 'linear'
    ? arrivals.startRate + (arrivals.endRate - arrivals.startRate) * progress
    : arrivals.startRate * (arrivals.endRate / arrivals.startRate) ** progress;
}

function gap(random: Random, rate: number, burstiness: number): number {
  return burstiness === Infinity ? 1 / rate : gamma(random, burstiness, 1 / (rate * burstiness));
}

/**
 * `count` requests, in arrival order. Arrival gaps and lengths come from two streams split off `random`, so the
 * rescaling pass (which needs the sum of all gaps) replays the gaps alone and memory stays flat for any count;
 * iterating again gives the same requests.
 */
export function syntheticRequests(
  random: Random,
  count: number,
  arrivals: ArrivalProcess,
  input: LengthDistribution,
  output: LengthDistribution,
): Iterable<RequestSpec> {
  const gapSeed = random.nextUint32();
  const lengthSeed = random.nextUint32();
  const gaps = function* (): Generator<number> {
    if (arrivals.kind === 'burst') {
      for (let i = 0; i < count; i++) yield 0;
      return;
    }
    const r = new Random(gapSeed);
    for (let i = 0; i < count; i++) yield gap(r, rateAt(arrivals, i, count), arrivals.burstiness);
  };
  let scale = 1;
  // An endless stream (a live server's) cannot be rescaled: its gaps are the Gamma draws themselves.
  if (arrivals.kind === 'gamma' && count > 0 && Number.isFinite(count)) {
    let total = 0;
    for (const g of gaps()) total += g;
    if (total > 0) scale = count / arrivals.rate / total;
  }
  return {
    *[Symbol.iterator]() {
      const lengths = new Random(lengthSeed);
      let at = 0;
      for (const g of gaps()) {
        at += g;
        yield { arrival: at * scale, inputTokens: length(lengths, input), outputTokens: length(lengths, output) };
      }
    },
  };
}
