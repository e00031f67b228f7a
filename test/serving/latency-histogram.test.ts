/** vLLM's latency buckets and PromQL's histogram_quantile over them. */
import { describe, expect, it } from 'vitest';
import {
  LatencyHistogram,
  VLLM_TTFT_BUCKETS,
  histogramDelta,
  histogramQuantile,
} from '../../sim/serving/latency-histogram.ts';

describe('LatencyHistogram', () => {
  it('counts a value in the first bucket whose bound is not below it (le)', () => {
    const h = new LatencyHistogram([0.1, 1]);
    for (const x of [0.05, 0.1, 0.5, 1, 3]) h.add(x);
    expect(h.snapshot()).toEqual({ bounds: [0.1, 1], counts: [2, 2, 1], sum: 4.65, count: 5 });
  });

  it('interpolates inside the bucket holding the rank, as histogram_quantile does', () => {
    const h = new LatencyHistogram([1, 2, 4]);
    for (const x of [0.5, 1.5, 1.5, 3]) h.add(x);
    // rank 2 of 4: the first of the two in bucket (1, 2] → halfway through it.
    expect(histogramQuantile(h.snapshot(), 0.5)).toBe(1.5);
    // rank 1: the first bucket's only value → its bound; rank 0.4: 0.4 of the way from 0.
    expect(histogramQuantile(h.snapshot(), 0.25)).toBe(1);
    expect(histogramQuantile(h.snapshot(), 0.1)).toBeCloseTo(0.4, 12);
    h.add(100);
    // Past the last finite bound: that bound.
    expect(histogramQuantile(h.snapshot(), 0.99)).toBe(4);
    expect(histogramQuantile(new LatencyHistogram([1]).snapshot(), 0.5)).toBeNaN();
  });

  it('takes the difference of two snapshots', () => {
    const h = new LatencyHistogram(VLLM_TTFT_BUCKETS);
    h.add(0.03);
    const before = h.snapshot();
    h.add(0.2);
    h.add(0.2);
    const delta = histogramDelta(h.snapshot(), before);
    expect(delta.count).toBe(2);
    expect(delta.counts[VLLM_TTFT_BUCKETS.indexOf(0.25)]).toBe(2);
    expect(delta.sum).toBeCloseTo(0.4, 12);
  });
});
