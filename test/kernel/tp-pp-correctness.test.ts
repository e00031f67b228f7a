import { beforeAll, describe, expect, it } from 'vitest';
import { createTpEngine } from '../../src/kernel/engine.ts';
import { ReferenceModel, type ReferenceResult } from '../../src/kernel/reference.ts';
import { prompt, relativeError, SEED, TEST_MODEL } from './support.ts';

// Every TP x PP split of the model must compute the single-rank reference: same greedy tokens,
// logits within 1e-4 relative error at every step. A 40-token prompt in 16-token chunks also
// exercises chunked prefill against the KV cache.
const PROMPT = prompt(40);
const MAX_TOKENS = 8;
let expected: ReferenceResult;

beforeAll(() => {
  expected = new ReferenceModel(TEST_MODEL, SEED).generate(PROMPT, MAX_TOKENS, false);
});

describe.each([1, 2, 4, 8])('tp=%i', (tp) => {
  it.each([1, 2, 4])('pp=%i matches the reference', async (pp) => {
    const engine = await createTpEngine({ model: TEST_MODEL, tp, pp, threads: 2, seed: SEED, prefillChunk: 16 });
    try {
      const result = await engine.generate(PROMPT, MAX_TOKENS, undefined, { returnLogits: true, stopAtEos: false });
      expect(result.tokens).toEqual(expected.tokens);
      expect(result.logits?.length).toBe(expected.logits.length);
      expect(relativeError(result.logits ?? new Float32Array(), expected.logits)).toBeLessThan(1e-4);
    } finally {
      await engine.close();
    }
  });
});
