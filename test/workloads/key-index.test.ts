import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../sim/simulator/key-index.ts';

type Op = { kind: 'add' | 'remove' | 'find'; key: string };

/** Runs operations against an index and against a Map, the table being an array of keys (position = index). */
function agreesWithMap(ops: readonly Op[], hash?: (key: string) => number): void {
  const table: string[] = [];
  const index = new KeyIndex((position) => table[position]!, hash);
  const model = new Map<string, number>();
  for (const { kind, key } of ops) {
    if (kind === 'add' && !model.has(key)) {
      table.push(key);
      index.add(key, table.length - 1);
      model.set(key, table.length - 1);
    } else if (kind === 'remove') {
      expect(index.remove(key)).toBe(model.delete(key));
    }
    expect(index.find(key)).toBe(model.get(key) ?? -1);
    expect(index.size).toBe(model.size);
  }
  for (const [key, position] of model) expect(index.find(key)).toBe(position);
}

const ops = (keys: fc.Arbitrary<string>) =>
  fc.array(fc.record({ kind: fc.constantFrom<Op['kind']>('add', 'add', 'remove', 'find'), key: keys }), {
    maxLength: 400,
  });

describe('KeyIndex', () => {
  it('finds what was added and not removed, like a Map', () => {
    fc.assert(fc.property(ops(fc.string({ maxLength: 6 })), (o) => agreesWithMap(o)));
  });

  it('tells keys apart whose hashes collide (every key on one probe sequence, or a few)', () => {
    fc.assert(fc.property(ops(fc.string({ maxLength: 3 })), (o) => agreesWithMap(o, () => 7)));
    fc.assert(fc.property(ops(fc.string({ maxLength: 8 })), (o) => agreesWithMap(o, (key) => key.length)));
  });

  it('grows through many keys and stays right through churn', () => {
    const table = Array.from({ length: 100_000 }, (_, i) => `workload-${i}`);
    const index = new KeyIndex((position) => table[position]!);
    table.forEach((key, position) => index.add(key, position));
    expect(index.size).toBe(100_000);
    expect(table.every((key, position) => index.find(key) === position)).toBe(true);
    expect(index.find('workload-100000')).toBe(-1);
    // Churn: remove a fifth and add it back, five times; removed slots are reused or swept.
    for (let round = 0; round < 5; round++) {
      let removed = 0;
      for (let i = round; i < table.length; i += 5) removed += index.remove(table[i]!) ? 1 : 0;
      expect(removed).toBe(20_000);
      expect(index.size).toBe(80_000);
      for (let i = round; i < table.length; i += 5) index.add(table[i]!, i);
    }
    expect(table.every((key, position) => index.find(key) === position)).toBe(true);
  });

  it('copies independently, reading keys through the copy’s table', () => {
    const table = ['a', 'b', 'c'];
    const index = new KeyIndex((position) => table[position]!);
    table.forEach((key, position) => index.add(key, position));
    const other = [...table];
    const copy = index.copy((position) => other[position]!);
    copy.remove('b');
    other.push('d');
    copy.add('d', 3);
    expect([index.find('b'), index.find('d'), index.size]).toEqual([1, -1, 3]);
    expect([copy.find('b'), copy.find('d'), copy.size]).toEqual([-1, 3, 3]);
  });
});
