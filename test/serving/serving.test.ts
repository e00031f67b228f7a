import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../../sim/engine/index.ts';
import {
  checkDeployment,
  IDEAL_CALIBRATION,
  IterationPricer,
  LATENCY_MODELS,
  type BatchShape,
  type DeploymentRequest,
} from '../../sim/perf/index.ts';
import {
  Distribution,
  gamma,
  MAX_POINTS,
  MetricsCollector,
  newRequest,
  percentile,
  Replica,
  simulateServing,
  summarise,
  syntheticRequests,
  type RequestSpec,
  type Slo,
} from '../../sim/serving/index.ts';

function pricerFor(request: DeploymentRequest, calibrated = true): IterationPricer {
  const checked = checkDeployment(request);
  if (!checked.ok) throw new Error(checked.message);
  return calibrated
    ? LATENCY_MODELS.calibrated.create(checked.deployment)
    : new IterationPricer(checked.deployment, IDEAL_CALIBRATION);
}

/** A pricer of constant cost per iteration, to hand-compute the client's metrics. */
function constantPricer(seconds: number, overrides: Partial<{ maxNumBatchedTokens: number; maxNumSeqs: number }> = {}) {
  const base = pricerFor({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engineOverrides: overrides }, false);
  const seen: BatchShape[] = [];
  const pricer = Object.create(base) as IterationPricer;
  pricer.secondsOf = (shape: BatchShape) => {
    seen.push({ ...shape });
    return seconds;
  };
  return { pricer, seen };
}

const fixed = (tokens: number) => ({ kind: 'fixed', tokens }) as const;

describe('the client’s metrics, by hand', () => {
  it('one request of 4 prompt and 3 output tokens at 10 ms an iteration: TTFT 10, TPOT 10, E2EL 30 ms', () => {
    const { pricer } = constantPricer(0.01);
    const r = simulateServing({
      pricer,
      replicas: 1,
      router: 'round-robin',
      requests: [{ arrival: 0, inputTokens: 4, outputTokens: 3 }],
      percentiles: [50, 99],
    });
    expect(r.completed).toBe(1);
    expect(r.mean_ttft_ms).toBeCloseTo(10, 9);
    expect(r.mean_tpot_ms).toBeCloseTo(10, 9);
    expect(r.mean_e2el_ms).toBeCloseTo(30, 9);
    expect(r.mean_itl_ms).toBeCloseTo(10, 9);
    expect(r.duration).toBeCloseTo(0.03, 12);
    expect(r.output_throughput).toBeCloseTo(3 / 0.03, 6);
    expect(r.total_token_throughput).toBeCloseTo(7 / 0.03, 6);
    expect(r.p50_ttft_ms).toBeCloseTo(10, 9);
  });

  it('splits a prompt longer than the token budget into chunks, decodes first', () => {
    const { pricer, seen } = constantPricer(0.01, { maxNumBatchedTokens: 100 });
    const requests: RequestSpec[] = [
      { arrival: 0, inputTokens: 50, outputTokens: 4 },
      { arrival: 0.015, inputTokens: 250, outputTokens: 2 },
    ];
    const r = simulateServing({ pricer, replicas: 1, router: 'round-robin', requests });
    // 1: A's prompt (50). 2: A's first decode (B not yet sent). 3: A decodes, B's first chunk of 99. Budget 100.
    expect(seen[0]).toMatchObject({ tokens: 50, sequences: 1, decodes: 0 });
    expect(seen[1]).toMatchObject({ tokens: 1, sequences: 1, decodes: 1 });
    expect(seen[2]).toMatchObject({ tokens: 100, sequences: 2, decodes: 1 });
    for (const s of seen) expect(s.tokens).toBeLessThanOrEqual(100);
    expect(seen[3]).toMatchObject({ tokens: 100, sequences: 2, decodes: 1 });
    expect(r.completed).toBe(2);
  });

  it('computes TPOT only over requests with more than one output token, ITL over every gap, goodput online', () => {
    const run = (slo: Slo) => {
      const m = new MetricsCollector(0, slo);
      const a = newRequest(0, { arrival: 0, inputTokens: 1, outputTokens: 3 }, 0);
      const b = newRequest(1, { arrival: 0, inputTokens: 1, outputTokens: 1 }, 0);
      for (const [r, at] of [
        [a, 0.1],
        [b, 0.2],
        [a, 0.3],
        [a, 0.6],
      ] as const) {
        r.generated++;
        m.token(r, at);
      }
      a.finished = 0.6;
      b.finished = 0.2;
      m.finish(a);
      m.finish(b);
      return m;
    };
    const m = run({});
    expect(m.tpot.count).toBe(1);
    expect(m.tpot.summary([]).mean).toBeCloseTo(250, 9);
    expect(m.itl.count).toBe(2);
    expect(m.itl.summary([0]).percentiles[0]![1]).toBeCloseTo(200, 9);
    expect(m.ttft.summary([]).mean).toBeCloseTo(150, 9);
    expect(m.good).toBe(2);
    expect(run({ ttft: 150 }).good).toBe(1);
    expect(run({ tpot: 100 }).good).toBe(1); // b's TPOT counts as 0
  });

  it('summarises as numpy does: linear-interpolation percentiles, population std', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 99)).toBeCloseTo(3.97, 12);
    const s = summarise([0.001, 0.002, 0.003, 0.004], [90]);
    expect(s.mean).toBeCloseTo(2.5, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.percentiles[0]![1]).toBeCloseTo(3.7, 12);
  });

  it('selects the same percentiles as sorting would (property, duplicates included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.double({ min: 0.1, max: 99.9, noNaN: true }), { maxLength: 4 }),
        (ints, ps) => {
          const values = ints.map((x) => x / 1000);
          const sorted = [...values].sort((a, b) => a - b);
          const s = summarise(values, ps);
          expect(s.median).toBeCloseTo(percentile(sorted, 50) * 1000, 9);
          for (const [p, v] of s.percentiles) expect(v).toBeCloseTo(percentile(sorted, p) * 1000, 9);
        },
      ),
    );
  });
});

