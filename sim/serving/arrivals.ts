// When requests arrive and how long they are: vLLM's `bench serve` load shapes, from a seeded generator.
import type { Random } from '../engine/random.ts';
import type { RequestSpec } from './request.ts';

export type ArrivalProcess =
  /** All at once (vLLM's request rate `inf`). */
  | { readonly kind: 'burst' }
  /** Inter-arrival gaps from Gamma(shape b, scale 1/(rate·b)): b = 1 is Poisson, b < 1 burstier (vLLM's --burstiness). */
  | { readonly kind: 'gamma'; readonly rate: number; readonly burstiness: number }
  | { readonly kind: 'constant'; readonly rate: number };

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

/** `count` requests, in arrival order. */
export function* syntheticRequests(
  random: Random,
  count: number,
  arrivals: ArrivalProcess,
  input: LengthDistribution,
  output: LengthDistribution,
): Generator<RequestSpec> {
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0 && arrivals.kind === 'gamma')
      at += gamma(random, arrivals.burstiness, 1 / (arrivals.rate * arrivals.burstiness));
    else if (i > 0 && arrivals.kind === 'constant') at += 1 / arrivals.rate;
    yield { arrival: at, inputTokens: length(random, input), outputTokens: length(random, output) };
  }
}
