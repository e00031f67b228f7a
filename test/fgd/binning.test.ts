import { describe, expect, it } from 'vitest';
import { binMeans, binTrace, curveStats, roundHalfEven, type RunTrace } from '../../sim/fgd/index.ts';

const trace = (arrived: number[], used: number[], frag: number[]): RunTrace => ({
  arrivedMilli: Float64Array.from(arrived),
  usedMilli: Float64Array.from(used),
  fragRatio: Float64Array.from(frag),
  chosen: new Int32Array(arrived.length),
  placed: arrived.length,
  failed: 0,
});

describe('binning by arrived demand', () => {
  it('rounds halves to even, as Python does', () => {
    expect([0.5, 1.5, 2.5, 2.6, 3.49].map(roundHalfEven)).toEqual([0, 2, 2, 3, 3]);
  });

  it('averages events of a bin, else of the bins next to it, else leaves it empty', () => {
    // 10 GPUs: 100 milli is 1%. Arrived 1%, 1.5% (→ 2), 2.5% (→ 2), 4%.
    const binned = binTrace(trace([100, 150, 250, 400], [100, 150, 200, 300], [10, 20, 30, 40]), 10, 6);
    expect(binned.allocation).toEqual([1, 1, 1.75, 2.17, 3, 3, null]);
    expect(binned.fragRatio[2]).toBe(25);
    expect(binned.fragRatio[3]).toBe(30);
  });

  it('ignores events outside the bins but lets the one past the last count as a neighbour', () => {
    expect(binMeans([3, 9], [1, 5], 2)).toEqual([null, null, 1]);
  });

  it('takes mean and sample std over seeds per bin', () => {
    const stats = curveStats([
      [1, 2, null],
      [3, 2, 5],
    ]);
    expect(stats.mean).toEqual([2, 2, null]);
    expect(stats.std[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(stats.std[1]).toBe(0);
  });
});
