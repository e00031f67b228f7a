import { describe, expect, it } from 'vitest';
import { createTpEngine } from '../../src/kernel/engine.ts';
import { ReferenceModel } from '../../src/kernel/reference.ts';
import { prompt, relativeError, SEED, TEST_MODEL } from './support.ts';

// Decoding with the KV cache must equal recomputing the whole sequence from scratch at every step.
describe('KV-cache decode', () => {
  it('equals full recompute, step by step', async () => {
    const input = prompt(12, 3);
    const steps = 6;
    const engine = await createTpEngine({ model: TEST_MODEL, tp: 2, pp: 2, threads: 2, seed: SEED });
    try {
      const result = await engine.generate(input, steps, undefined, { returnLogits: true, stopAtEos: false });
      const logits = result.logits ?? new Float32Array();
      const vocab = TEST_MODEL.vocab;
      const reference = new ReferenceModel(TEST_MODEL, SEED);
      for (let step = 0; step < steps; step++) {
        const sequence = [...input, ...result.tokens.slice(0, step)];
        const recomputed = reference.recompute(sequence);
        expect(relativeError(logits.subarray(step * vocab, (step + 1) * vocab), recomputed)).toBeLessThan(1e-4);
      }
    } finally {
      await engine.close();
    }
  });

  it('starts every request from a clean cache', async () => {
    const engine = await createTpEngine({ model: TEST_MODEL, tp: 1, pp: 1, threads: 1, seed: SEED });
    try {
      const first = await engine.generate(prompt(30, 1), 10);
      await engine.generate(prompt(50, 2), 10);
      expect(await engine.generate(prompt(30, 1), 10)).toMatchObject({ tokens: first.tokens });
    } finally {
      await engine.close();
    }
  });
});
