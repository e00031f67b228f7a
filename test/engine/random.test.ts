import { describe, expect, it } from 'vitest';
import { Random } from '../../sim/engine/index.ts';

const draw = (random: Random, n: number): number[] => Array.from({ length: n }, () => random.next());
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Random', () => {
  it('is a pure function of its seed', () => {
    expect(draw(new Random(42), 100)).toEqual(draw(new Random(42), 100));
    expect(draw(new Random(42), 100)).not.toEqual(draw(new Random(43), 100));
    // Seeds beyond 32 bits are distinct too.
    expect(draw(new Random(2 ** 40), 10)).not.toEqual(draw(new Random(0), 10));
  });

  it('saves and restores its state exactly, and clones independently', () => {
    const random = new Random(7);
    draw(random, 13);
    const state = random.state();
    const clone = random.clone();
    const next = draw(random, 50);
    expect(draw(clone, 50)).toEqual(next);
    random.restore(state);
    expect(draw(random, 50)).toEqual(next);
    expect(() => random.restore([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => random.restore([1, 2, 3] as unknown as [number, number, number, number])).toThrow(RangeError);
  });

  it('draws uniform values in [0, 1) and integers in range', () => {
    const random = new Random(1);
    const xs = draw(random, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 1);
    const ints = Array.from({ length: 10_000 }, () => random.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
    expect(() => random.int(5, 3)).toThrow(RangeError);
  });

  it('gives the distributions their textbook means', () => {
    const random = new Random(2);
    const n = 50_000;
    expect(mean(Array.from({ length: n }, () => random.exponential(30)))).toBeCloseTo(30, -0.5);
    expect(mean(Array.from({ length: n }, () => random.normal(10, 2)))).toBeCloseTo(10, 1);
    // Lognormal mean is exp(mu + sigma^2 / 2).
    expect(mean(Array.from({ length: n }, () => random.lognormal(1, 0.5)))).toBeCloseTo(Math.exp(1.125), 1);
    const fromMedian = Array.from({ length: n }, () => random.lognormalFromMedian(60, 180)).sort((a, b) => a - b);
    expect(fromMedian[n / 2]!).toBeGreaterThan(55);
    expect(fromMedian[n / 2]!).toBeLessThan(65);
    expect(fromMedian[Math.floor(n * 0.9)]!).toBeGreaterThan(165);
    expect(fromMedian[Math.floor(n * 0.9)]!).toBeLessThan(195);
  });

  it('chooses by weight and rejects bad weights', () => {
    const random = new Random(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 30_000; i++) counts[random.weighted(['a', 'b', 'c'] as const, [1, 0, 3])]++;
    expect(counts.b).toBe(0);
    expect(counts.c / counts.a).toBeGreaterThan(2.7);
    expect(counts.c / counts.a).toBeLessThan(3.3);
    expect(() => random.weighted(['a'], [0])).toThrow(RangeError);
    expect(() => random.weighted(['a', 'b'], [1])).toThrow(RangeError);
    expect(() => random.weighted(['a'], [-1])).toThrow(RangeError);
    expect(() => random.choice([])).toThrow(RangeError);
    expect(() => random.exponential(0)).toThrow(RangeError);
  });
});
