/**
 * The allocation ratio by arrived GPU demand, binned as the reference's merge scripts do
 * (`merge_alloc_discrete.py`, `merge_frag_ratio_discrete.py`): per pod event, arrive% = round(arrived/#GPUs/10)
 * and alloc% = round(used/#GPUs/10, 2); bin k is the mean over events with arrive% = k, else over |arrive% − k| ≤ 1,
 * else empty (null).
 */
import type { RunTrace } from './run.ts';

export const MAX_BIN = 130;

export interface BinnedCurves {
  /** Index k: GPU allocation ratio (%) when k% of the GPU capacity has arrived; null when no event is near. */
  readonly allocation: readonly (number | null)[];
  /** Index k: the fragmentation ratio (%), the same binning, not rounded. */
  readonly fragRatio: readonly (number | null)[];
}

export function binTrace(trace: RunTrace, totalGpus: number, maxBin = MAX_BIN): BinnedCurves {
  const arrive = Array.from(trace.arrivedMilli, (m) => roundHalfEven(m / totalGpus / 10));
  const alloc = Array.from(trace.usedMilli, (m) => round2(m / totalGpus / 10));
  const allocation = binMeans(arrive, alloc, maxBin).map((v) => (v === null ? null : round2(v)));
  return { allocation, fragRatio: binMeans(arrive, Array.from(trace.fragRatio), maxBin) };
}

/** Per bin 0..maxBin: the mean of `values` whose bin is k exactly, else within one, else null. */
export function binMeans(bins: readonly number[], values: readonly number[], maxBin: number): (number | null)[] {
  const sum = new Array<number>(maxBin + 3).fill(0);
  const count = new Array<number>(maxBin + 3).fill(0);
  bins.forEach((b, i) => {
    if (b < -1 || b > maxBin + 1) return;
    sum[b + 1]! += values[i]!;
    count[b + 1]!++;
  });
  return Array.from({ length: maxBin + 1 }, (_, k) => {
    if (count[k + 1]! > 0) return sum[k + 1]! / count[k + 1]!;
    const near = count[k]! + count[k + 1]! + count[k + 2]!;
    return near > 0 ? (sum[k]! + sum[k + 1]! + sum[k + 2]!) / near : null;
  });
}

/** Python's round(x): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
