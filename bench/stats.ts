import type { Bench } from 'tinybench';

/** The median of a sample; benchmark figures are medians because these machines are shared and noisy. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median latency in milliseconds of a finished tinybench task; a task that failed fails the suite. */
export function medianMs(bench: Bench, taskName: string): number {
  const result = bench.getTask(taskName)?.result;
  if (result === undefined) throw new Error(`no benchmark task named "${taskName}"`);
  if (result.state === 'errored') throw result.error;
  if (result.state !== 'completed') throw new Error(`benchmark task "${taskName}" ended ${result.state}`);
  return result.latency.p50;
}