describe('a metric past its exact limit', () => {
  it('keeps mean and std exact and every percentile within 0.1% (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 4 }),
        (values, ps) => {
          const exact = summarise(values, ps);
          const folded = summarise(values, ps, 8);
          expect(folded.mean).toBeCloseTo(exact.mean, 6);
          expect(Math.abs(folded.std - exact.std)).toBeLessThanOrEqual(1e-9 * Math.max(1, exact.std));
          for (let i = 0; i < ps.length; i++) {
            const [, want] = exact.percentiles[i]!;
            expect(Math.abs(folded.percentiles[i]![1] - want)).toBeLessThanOrEqual(want * 1e-3 + 1e-12);
          }
        },
      ),
    );
  });

  it('stays in bounded memory for millions of values', () => {
    const d = new Distribution(1000);
    for (let i = 0; i < 3_000_000; i++) d.add(0.01 + (i % 1000) / 1e5);
    expect(d.isExact).toBe(false);
    const s = d.summary([50]);
    expect(s.median).toBeCloseTo(14.995, 1);
  });
});

describe('the engine’s iteration loop, by hand', () => {
  const times = (r: ReturnType<typeof simulateServing>) => ({
    ttft: r.mean_ttft_ms!,
    tpot: r.mean_tpot_ms!,
    e2el: r.mean_e2el_ms!,
  });

  it('pipelines micro-batches: with pp 2 a second request’s batch enters stage 0 while the first is in stage 1', () => {
    const base = pricerFor({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 4, pp: 2 }, false);
    const pricer = Object.create(base) as IterationPricer;
    pricer.secondsOf = () => 0.02;
    pricer.stagesOf = (_shape: BatchShape, out: Float64Array) => (out.fill(0.01), 0.02);
    const run = (second: number) =>
      simulateServing({
        pricer,
        replicas: 1,
        router: 'round-robin',
        requests: [
          { arrival: 0, inputTokens: 4, outputTokens: 3 },
          { arrival: second, inputTokens: 4, outputTokens: 3 },
        ],
        metrics: ['ttft', 'tpot', 'e2el'],
      });
    // r0: batches 0→20, 20→40, 40→60 ms; r1 (sent at 5) enters stage 0 at 10: 10→30, 30→50, 50→70.
    const r = run(0.005);
    expect(r.mean_ttft_ms).toBeCloseTo((20 + 25) / 2, 9);
    expect(r.mean_tpot_ms).toBeCloseTo(20, 9);
    expect(r.duration).toBeCloseTo(0.07, 12);
    expect(r.lwsim.iterations).toBe(6);
  });

  it('runs SGLang’s prefill batches on their own: a new prompt stalls the decodes for an iteration', () => {
    const requests = [
      { arrival: 0, inputTokens: 4, outputTokens: 3 },
      { arrival: 0.015, inputTokens: 4, outputTokens: 2 },
    ];
    const run = (engine: 'vllm' | 'sglang') => {
      const base = pricerFor({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engine }, false);
      const pricer = Object.create(base) as IterationPricer;
      pricer.secondsOf = () => 0.01;
      return times(simulateServing({ pricer, replicas: 1, router: 'round-robin', requests }));
    };
    // vLLM mixes r1's prefill into r0's third step (r0 done at 30 ms); SGLang prefills r1 alone at 20–30 ms.
    expect(run('vllm').e2el).toBeCloseTo((30 + 25) / 2, 9);
    expect(run('sglang').e2el).toBeCloseTo((40 + 25) / 2, 9);
    expect(run('sglang').ttft).toBeCloseTo((10 + 15) / 2, 9);
  });
});

