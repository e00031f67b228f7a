import { describe, expect, it } from 'vitest';
import { typicalPods } from '../../sim/fgd/index.ts';
import { pod } from './helpers.ts';

const many = (n: number, p: ReturnType<typeof pod>) => Array.from({ length: n }, () => p);

describe('typical pods', () => {
  it('takes specs by decreasing count until the threshold is covered, and renormalises', () => {
    const a = pod(4000, 500, 1);
    const b = pod(8000, 1000, 1);
    const c = pod(2000, 0, 0);
    const pods = [...many(5, a), ...many(3, b), ...many(2, c)];
    const typical = typicalPods(pods, 80); // 8 of 10 pods: a and b
    expect(typical.map((t) => [t.milliCpu, t.milliGpu, t.gpuNumber, t.frequency])).toEqual([
      [4000, 500, 1, 5 / 8],
      [8000, 1000, 1, 3 / 8],
    ]);
  });

  it('orders equal counts by decreasing cpu, then GPU milli, then GPU count', () => {
    const a = pod(1000, 500, 1);
    const low = pod(2000, 1000, 1);
    const high = pod(3000, 1000, 1);
    const pods = [...many(4, a), ...many(2, low), ...many(2, high)];
    const typical = typicalPods(pods, 70); // 5.6 of 8: a (4), then the larger of the tied specs (6)
    expect(typical.map((t) => t.milliCpu)).toEqual([1000, 3000]);
    expect(typical.map((t) => t.frequency)).toEqual([4 / 6, 2 / 6]);
  });

  it('keeps CPU-only pods and distinguishes GPU type lists', () => {
    const pods = [pod(1000, 0, 0), pod(1000, 500, 1, ['T4']), pod(1000, 500, 1, ['A10'])];
    expect(typicalPods(pods)).toHaveLength(3);
  });
});
