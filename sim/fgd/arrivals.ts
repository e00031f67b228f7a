/**
 * The pod order and the tuning to 130% (`Simulate`, `TunePodsByNodeTotalResource`): the workload sorted by name and
 * shuffled, then topped up with random clones of the workload's pods (or thinned by random removals) until the GPU
 * demand reaches `ratio` × the cluster's GPU milli. Draws come in the reference's order.
 */
import type { Random } from '../engine/random.ts';
import { totalMilliGpu, type PodRequest } from './pod-request.ts';

export const TUNE_RATIO = 1.3;

/** `workload` must already be sorted by name (the reference's `workloadPods`). */
export function arrivalOrder(
  workload: readonly PodRequest[],
  clusterMilliGpu: number,
  ratio: number,
  rng: Random,
): PodRequest[] {
  rng.nextUint32(); // the reference logs rand.Int() right after seeding; Go evaluates it even with logging off
  const pods = shuffled(workload, rng);
  const target = ratio * clusterMilliGpu;
  let total = pods.reduce((sum, p) => sum + totalMilliGpu(p), 0);
  if (total < target) tuneUp(pods, workload, total, target, rng);
  else while (total > target) total -= totalMilliGpu(pods.splice(rng.int(0, pods.length - 1), 1)[0]!);
  return pods;
}

/**
 * Clones go at the end of the list. The reference's quirk is kept: the stop test adds the clone's per-GPU milli,
 * not milli × count, and CPU-only clones never stop the loop.
 */
function tuneUp(pods: PodRequest[], workload: readonly PodRequest[], total: number, target: number, rng: Random): void {
  if (workload.every((p) => p.milliGpu === 0)) return; // nothing could ever reach the target
  for (let i = 0; ; i++) {
    const pod = workload[rng.int(0, workload.length - 1)]!;
    if (total + pod.milliGpu > target) return;
    pods.push({ ...pod, name: `${pod.name}-tuned-${i}` });
    total += totalMilliGpu(pod);
  }
}

/** Fisher-Yates from the end, as Go's rand.Shuffle does. */
function shuffled<T>(items: readonly T[], rng: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A uniform permutation of 0..n-1 (Go's rand.Perm): the random node-name prefixes that break score ties. */
export function permutation(n: number, rng: Random): number[] {
  const m = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const j = rng.int(0, i);
    m[i] = m[j]!;
    m[j] = i;
  }
  return m;
}

/** Go's string order (bytes, for ASCII names), not the locale's. */
export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
