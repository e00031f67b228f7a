// Service-level objectives as percentile bounds (`ttft:p90<=2000ms`), checked against a serving result with
// `vllm bench serve`'s keys, with the margin to each — and the fail-fast bounds that let a hopeless run stop early.
import type { FailFastBound } from '../serving/metrics.ts';

export const SLO_METRICS = ['ttft', 'tpot', 'itl', 'e2el'] as const;
export type SloMetric = (typeof SLO_METRICS)[number];

export interface SloBound {
  readonly metric: SloMetric;
  /** In (0, 100): p90 is 90. */
  readonly percentile: number;
  readonly ms: number;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** `ttft:p90<=2000ms`, `tpot:p99<=0.2s` (ms when no unit is given). */
export function parseSloBound(text: string): Parsed<SloBound> {
  const m = /^(ttft|tpot|itl|e2el):p(\d+(?:\.\d+)?)<=(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  const percentile = m ? Number(m[2]) : NaN;
  if (m === null || !(percentile > 0 && percentile < 100) || !(Number(m[3]) > 0))
    return {
      ok: false,
      message: `"${text}" is not METRIC:pP<=BOUND (ttft|tpot|itl|e2el, 0 < P < 100, a positive bound in ms or s), e.g. ttft:p90<=2000ms`,
    };
  return {
    ok: true,
    value: { metric: m[1] as SloMetric, percentile, ms: Number(m[3]) * (m[4] === 's' ? 1000 : 1) },
  };
}

export const formatBound = (b: SloBound): string => `${b.metric}:p${b.percentile}<=${b.ms}ms`;

/** A bound against what a run measured: margin > 0 means it holds with that much to spare. */
export interface BoundCheck {
  readonly bound: string;
  readonly valueMs: number;
  readonly marginMs: number;
}

export interface SloCheck {
  readonly met: boolean;
  /** Why not, when not. */
  readonly reason?: string;
  readonly bounds: readonly BoundCheck[];
  /** The bound closest to breaking (highest value / bound): what binds. */
  readonly binding: string;
  /** Completed requests meeting every bound's threshold, as a fraction (when a goodput target is given). */
  readonly goodput?: number;
}

/**
 * Does `result` meet every bound (and the goodput fraction, a request being good when it meets every bound's
 * threshold)? Every request must have completed: one refused or still queued is a miss, however good the rest.
 */
export function checkSlo(
  result: Readonly<Record<string, number>> & {
    readonly lwsim: { readonly issued: number; readonly stoppedEarly?: boolean };
  },
  bounds: readonly SloBound[],
  goodput?: number,
): SloCheck {
  const checks = bounds.map((b) => {
    const valueMs = result[`p${b.percentile}_${b.metric}_ms`] ?? Infinity;
    return { bound: formatBound(b), valueMs, marginMs: b.ms - valueMs, ratio: valueMs / b.ms };
  });
  const binding = checks.reduce((a, c) => (c.ratio > a.ratio ? c : a), checks[0]!);
  const shares = goodput === undefined ? undefined : (result.request_goodput ?? 0) / (result.request_throughput || 1);
  const incomplete = result.completed! < result.lwsim.issued;
  const broken = checks.find((c) => c.marginMs < 0);
  const reason = result.lwsim.stoppedEarly
    ? 'stopped early: more requests missed a bound than its percentile allows'
    : incomplete
      ? `${result.lwsim.issued - result.completed!} of ${result.lwsim.issued} requests did not complete`
      : broken
        ? `${broken.bound}: measured ${broken.valueMs.toFixed(1)} ms`
        : shares !== undefined && shares < goodput!
          ? `goodput ${(shares * 100).toFixed(2)}% < ${(goodput! * 100).toFixed(2)}%`
          : undefined;
  return {
    met: reason === undefined,
    ...(reason ? { reason } : {}),
    bounds: checks.map(({ bound, valueMs, marginMs }) => ({ bound, valueMs, marginMs })),
    binding: binding.bound,
    ...(shares !== undefined ? { goodput: shares } : {}),
  };
}

/**
 * The bounds a run of `requests` requests can be stopped on: once more finished requests exceed a bound than its
 * percentile leaves room for (numpy's interpolation reads the values at rank ⌊p(n − 1)⌋ and the next), it fails.
 * ITL is per token, so it is checked only at the end.
 */
export function failFastOf(bounds: readonly SloBound[], requests: number): FailFastBound[] {
  return bounds
    .filter((b): b is SloBound & { metric: 'ttft' | 'tpot' | 'e2el' } => b.metric !== 'itl')
    .map((b) => ({
      metric: b.metric,
      seconds: b.ms / 1000,
      allowed: requests - 1 - Math.floor((b.percentile / 100) * (requests - 1)),
    }));
}

/** The percentiles a run must report for `bounds` to be checked. */
export const percentilesOf = (bounds: readonly SloBound[]): number[] => [
  ...new Set([50, 90, 99, ...bounds.map((b) => b.percentile)]),
];
