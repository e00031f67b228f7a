import { describe, expect, it } from 'vitest';
import { fragCategory, nodeFragAmount, type TypicalPod } from '../../sim/fgd/index.ts';
import { node } from './helpers.ts';

const t = (
  milliCpu: number,
  milliGpu: number,
  gpuNumber: number,
  frequency: number,
  gpuSpec: string[] = [],
): TypicalPod => ({
  milliCpu,
  milliGpu,
  gpuNumber,
  gpuSpec,
  frequency,
});

describe('the fragmentation measure', () => {
  // A T4 node with [1000, 600] GPU milli left and 10 cores.
  const n = node([1000, 600], 10_000, 'T4');

  it('puts each typical pod in its category', () => {
    expect(fragCategory(n, t(1000, 0, 0, 1))).toBe('XL');
    expect(fragCategory(n, t(20_000, 0, 0, 1))).toBe('XR');
    expect(fragCategory(n, t(1000, 500, 1, 1, ['A10']))).toBe('NoAccess');
    expect(fragCategory(n, t(1000, 500, 2, 1))).toBe('Q3');
    expect(fragCategory(n, t(20_000, 500, 2, 1))).toBe('Q4');
    expect(fragCategory(n, t(1000, 1000, 2, 1))).toBe('Q2');
    expect(fragCategory(n, t(20_000, 1000, 2, 1))).toBe('Q1');
  });

  it('counts all idle GPU milli for a pod that cannot use the node, only the too-small GPUs for one that can', () => {
    const typical = [
      t(1000, 0, 0, 0.25), // CPU-only: XL, all 1600 idle counts
      t(1000, 500, 1, 0.25), // fits (Q3), no GPU below 500: 0
      t(1000, 1000, 1, 0.25), // fits (Q3), the 600 GPU is too small: 600
      t(1000, 500, 1, 0.25, ['A10']), // no access: 1600
    ];
    expect(nodeFragAmount(n, typical)).toBeCloseTo(0.25 * 1600 + 0 + 0.25 * 600 + 0.25 * 1600, 9);
  });

  it('is zero on a node with no idle GPU', () => {
    expect(nodeFragAmount(node([0, 0]), [t(1000, 0, 0, 1)])).toBe(0);
  });
});
