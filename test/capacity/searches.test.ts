/** The server's capacity searches: at most MAX_RUNNING at once, each followed by id to its answer. */
import { afterEach, describe, expect, it } from 'vitest';
import { buildQuestion, syntheticTraffic } from '../../src/capacity/question.ts';
import { CapacitySearches, MAX_RUNNING } from '../../src/capacity/searches.ts';

let searches: CapacitySearches;
afterEach(async () => searches.close());

describe('CapacitySearches', () => {
  it(`runs ${MAX_RUNNING} searches at once and refuses another until one finishes`, async () => {
    searches = new CapacitySearches(1);
    const built = buildQuestion({
      model: 'llama-3.1-8b',
      requests: syntheticTraffic({ rate: 10, inputTokens: 256, outputTokens: 32, requests: 60 }),
      slo: ['ttft:p90<=500ms'],
      gpus: ['H100-SXM-80GB'],
      tp: [1],
    });
    if (!built.ok) throw new Error(built.message);
    // start() answers at once: none of these can have finished before the next is asked for.
    const started = Array.from({ length: MAX_RUNNING }, () => searches.start(built.question, {}));
    expect(started.every((s) => s?.status === 'running')).toBe(true);
    expect(new Set(started.map((s) => s!.id)).size).toBe(MAX_RUNNING);
    expect(searches.start(built.question, {})).toBeUndefined();
    while (searches.running === MAX_RUNNING) await new Promise((done) => setTimeout(done, 20));
    expect(searches.start(built.question, {})).toBeDefined();
    while (searches.running > 0) await new Promise((done) => setTimeout(done, 20));
    const answers = started.map((s) => JSON.stringify(searches.get(s!.id)!.answer));
    expect(new Set(answers).size).toBe(1);
    expect(searches.get(started[0]!.id)).toMatchObject({ status: 'succeeded', creation: { spec: { replicas: 1 } } });
  });
});
