import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTpEngine, type TpEngine } from '../../src/kernel/engine.ts';
import { GenerationAbortedError, RankFailedError } from '../../src/kernel/errors.ts';
import { prompt, SEED, TEST_MODEL } from './support.ts';

// A rank that throws fails the request with a clear error naming it; the abort flag in shared memory
// wakes the peers blocked in barriers, and the same engine (and pool) serves the next request.
let engine: TpEngine;
let baseline: number[];
const INPUT = prompt(20, 4);

beforeAll(async () => {
  engine = await createTpEngine({ model: TEST_MODEL, tp: 2, pp: 2, threads: 2, seed: SEED });
  baseline = (await engine.generate(INPUT, 8)).tokens;
});

afterAll(async () => {
  await engine.close();
});

describe('rank failure', () => {
  it.each([
    { rank: 3, step: 0, what: 'during prefill, last stage' },
    { rank: 0, step: 3, what: 'during decode, first stage' },
  ])('reports the failing rank ($what) and recovers', async ({ rank, step }) => {
    const failed = engine.generate(INPUT, 8, undefined, { injectFault: { rank, step } });
    await expect(failed).rejects.toBeInstanceOf(RankFailedError);
    await expect(failed).rejects.toMatchObject({ rank, stage: Math.floor(rank / 2), tpRank: rank % 2 });
    await expect(failed).rejects.toThrow(/injected fault/);
    expect((await engine.generate(INPUT, 8)).tokens).toEqual(baseline);
  });

  it('recovers when the thread running a rank dies', async () => {
    const failed = engine.generate(INPUT, 8, undefined, { injectFault: { rank: 2, step: 1, kind: 'exit' } });
    await expect(failed).rejects.toBeInstanceOf(RankFailedError);
    // Rank 2 runs in pool task 0 (ranks 0 and 2), the first of which is named.
    await expect(failed).rejects.toThrow(/worker thread \(pool task 0\) died/);
    expect((await engine.generate(INPUT, 8)).tokens).toEqual(baseline);
    expect((await engine.generate(INPUT, 8)).tokens).toEqual(baseline);
  });

  it('streams the tokens produced before a decode-time failure', async () => {
    const seen: number[] = [];
    await expect(
      engine.generate(INPUT, 8, (id) => seen.push(id), { injectFault: { rank: 1, step: 4 } }),
    ).rejects.toThrow(/rank 1 .*failed/);
    expect(seen).toEqual(baseline.slice(0, 4));
  });

  it('cancels through an AbortSignal and recovers', async () => {
    const controller = new AbortController();
    // Abort on the first streamed token; the ranks still have ~200 decode steps to go.
    const run = engine.generate(INPUT, 230, () => controller.abort(), { signal: controller.signal, stopAtEos: false });
    await expect(run).rejects.toBeInstanceOf(GenerationAbortedError);
    await expect(engine.generate(INPUT, 8, undefined, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      GenerationAbortedError,
    );
    expect((await engine.generate(INPUT, 8)).tokens).toEqual(baseline);
  });

  it('rejects a bad request without touching the ranks', async () => {
    await expect(engine.generate([], 4)).rejects.toThrow(/at least one token/);
    await expect(engine.generate([999], 4)).rejects.toThrow(/out of vocabulary/);
    expect((await engine.generate(INPUT, 8)).tokens).toEqual(baseline);
  });
});
