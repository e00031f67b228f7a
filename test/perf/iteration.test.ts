import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  checkDeployment,
  IDEAL_CALIBRATION,
  IterationPricer,
  LATENCY_MODELS,
  parameterCount,
  type Batch,
  type Deployment,
  type DeploymentRequest,
} from '../../sim/perf/index.ts';

function deployment(request: DeploymentRequest): Deployment {
  const checked = checkDeployment(request);
  if (!checked.ok) throw new Error(checked.message);
  return checked.deployment;
}

const roofline = (request: DeploymentRequest) => new IterationPricer(deployment(request), IDEAL_CALIBRATION);
const H100 = { bf16: 989.4e12, bandwidth: 3.35e12 };

describe('architectures', () => {
  it('count the parameters their model cards state', () => {
    const billions = (id: keyof typeof ARCHITECTURES) => parameterCount(ARCHITECTURES[id]) / 1e9;
    expect(billions('llama-3.1-8b')).toBeCloseTo(8.03, 2);
    expect(billions('llama-3.1-70b')).toBeCloseTo(70.55, 2);
    expect(billions('llama-3.1-405b')).toBeCloseTo(405.85, 1);
    expect(billions('llama-2-7b')).toBeCloseTo(6.74, 2);
    expect(billions('mixtral-8x7b')).toBeCloseTo(46.7, 1);
    expect(billions('qwen3-32b')).toBeCloseTo(32.76, 1);
    for (const a of Object.values(ARCHITECTURES)) expect(a.source).toMatch(/^https:\/\/huggingface\.co\//);
  });
});

describe('the roofline, by hand', () => {
  // Llama-3.1-8B, one layer on one GPU: QKV 4096×6144, O 4096×4096, gate+up 4096×28672, down 14336×4096.
  const layerWeights = 4096 * 6144 + 4096 * 4096 + 4096 * 28672 + 14336 * 4096;
  const layerActivations = 10240 + 8192 + 32768 + 18432; // K + N of each GEMM, per token

  it('prices one decode token as reading every weight once (memory-bound)', () => {
    const price = roofline({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' }).price({ prefill: [], decode: [1023] });
    const gemm = (32 * (2 * layerWeights + 2 * layerActivations)) / H100.bandwidth;
    expect(price.terms.gemm).toBeCloseTo(gemm, 12);
    // Attention reads 1024 keys and values of 8 KV heads × 128 in BF16, and writes the query's output.
    const attention = (32 * (1024 * 2 * 8 * 128 * 2 + 2 * 4096 * 2)) / H100.bandwidth;
    expect(price.terms.attention).toBeCloseTo(attention, 12);
    expect(price.terms.allReduce).toBe(0);
    expect(price.terms.engine).toBe(0);
  });

  it('prices a 4096-token prefill as its FLOPs at the tensor peak (compute-bound)', () => {
    const price = roofline({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' }).price({
      prefill: [{ tokens: 4096, cached: 0 }],
      decode: [],
    });
    expect(price.terms.gemm).toBeCloseTo((32 * 2 * 4096 * layerWeights) / H100.bf16, 9);
    // Causal attention: 4096·4097/2 query-key pairs, 4 FLOPs per head dimension per pair, 32 heads.
    expect(price.terms.attention).toBeCloseTo((32 * ((4096 * 4097) / 2) * 4 * 128 * 32) / H100.bf16, 9);
  });

  it('uses the FP8 peak for FP8 weights where the GPU has one, and BF16 on A100', () => {
    const batch: Batch = { prefill: [{ tokens: 4096, cached: 0 }], decode: [] };
    const bf16 = roofline({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' }).price(batch).terms.gemm;
    const fp8 = roofline({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', dtype: 'fp8' }).price(batch).terms.gemm;
    expect(fp8 / bf16).toBeCloseTo(989.4 / 1978.9, 3);
    const a100 = (dtype: string) =>
      roofline({ model: 'llama-3.1-8b', gpu: 'A100-SXM-80GB', dtype }).price(batch).terms.gemm;
    expect(a100('fp8')).toBeCloseTo(a100('bf16'), 9);
  });

  it('adds two all-reduces per layer at TP > 1, and a scale-out ring when TP spans nodes', () => {
    const batch: Batch = { prefill: [], decode: Array<number>(64).fill(1000) };
    const tp8 = roofline({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 8 }).price(batch);
    const bytes = 64 * 8192 * 2;
    // Ring over 8 GPUs at one direction of 900 GB/s NVLink, twice per layer, 80 layers.
    expect(tp8.terms.allReduce).toBeCloseTo(80 * 2 * ((2 * 7) / 8) * (bytes / 450e9), 12);
    const tp16 = roofline({ model: 'llama-3.1-405b', gpu: 'H100-SXM-80GB', tp: 16 }).price(batch);
    const inNode = ((2 * 7) / 8) * ((64 * 16384 * 2) / 450e9);
    const ring = 2 * 1 * 5e-6 + ((2 * 1) / 2) * ((64 * 16384 * 2) / 8 / 50e9);
    expect(tp16.terms.allReduce).toBeCloseTo(126 * 2 * (inNode + ring), 12);
  });

  it('sends activations between pipeline stages; a stage is slower than none but faster than the whole', () => {
    const batch: Batch = { prefill: [{ tokens: 512, cached: 0 }], decode: Array<number>(32).fill(2000) };
    const pricer = roofline({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 4, pp: 2 });
    const price = pricer.price(batch);
    expect(price.terms.pipeline).toBeCloseTo(5e-6 + ((512 + 32) * 8192 * 2) / 50e9, 12);
    expect(price.stageSeconds).toBeLessThan(price.seconds);
    expect(price.stageSeconds).toBeGreaterThan(price.seconds / 2 - price.terms.pipeline);
  });

  it('sums its terms to the total, and prices an empty batch at zero', () => {
    const pricer = LATENCY_MODELS.calibrated.create(deployment({ model: 'qwen3-32b', gpu: 'H200-SXM-141GB', tp: 2 }));
    const price = pricer.price({ prefill: [{ tokens: 300, cached: 700 }], decode: [5, 900, 4000] });
    expect(Object.values(price.terms).reduce((a, b) => a + b, 0)).toBeCloseTo(price.seconds, 15);
    expect(pricer.seconds({ prefill: [{ tokens: 300, cached: 700 }], decode: [5, 900, 4000] })).toBe(price.seconds);
    expect(pricer.seconds({ prefill: [], decode: [] })).toBeGreaterThanOrEqual(0);
  });

  it('reads more experts of a mixture as the batch grows', () => {
    const pricer = roofline({ model: 'mixtral-8x7b', gpu: 'H100-SXM-80GB', tp: 2 });
    const one = pricer.price({ prefill: [], decode: [100] }).terms.gemm;
    const many = pricer.price({ prefill: [], decode: Array<number>(64).fill(100) }).terms.gemm;
    // One token reads 2 of 8 experts; 64 tokens read nearly all 8: about four times the expert weights.
    expect(many / one).toBeGreaterThan(3);
    expect(many / one).toBeLessThan(4.5);
  });
});

const batches = fc.record({
  prefill: fc.array(
    fc.record({ tokens: fc.integer({ min: 1, max: 4096 }), cached: fc.integer({ min: 0, max: 8192 }) }),
    {
      maxLength: 4,
    },
  ),
  decode: fc.array(fc.integer({ min: 0, max: 32_768 }), { maxLength: 96 }),
});

const configs = fc.constantFrom<DeploymentRequest>(
  { model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' },
  { model: 'llama-3.1-70b', gpu: 'H200-SXM-141GB', tp: 4, dtype: 'fp8', engine: 'trtllm' },
  { model: 'qwen3-32b', gpu: 'B200-SXM-180GB', tp: 2, pp: 2, dtype: 'fp4', engine: 'sglang' },
  { model: 'mixtral-8x7b', gpu: 'A100-SXM-80GB', tp: 8 },
  { model: 'llama-3.1-405b', gpu: 'H100-SXM-80GB', tp: 16, dtype: 'fp8' },
);

describe('monotonicity (property)', () => {
  const models = Object.values(LATENCY_MODELS);

  it('more tokens never cost less: a longer chunk, more context, one more sequence', () => {
    fc.assert(
      fc.property(configs, batches, fc.nat(2), fc.integer({ min: 1, max: 2048 }), (request, batch, pick, more) => {
        for (const model of models) {
          const pricer = model.create(deployment(request));
          const before = pricer.seconds(batch);
          const grown: Batch[] = [
            { ...batch, decode: [...batch.decode, 0] },
            { ...batch, decode: batch.decode.map((c) => c + more) },
            {
              ...batch,
              prefill: batch.prefill.length
                ? batch.prefill.map((p, i) => (i === 0 ? { ...p, tokens: p.tokens + more } : p))
                : [{ tokens: more, cached: 0 }],
            },
          ];
          expect(pricer.seconds(grown[pick]!)).toBeGreaterThanOrEqual(before);
        }
      }),
      { numRuns: 200 },
    );
  });
});
