import { describe, expect, it } from 'vitest';
import {
  checkSlo,
  creationBody,
  parseSloBound,
  percentilesOf,
  searchCapacity,
  type CapacityQuestion,
  type SloBound,
} from '../../sim/capacity/index.ts';
import { Random } from '../../sim/engine/index.ts';
import { checkDeployment, LATENCY_MODELS } from '../../sim/perf/index.ts';
import { simulateServing, syntheticRequests } from '../../sim/serving/index.ts';
import { capacityPool } from '../../src/capacity/pool.ts';
import { contractAjv } from '../../src/contract/ajv.ts';
import { contractRef } from '../../src/contract/contract.ts';
import { translateCreation, type CreationRequest } from '../../src/runai/translate.ts';

const bound = (text: string): SloBound => {
  const parsed = parseSloBound(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
};

/** Llama-3.1-8B on H100 or A100, TP 1 or 2: small enough to search in a second. */
function question(rate: number, slo: string[], count = 400): CapacityQuestion {
  return {
    model: 'llama-3.1-8b',
    requests: [
      ...syntheticRequests(
        new Random(3),
        count,
        { kind: 'gamma', rate, burstiness: 1 },
        { kind: 'random', tokens: 1024, rangeRatio: 0.5 },
        { kind: 'random', tokens: 128, rangeRatio: 0.5 },
      ),
    ],
    slo: slo.map(bound),
    gpus: [
      { gpu: 'A100-SXM-80GB', pricePerHour: 1.3 },
      { gpu: 'H100-SXM-80GB', pricePerHour: 3 },
    ],
    tp: [1, 2],
    pp: [1],
    engines: ['vllm'],
    routers: ['least-outstanding'],
  };
}

const SLO = ['ttft:p90<=300ms', 'tpot:p99<=40ms'];

describe('capacity search', () => {
  it('gives the same answer on a pool of worker threads as in one thread', async () => {
    const q = question(20, SLO);
    const pool = capacityPool(2);
    try {
      expect(JSON.stringify(await searchCapacity(q, { runner: pool }))).toBe(JSON.stringify(await searchCapacity(q)));
    } finally {
      await pool.close();
    }
  });

  it('finds the cheapest shape meeting the SLO, and the winner replayed on its own meets it', async () => {
    const q = question(20, SLO);
    const answer = await searchCapacity(q);
    const best = answer.best!;
    expect(best).not.toBeNull();
    expect(answer.candidates).toHaveLength(4);
    for (const c of answer.candidates)
      if (c.status === 'met') expect(c.costPerHour).toBeGreaterThanOrEqual(best.costPerHour);
    const d = checkDeployment({ model: q.model, gpu: best.shape.gpu, tp: best.shape.tp });
    if (!d.ok) throw new Error(d.message);
    const replay = simulateServing({
      pricer: LATENCY_MODELS.calibrated.create(d.deployment),
      replicas: best.replicas,
      router: best.shape.router,
      requests: q.requests,
      percentiles: percentilesOf(q.slo),
    });
    expect(checkSlo(replay, q.slo).met).toBe(true);
    // Pareto: cheapest first, each strictly better on p90 TTFT than the cheaper ones.
    const p = answer.pareto;
    expect(p[0]).toEqual(best);
    for (let i = 1; i < p.length; i++) {
      expect(p[i]!.costPerHour).toBeGreaterThanOrEqual(p[i - 1]!.costPerHour);
      expect(p[i]!.figures.p90TtftMs).toBeLessThan(p[i - 1]!.figures.p90TtftMs);
    }
    expect(JSON.stringify(await searchCapacity(q))).toBe(JSON.stringify(answer));
  });

  it('never needs fewer GPUs for more traffic, nor costs more for a looser SLO', async () => {
    const cost = async (rate: number, slo: string[]) =>
      (await searchCapacity(question(rate, slo))).best?.costPerHour ?? Infinity;
    const gpus = async (rate: number) => (await searchCapacity(question(rate, SLO))).best?.gpus ?? Infinity;
    expect(await gpus(40)).toBeGreaterThanOrEqual(await gpus(20));
    expect(await gpus(20)).toBeGreaterThanOrEqual(await gpus(5));
    expect(await cost(20, ['ttft:p90<=600ms', 'tpot:p99<=80ms'])).toBeLessThanOrEqual(await cost(20, SLO));
  });

  it('says why each rejected candidate was rejected', async () => {
    const q = { ...question(20, SLO), model: 'llama-3.1-70b' };
    const answer = await searchCapacity(q);
    const a100tp1 = answer.candidates.find((c) => c.shape.gpu === 'A100-SXM-80GB' && c.shape.tp === 1)!;
    expect(a100tp1).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/does not fit/) });
    const impossible = await searchCapacity(question(20, ['ttft:p90<=1ms']));
    expect(impossible.best).toBeNull();
    expect(impossible.candidates.every((c) => c.status === 'rejected' && /misses the SLO/.test(c.reason))).toBe(true);
  });

  it('parses SLO bounds as METRIC:pP<=BOUND, in ms or s, and refuses anything else with the form expected', () => {
    expect(parseSloBound('ttft:p90<=2000ms')).toEqual({
      ok: true,
      value: { metric: 'ttft', percentile: 90, ms: 2000 },
    });
    expect(parseSloBound('tpot:p99.9<=0.2s')).toEqual({
      ok: true,
      value: { metric: 'tpot', percentile: 99.9, ms: 200 },
    });
    for (const bad of ['ttft:p100<=1ms', 'latency:p90<=1ms', 'ttft<=2000', 'ttft:p90<=0ms'])
      expect(parseSloBound(bad)).toMatchObject({ ok: false, message: expect.stringMatching(/METRIC:pP<=BOUND/) });
  });
});

describe('the winner as a Run:ai creation body', () => {
  const validate = contractAjv('body').getSchema(contractRef('DistributedInferenceCreationRequest'))!;
  it.each([
    [{ gpu: 'H100-SXM-80GB', tp: 4, pp: 1, engine: 'vllm', router: 'least-outstanding' as const }, 3],
    [{ gpu: 'H100-SXM-80GB', tp: 8, pp: 2, engine: 'vllm', maxNumSeqs: 128, router: 'least-outstanding' as const }, 2],
  ])('validates against the contract and translates to the searched shape: %j × %i', (shape, replicas) => {
    const body = creationBody(shape, replicas, {
      name: 'llama-serving',
      projectId: '101',
      clusterId: '3a1f6c2e-9b4d-4e8a-8c7f-1d2e3f4a5b6c',
      modelId: 'meta-llama/Llama-3.1-70B-Instruct',
    });
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    const translated = translateCreation(body as unknown as CreationRequest, {
      clusterId: '3a1f6c2e-9b4d-4e8a-8c7f-1d2e3f4a5b6c',
      projectName: () => 'serving',
    });
    if (!translated.ok) throw new Error(translated.message);
    expect(translated.spec).toMatchObject({ replicas, workers: shape.pp - 1 });
    expect(translated.spec.leader.resources.gpu).toEqual({ kind: 'devices', count: shape.tp });
    expect((body.spec as { leader: { args: string } }).leader.args).toContain(`--tensor-parallel-size ${shape.tp}`);
  });
});