describe('replicas that come and go', () => {
  const { pricer } = constantPricer(0.01);
  const requests = [
    { arrival: 0, inputTokens: 4, outputTokens: 5 },
    { arrival: 0.122, inputTokens: 4, outputTokens: 1 },
  ];
  // Up at 100 ms, down at 125 ms (r0 has streamed two tokens; r1 waits behind r0's third step), up again at 200 ms.
  const availability = [
    { at: 0.1, replica: 0, up: true },
    { at: 0.125, replica: 0, up: false },
    { at: 0.2, replica: 0, up: true },
  ];

  it('retries what has not streamed yet, holds it while no replica is up, and fails what had streamed', () => {
    const r = simulateServing({ pricer, replicas: 1, router: 'round-robin', requests, availability });
    expect(r.completed).toBe(1);
    expect(r.lwsim).toMatchObject({ failed: 1, retried: 1, inFlight: 0 });
    expect(r.mean_ttft_ms).toBeCloseTo(210 - 122, 9);
  });

  it('fails every lost request, and every request sent while none is up, under the fail policy', () => {
    const r = simulateServing({
      pricer,
      replicas: 1,
      router: 'round-robin',
      requests,
      availability,
      onReplicaLoss: 'fail',
    });
    expect(r.completed).toBe(0);
    expect(r.lwsim).toMatchObject({ failed: 2, retried: 0 });
  });

  it('conserves requests through any pattern of replicas going down and up (property)', () => {
    const real = pricerFor({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.record({ at: fc.double({ min: 0, max: 3, noNaN: true }), replica: fc.nat(2), up: fc.boolean() })),
        fc.constantFrom('retry', 'fail' as const),
        fc.constantFrom('round-robin', 'least-outstanding', 'least-kv', 'prefix-affinity' as const),
        (seed, changes, policy, router) => {
          const availability = [...changes, ...[0, 1, 2].map((replica) => ({ at: 3.5, replica, up: true }))].sort(
            (a, b) => a.at - b.at,
          );
          const r = simulateServing({
            pricer: real,
            replicas: 3,
            router,
            availability,
            onReplicaLoss: policy,
            sampleSeconds: 0.5,
            requests: syntheticRequests(
              new Random(seed),
              40,
              { kind: 'gamma', rate: 20, burstiness: 1 },
              fixed(300),
              fixed(20),
            ),
          });
          const x = r.lwsim;
          expect(r.completed + x.failed + x.rejected + x.inFlight).toBe(x.issued);
          expect(x.inFlight).toBe(0);
          if (policy === 'fail') expect(x.retried).toBe(0);
          const series = x.series!;
          expect(series.t.every((t, i) => Math.abs(t - (i + 1) * 0.5) < 1e-9)).toBe(true);
          expect(series.replicas.every((s) => s.up.length === series.t.length)).toBe(true);
          expect(series.completed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(r.completed);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps at most MAX_POINTS samples however long the run, merging neighbours', () => {
    const r = simulateServing({
      pricer,
      replicas: 2,
      router: 'round-robin',
      sampleSeconds: 0.001,
      requests: syntheticRequests(new Random(1), 2000, { kind: 'gamma', rate: 100, burstiness: 1 }, fixed(4), fixed(4)),
    });
    const series = r.lwsim.series!;
    expect(series.t.length).toBeLessThan(MAX_POINTS);
    expect(series.interval).toBeGreaterThan(0.001);
    expect(series.t.every((t, i) => Math.abs(t - (i + 1) * series.interval) < 1e-9)).toBe(true);
    expect(series.completed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2000);
    expect(series.replicas[0]!.running.length).toBe(series.t.length);
  });
});

describe('the replica', () => {
  it('never holds more KV blocks than it has, and preempts by recompute when they run out', () => {
    const real = pricerFor({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' });
    const seen: BatchShape[] = [];
    const pricer = Object.create(real) as IterationPricer;
    pricer.secondsOf = (shape: BatchShape) => (seen.push({ ...shape }), real.secondsOf(shape));
    const engine = pricer.deployment.engine;
    const replica = new Replica(0, pricer, engine, 64); // 1,024 tokens of cache
    for (let i = 0; i < 6; i++) replica.enqueue(newRequest(i, { arrival: 0, inputTokens: 200, outputTokens: 300 }, 0));
    let finished = 0;
    replica.launch(0);
    for (let step = 0; step < 10_000 && finished < 6; step++) {
      expect(replica.usedBlocks).toBeLessThanOrEqual(64);
      const now = replica.busyUntil;
      replica.complete(
        now,
        () => finished++,
        () => {},
      );
      replica.launch(now);
    }
    expect(finished).toBe(6);
    expect(seen.every((s) => s.sequences <= engine.maxNumSeqs && s.tokens <= engine.maxNumBatchedTokens)).toBe(true);
    expect(replica.preemptions).toBeGreaterThan(0);
    expect(replica.usedBlocks).toBe(0);
  });

  it('refuses a request longer than the whole cache instead of waiting forever', () => {
    const pricer = pricerFor({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 4, dtype: 'fp8' });
    const r = simulateServing({
      pricer,
      replicas: 1,
      router: 'round-robin',
      requests: [
        { arrival: 0, inputTokens: 10_000_000, outputTokens: 10 },
        { arrival: 0, inputTokens: 100, outputTokens: 10 },
      ],
    });
    expect(r.lwsim.rejected).toBe(1);
    expect(r.completed).toBe(1);
  });
});

const loads = fc.record({
  seed: fc.integer({ min: 1, max: 1000 }),
  count: fc.integer({ min: 1, max: 60 }),
  rate: fc.double({ min: 0.5, max: 200, noNaN: true }),
  burstiness: fc.double({ min: 0.2, max: 4, noNaN: true }),
  input: fc.integer({ min: 1, max: 3000 }),
  output: fc.integer({ min: 1, max: 400 }),
  replicas: fc.integer({ min: 1, max: 4 }),
  concurrency: fc.option(fc.integer({ min: 1, max: 32 }), { nil: undefined }),
  router: fc.constantFrom('round-robin', 'least-outstanding', 'least-kv' as const),
  horizon: fc.option(fc.double({ min: 0.01, max: 5, noNaN: true }), { nil: undefined }),
  shape: fc.integer({ min: 0, max: 3 }),
});

/** vLLM and SGLang (mixed and separate prefill), each with one and two pipeline stages. */
const engineShapes = (engineOverrides: DeploymentRequest['engineOverrides']) =>
  (['vllm', 'sglang'] as const).flatMap((engine) =>
    [1, 2].map((pp) => pricerFor({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engine, pp, engineOverrides })),
  );

describe('the simulation (properties)', () => {
  const pricers = engineShapes({ maxNumSeqs: 16 });

  it('conserves requests: each completes, is refused or is still in flight at the horizon; same seed, same result', () => {
    fc.assert(
      fc.property(loads, (l) => {
        const run = () =>
          simulateServing({
            pricer: pricers[l.shape]!,
            replicas: l.replicas,
            router: l.router,
            ...(l.concurrency !== undefined ? { maxConcurrency: l.concurrency } : {}),
            ...(l.horizon !== undefined ? { horizon: l.horizon } : {}),
            requests: syntheticRequests(
              new Random(l.seed),
              l.count,
              { kind: 'gamma', rate: l.rate, burstiness: l.burstiness },
              { kind: 'random', tokens: l.input, rangeRatio: 0.5 },
              fixed(l.output),
            ),
          });
        const r = run();
        expect(r.completed + r.lwsim.rejected + r.lwsim.inFlight).toBe(r.lwsim.issued);
        if (l.horizon === undefined) expect(r.lwsim.issued).toBe(l.count);
        expect(JSON.stringify(run())).toBe(JSON.stringify(r));
        if (r.completed > 0) {
          expect(r.mean_e2el_ms).toBeGreaterThanOrEqual(r.mean_ttft_ms!);
          expect(r.total_output_tokens).toBe(r.completed * l.output);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('conserves requests through preemptions when the KV cache is small', () => {
    const tiny = engineShapes({ memoryFraction: 0.25 });
    let preempted = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 2, max: 40 }),
        fc.nat(3),
        (seed, count, shape) => {
          const r = simulateServing({
            pricer: tiny[shape]!,
            replicas: 1,
            router: 'round-robin',
            requests: syntheticRequests(
              new Random(seed),
              count,
              { kind: 'burst' },
              { kind: 'random', tokens: 1500, rangeRatio: 0.9 },
              { kind: 'random', tokens: 300, rangeRatio: 0.9 },
            ),
          });
          expect(r.completed + r.lwsim.rejected).toBe(count);
          expect(r.lwsim.inFlight).toBe(0);
          preempted += r.lwsim.preemptions;
        },
      ),
      { numRuns: 30 },
    );
    expect(preempted).toBeGreaterThan(0);
  });

  it('gets slower per token as more clients share one replica', () => {
    const at = (concurrency: number) =>
      simulateServing({
        pricer: pricers[0]!,
        replicas: 1,
        router: 'round-robin',
        maxConcurrency: concurrency,
        requests: syntheticRequests(new Random(1), concurrency * 4, { kind: 'burst' }, fixed(1024), fixed(128)),
      }).mean_tpot_ms!;
    expect(at(16)).toBeGreaterThan(at(2));
  });
});

describe('arrivals', () => {
  it('draws Gamma gaps with the asked mean (vLLM’s burstiness: shape b, scale 1/(rate·b))', () => {
    const random = new Random(7);
    for (const b of [0.5, 1, 3]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += gamma(random, b, 1 / (10 * b));
      expect(sum / 20_000).toBeCloseTo(0.1, 2);
    }
    // Burstiness ∞ is vLLM's constant rate: every request (the first too) waits 1/rate.
    const requests = [
      ...syntheticRequests(new Random(1), 5, { kind: 'gamma', rate: 2, burstiness: Infinity }, fixed(3), fixed(4)),
    ];
    expect(requests.map((r) => r.arrival)).toEqual([0.5, 1, 1.5, 2, 2.5]);
  });

  it('rescales Gamma arrivals so the last lands at count / rate, as vLLM does, and replays the same requests', () => {
    for (const burstiness of [0.3, 1, 4]) {
      const requests = syntheticRequests(
        new Random(9),
        500,
        { kind: 'gamma', rate: 25, burstiness },
        fixed(8),
        fixed(8),
      );
      const first = [...requests];
      expect(first.at(-1)!.arrival).toBeCloseTo(500 / 25, 9);
      expect(first.every((r, i) => i === 0 || r.arrival >= first[i - 1]!.arrival)).toBe(true);
      expect([...requests]).toEqual(first);
    }
  });

  it('ramps the rate from start to end across the requests (vLLM’s linear and exponential ramp-up)', () => {
    const gaps = (strategy: 'linear' | 'exponential') => {
      const a = [
        ...syntheticRequests(
          new Random(2),
          101,
          { kind: 'ramp', strategy, startRate: 1, endRate: 100, burstiness: Infinity },
          fixed(1),
          fixed(1),
        ),
      ].map((r) => r.arrival);
      return a.map((t, i) => t - (a[i - 1] ?? 0));
    };
    const linear = gaps('linear');
    expect(linear[0]).toBeCloseTo(1, 12);
    expect(linear[50]).toBeCloseTo(1 / 50.5, 12);
    expect(linear[100]).toBeCloseTo(1 / 100, 12);
    const exponential = gaps('exponential');
    expect(exponential[50]).toBeCloseTo(1 / 10, 12);
  });

  it('uses vLLM’s random range: integers in [n(1 − r), n(1 + r)]', () => {
    const lengths = [
      ...syntheticRequests(
        new Random(3),
        2000,
        { kind: 'burst' },
        { kind: 'random', tokens: 100, rangeRatio: 0.2 },
        fixed(1),
      ),
    ].map((r) => r.inputTokens);
    expect(Math.min(...lengths)).toBe(80);
    expect(Math.max(...lengths)).toBe(120);
  });
});
