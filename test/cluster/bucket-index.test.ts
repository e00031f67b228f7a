import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketIndex } from '../../sim/cluster/index.ts';

describe('BucketIndex', () => {
  it('files members under keys and finds the next and previous non-empty keys', () => {
    const index = new BucketIndex(10, 100);
    index.set(1, 3);
    index.set(2, 40);
    index.set(3, 40);
    index.set(4, 99);
    expect(index.nextKey(0)).toBe(3);
    expect(index.nextKey(4)).toBe(40);
    expect(index.nextKey(41)).toBe(99);
    expect(index.nextKey(100)).toBe(-1);
    expect(index.prevKey(100)).toBe(99);
    expect(index.prevKey(98)).toBe(40);
    expect(index.prevKey(2)).toBe(-1);
    expect([...index.members(40)].sort()).toEqual([2, 3]);
    index.set(2, 3);
    index.delete(3);
    expect(index.count(40)).toBe(0);
    expect(index.nextKey(4)).toBe(99);
    expect(index.has(3)).toBe(false);
    expect(() => index.set(5, 101)).toThrow(RangeError);
  });

  it('agrees with a plain map under random moves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 19 }), fc.integer({ min: -1, max: 70 })), { maxLength: 200 }),
        fc.integer({ min: 0, max: 70 }),
        (moves, probe) => {
          const index = new BucketIndex(20, 70);
          const reference = new Map<number, number>();
          for (const [member, key] of moves) {
            index.set(member, key);
            if (key < 0) reference.delete(member);
            else reference.set(member, key);
          }
          const keys = [...reference.values()];
          const above = keys.filter((k) => k >= probe);
          const below = keys.filter((k) => k <= probe);
          expect(index.nextKey(probe)).toBe(above.length ? Math.min(...above) : -1);
          expect(index.prevKey(probe)).toBe(below.length ? Math.max(...below) : -1);
          for (let k = 0; k <= 70; k++) {
            const expected = [...reference]
              .filter(([, v]) => v === k)
              .map(([m]) => m)
              .sort((a, b) => a - b);
            expect([...index.members(k)].sort((a, b) => a - b)).toEqual(expected);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
