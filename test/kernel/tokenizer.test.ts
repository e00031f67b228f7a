import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOS, detokenize, EOS, tokenize } from '../../src/kernel/tokenizer.ts';

describe('byte tokenizer', () => {
  it('maps text to a BOS and its UTF-8 bytes', () => {
    expect(tokenize('Hi!')).toEqual([BOS, 72, 105, 33]);
    expect(tokenize('é', { bos: false })).toEqual([0xc3, 0xa9]);
    expect(tokenize('')).toEqual([BOS]);
  });

  it('round-trips any string of well-formed Unicode', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => detokenize(tokenize(text)) === text));
    expect(detokenize(tokenize('héllo wörld — 你好 🚀'))).toBe('héllo wörld — 你好 🚀');
  });

  it('drops special tokens and replaces invalid UTF-8', () => {
    expect(detokenize([BOS, 104, 105, EOS])).toBe('hi');
    expect(detokenize([0xff, 65])).toBe('\uFFFDA');
  });
});
