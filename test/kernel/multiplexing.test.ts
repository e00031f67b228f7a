import { describe, expect, it } from 'vitest';
import { createTpEngine } from '../../src/kernel/engine.ts';
import { ReferenceModel } from '../../src/kernel/reference.ts';
import { prompt, relativeError, SEED, TEST_MODEL } from './support.ts';

// More ranks than pool threads: each pool task steps several ranks phase by phase between barriers.
describe('ranks multiplexed over fewer threads', () => {
  it.each([
    { tp: 8, pp: 4, threads: 2 },
    { tp: 8, pp: 4, threads: 3 },
    { tp: 4, pp: 2, threads: 1 },
  ])('TP=$tp x PP=$pp on $threads thread(s) completes and matches the reference', async ({ tp, pp, threads }) => {
    const input = prompt(24, 5);
    const expected = new ReferenceModel(TEST_MODEL, SEED).generate(input, 6, false);
    const engine = await createTpEngine({ model: TEST_MODEL, tp, pp, threads, seed: SEED });
    try {
      expect(engine.threads).toBe(threads);
      const streamed: number[] = [];
      const result = await engine.generate(input, 6, (id) => streamed.push(id), {
        returnLogits: true,
        stopAtEos: false,
      });
      expect(result.tokens).toEqual(expected.tokens);
      expect(streamed).toEqual(expected.tokens);
      expect(relativeError(result.logits ?? new Float32Array(), expected.logits)).toBeLessThan(1e-4);
    } finally {
      await engine.close();
    }
  });

  it('serves concurrent requests one after another', async () => {
    const engine = await createTpEngine({ model: TEST_MODEL, tp: 2, pp: 2, threads: 2, seed: SEED });
    try {
      const inputs = [prompt(10, 1), prompt(15, 2), prompt(20, 3)];
      const results = await Promise.all(inputs.map((p) => engine.generate(p, 5)));
      const reference = new ReferenceModel(TEST_MODEL, SEED);
      results.forEach((r, i) => expect(r.tokens).toEqual(reference.generate(inputs[i] ?? [], 5).tokens));
    } finally {
      await engine.close();
    }
  });
});
