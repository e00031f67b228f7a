import { describe, expect, it } from 'vitest';
import { GIB } from '../../sim/cluster/index.ts';
import {
  ARCHITECTURES,
  checkDeployment,
  planMemory,
  type ArchitectureId,
  type DeploymentRequest,
} from '../../sim/perf/index.ts';

function plan(request: DeploymentRequest) {
  const checked = checkDeployment(request);
  if (!checked.ok) throw new Error(checked.message);
  return planMemory(checked.deployment);
}

describe('the memory plan', () => {
  it('refuses a model whose weights do not fit, with the numbers', () => {
    const fit = plan({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 1 });
    expect(fit.ok).toBe(false);
    expect(fit.ok ? '' : fit.message).toBe(
      'Llama-3.1-70B BF16 needs 131.4 GiB of weights per GPU; TP 1 on H100-SXM-80GB has 72.0 GiB usable (80.0 GiB × 0.9)',
    );
  });

  it('fits Llama-3.1-70B FP8 on four H100s with over a million KV tokens', () => {
    const fit = plan({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 4, dtype: 'fp8' });
    expect(fit.ok).toBe(true);
    // 80 layers × 2 KV heads × 128 × (K and V) × 1 byte.
    expect(fit.kvBytesPerToken).toBe(80 * 2 * 128 * 2);
    expect(fit.kvCacheTokens % 16).toBe(0);
    expect(fit.kvCacheTokens).toBeGreaterThan(1_000_000);
    // Weights: ~70.55 B parameters / 4 in FP8, embedding and LM head in BF16.
    expect(fit.weightBytes / GIB).toBeGreaterThan(16);
    expect(fit.weightBytes / GIB).toBeLessThan(18);
  });

  it('honours the engine memory rule: TensorRT-LLM takes a fraction of what is free', () => {
    const vllm = plan({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engine: 'vllm' });
    const trtllm = plan({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engine: 'trtllm' });
    const free = trtllm.deviceBytes - trtllm.weightBytes - trtllm.activationBytes - trtllm.runtimeBytes;
    expect(trtllm.kvCacheTokens).toBe(Math.floor((0.9 * free) / trtllm.kvBytesPerToken / 32) * 32);
    const total = 0.9 * vllm.deviceBytes - vllm.weightBytes - vllm.activationBytes - vllm.runtimeBytes;
    expect(vllm.kvCacheTokens).toBe(Math.floor(total / vllm.kvBytesPerToken / 16) * 16);
  });

  it('refuses a configuration that leaves no room for the KV cache', () => {
    const fit = plan({ model: 'llama-3.1-8b', gpu: 'L40S-48GB', engineOverrides: { memoryFraction: 0.36 } });
    expect(fit.ok).toBe(false);
    expect(fit.ok ? '' : fit.message).toMatch(/leaves no room for the KV cache/);
  });

  it('never needs more weight or KV memory per GPU with more TP (property over every preset)', () => {
    for (const id of Object.keys(ARCHITECTURES) as ArchitectureId[]) {
      for (const dtype of ['bf16', 'fp8'] as const) {
        let previous = { weights: Infinity, kv: Infinity };
        for (const tp of [1, 2, 4, 8, 16, 32]) {
          const checked = checkDeployment({ model: id, gpu: 'H100-SXM-80GB', tp, dtype });
          if (!checked.ok) continue;
          const fit = planMemory(checked.deployment);
          expect(fit.weightBytes, `${id} ${dtype} tp ${tp}`).toBeLessThanOrEqual(previous.weights);
          expect(fit.kvBytesPerToken, `${id} ${dtype} tp ${tp}`).toBeLessThanOrEqual(previous.kv);
          previous = { weights: fit.weightBytes, kv: fit.kvBytesPerToken };
        }
      }
    }
  });
});

describe('checkDeployment', () => {
  it.each<[DeploymentRequest, string, RegExp]>([
    [{ model: 'llama-4', gpu: 'H100-SXM-80GB' }, 'model', /unknown model "llama-4" \(known: llama-2-7b/],
    [{ model: 'llama-3.1-8b', gpu: 'TPU-v5' }, 'gpu', /unknown GPU type "TPU-v5"/],
    [{ model: 'llama-3.1-8b', gpu: 'cpu' }, 'gpu', /states no bf16Tflops/],
    [{ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', tp: 3 }, 'tp', /32 attention heads: tp 3 does not divide/],
    [{ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', tp: 0 }, 'tp', /positive integer/],
    [{ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', tp: 1.5 }, 'tp', /positive integer/],
    [{ model: 'llama-3.1-405b', gpu: 'H100-SXM-80GB', tp: 4, gpusPerNode: 3 }, 'tp', /^tp 4 spans nodes of 3 GPUs/],
    [{ model: 'llama-2-7b', gpu: 'H100-SXM-80GB', pp: 33 }, 'pp', /32 layers: pp 33/],
    [{ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', dtype: 'int3' }, 'dtype', /unknown dtype "int3"/],
    [{ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', kvDtype: 'fp4' }, 'kvDtype', /unknown KV-cache dtype/],
    [{ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engine: 'tgi' }, 'engine', /unknown engine "tgi"/],
    [
      { model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engineOverrides: { memoryFraction: 1.5 } },
      'memoryFraction',
      /in \(0, 1\]/,
    ],
    [
      { model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', engineOverrides: { maxNumSeqs: -1 } },
      'maxNumSeqs',
      /positive integer/,
    ],
    [
      { model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB', network: { bandwidthGbps: 0, latencyMicros: 1 } },
      'network',
      /bandwidthGbps must be > 0/,
    ],
  ])('refuses %j naming %s', (request, field, message) => {
    const checked = checkDeployment(request);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.field).toBe(field);
      expect(checked.message).toMatch(message);
    }
  });

  it('replicates KV heads when TP exceeds them, and defaults FP8 weights to an FP8 cache', () => {
    const checked = checkDeployment({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 16, dtype: 'fp8' });
    expect(checked.ok && checked.deployment.kv).toBe('fp8');
    const fit = checked.ok ? planMemory(checked.deployment) : undefined;
    expect(fit?.kvBytesPerToken).toBe(80 * 1 * 128 * 2);
  });
});
