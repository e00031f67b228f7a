/**
 * The contract's patterns are matched in bounded time (V8 for short values where safe, RE2 otherwise) with the
 * same answers V8's own RegExp gives, for every pattern the contract has.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boundedRegExp } from '../../src/contract/ajv.ts';

const contract = readFileSync(new URL('../../src/contract/runai-2.24-contract.json', import.meta.url), 'utf8');
const patterns = [
  ...new Set([...contract.matchAll(/"pattern": "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string)),
];

describe('contract patterns', () => {
  it('finds them all', () => expect(patterns.length).toBeGreaterThanOrEqual(8));

  it.each(patterns)('%s: the same answers as RegExp, short values and long', (pattern) => {
    const v8 = new RegExp(pattern, 'u');
    const bounded = boundedRegExp(pattern);
    const values = fc.oneof(
      fc.stringMatching(v8),
      fc.string({ maxLength: 100 }),
      // The line terminators RE2 and V8 read differently, at the end of a value long enough to go to RE2.
      fc
        .tuple(fc.stringMatching(v8), fc.constantFrom('\r', '\n', '\u2028', '\u2029', '\r\n'))
        .map(([s, end]) => `${s}${'x'.repeat(70)}${end}`),
      fc.tuple(fc.stringMatching(v8), fc.constantFrom('\r', '\u2028')).map(([s, end]) => `${s}${end}${'x'.repeat(70)}`),
      fc.stringMatching(v8).map((s) => `${s}${s}${s}`.repeat(10)),
      fc.stringMatching(v8).chain((s) => fc.string({ maxLength: 3 }).map((t) => s + t)),
    );
    fc.assert(
      fc.property(values, (value) => bounded.test(value) === v8.test(value)),
      { numRuns: 300, seed: 7 },
    );
  });

  it('answers the quantity pattern on 200,000 digits and a letter (8 s to 37 s of backtracking in V8)', () => {
    const bounded = boundedRegExp('^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$');
    expect(bounded.test(`${'1'.repeat(200_000)}x`)).toBe(false);
    expect(bounded.test('1'.repeat(200_000))).toBe(true);
  });
});
