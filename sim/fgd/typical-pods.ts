/**
 * Typical pods (`utils.GetTypicalPods`): the most frequent resource specs of the original workload, CPU-only pods
 * included, taken in decreasing count until they cover 95% of all pods, with frequencies renormalised to sum to 1.
 * They are the "expected next pods" the fragmentation measure is taken against.
 */
import type { PodRequest } from './pod-request.ts';

export interface TypicalPod {
  readonly milliCpu: number;
  readonly milliGpu: number;
  readonly gpuNumber: number;
  readonly gpuSpec: readonly string[];
  /** Share among the typical pods (they sum to 1). */
  readonly frequency: number;
}

export const POPULARITY_THRESHOLD = 95;

export function typicalPods(pods: readonly PodRequest[], thresholdPercent = POPULARITY_THRESHOLD): TypicalPod[] {
  const counts = new Map<string, ShapeCount>();
  for (const pod of pods) {
    const entry = counts.get(pod.key);
    if (entry) entry.count++;
    else counts.set(pod.key, { pod, count: 1 });
  }
  return typicalFromCounts([...counts.values()], thresholdPercent);
}

/** How many pods of one resource spec there were (the spec is any pod of it). */
export interface ShapeCount {
  readonly pod: Omit<TypicalPod, 'frequency'>;
  count: number;
}

/** The typical pods of counted specs: what `typicalPods` does after counting, for callers that keep counts. */
export function typicalFromCounts(
  counts: readonly ShapeCount[],
  thresholdPercent = POPULARITY_THRESHOLD,
): TypicalPod[] {
  // Decreasing count; ties in decreasing (MilliCpu, MilliGpu, GpuNumber, GpuType): the reversed PodResource.Less.
  const sorted = [...counts].sort(
    (a, b) =>
      b.count - a.count ||
      b.pod.milliCpu - a.pod.milliCpu ||
      b.pod.milliGpu - a.pod.milliGpu ||
      b.pod.gpuNumber - a.pod.gpuNumber ||
      compareStrings(b.pod.gpuSpec.join('|'), a.pod.gpuSpec.join('|')),
  );
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const expected = (thresholdPercent * total) / 100;
  const taken: ShapeCount[] = [];
  let cumulative = 0;
  for (const entry of sorted) {
    if (cumulative >= expected) break;
    taken.push(entry);
    cumulative += entry.count;
  }
  return taken.map(({ pod, count }) => ({
    milliCpu: pod.milliCpu,
    milliGpu: pod.milliGpu,
    gpuNumber: pod.gpuNumber,
    gpuSpec: pod.gpuSpec,
    frequency: count / cumulative,
  }));
}

/** Go's string order (bytes), not the locale's. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
