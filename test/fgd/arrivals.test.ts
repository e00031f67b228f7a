import { describe, expect, it } from 'vitest';
import { Random } from '../../sim/engine/random.ts';
import { arrivalOrder, permutation, totalMilliGpu, type PodRequest } from '../../sim/fgd/index.ts';
import { pod } from './helpers.ts';

const total = (pods: readonly PodRequest[]) => pods.reduce((s, p) => s + totalMilliGpu(p), 0);
const named = (p: PodRequest, name: string): PodRequest => ({ ...p, name });

describe('pod order and tuning', () => {
  const workload = Array.from({ length: 20 }, (_, i) =>
    named(pod(1000, i % 2 ? 500 : 1000, 1), `p-${String(i).padStart(2, '0')}`),
  );

  it('shuffles the workload, then appends tuned clones until the next would pass the target', () => {
    // 15,000 milli of pods on 10 GPUs, tuned to 250%: 25,000
    const pods = arrivalOrder(workload, 10_000, 2.5, new Random(5));
    expect(
      pods
        .slice(0, 20)
        .map((p) => p.name)
        .sort(),
    ).toEqual(workload.map((p) => p.name));
    expect(pods.slice(0, 20).map((p) => p.name)).not.toEqual(workload.map((p) => p.name));
    expect(pods.slice(20).every((p) => /^p-\d\d-tuned-\d+$/.test(p.name))).toBe(true);
    expect(total(pods)).toBeLessThanOrEqual(25_000);
    expect(total(pods)).toBeGreaterThan(25_000 - 1000);
  });

  it('keeps the quirk: the stop test adds one GPU of milli, so multi-GPU clones overshoot', () => {
    const eight = [named(pod(1000, 1000, 8), 'big')];
    // target 13,000: 8,000 + 1,000 ≤ 13,000 lets a clone in (16,000), then 16,000 + 1,000 stops
    const pods = arrivalOrder(eight, 10_000, 1.3, new Random(1));
    expect(pods.map((p) => p.name)).toEqual(['big', 'big-tuned-0']);
  });

  it('removes random pods while the demand is above the target', () => {
    const pods = arrivalOrder(workload, 10_000, 1, new Random(9));
    expect(total(pods)).toBeLessThanOrEqual(10_000);
    expect(total(pods)).toBeGreaterThan(10_000 - 1000);
    expect(new Set(pods.map((p) => p.name)).size).toBe(pods.length);
  });

  it('is deterministic for a seed', () => {
    const a = arrivalOrder(workload, 10_000, 2.5, new Random(5)).map((p) => p.name);
    expect(arrivalOrder(workload, 10_000, 2.5, new Random(5)).map((p) => p.name)).toEqual(a);
  });

  it('draws node prefixes as a permutation', () => {
    expect(permutation(50, new Random(2)).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
