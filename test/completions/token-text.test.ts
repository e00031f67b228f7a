import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOS, detokenize, EOS, tokenize } from '../../src/kernel/index.ts';
import { TokenTextStream } from '../../src/completions/token-text.ts';

const streamed = (ids: readonly number[]): string[] => {
  const text = new TokenTextStream();
  return [...ids.map((id) => text.push(id)), text.flush()];
};

describe('TokenTextStream', () => {
  it('holds back partial characters and skips special tokens', () => {
    expect(streamed(tokenize('é€'))).toEqual(['', '', 'é', '', '', '€', '']);
    expect(streamed([0x68, BOS, 0x69, EOS])).toEqual(['h', '', 'i', '', '']);
  });

  it('concatenates to detokenize for any token sequence, invalid UTF-8 included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 257 }), { maxLength: 64 }), (ids) => {
        expect(streamed(ids).join('')).toBe(detokenize(ids));
      }),
      { numRuns: 500 },
    );
  });
});
