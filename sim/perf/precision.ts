// The number formats weights and the KV cache are stored in, and which tensor-core peak a GEMM on them runs at.
import type { GpuType } from '../cluster/gpu-catalog.ts';

/** Weight formats: BF16/FP16, FP8 (E4M3, per-tensor scales) and FP4 (NVFP4: 4-bit values, one FP8 scale per 16). */
export const WEIGHT_DTYPES = ['bf16', 'fp16', 'fp8', 'fp4'] as const;
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];

/** KV-cache formats: the activations' BF16/FP16, or FP8. */
export const KV_DTYPES = ['bf16', 'fp16', 'fp8'] as const;
export type KvDtype = (typeof KV_DTYPES)[number];

/** Bytes per stored value; FP4's includes its block scale (1 byte per 16 values). */
export const DTYPE_BYTES: Readonly<Record<WeightDtype, number>> = { bf16: 2, fp16: 2, fp8: 1, fp4: 0.5 + 1 / 16 };

/** Activations stay 16-bit in every configuration lwsim models. */
export const ACTIVATION_BYTES = 2;

export function isWeightDtype(value: string): value is WeightDtype {
  return (WEIGHT_DTYPES as readonly string[]).includes(value);
}

export function isKvDtype(value: string): value is KvDtype {
  return (KV_DTYPES as readonly string[]).includes(value);
}

/**
 * Dense tensor peak (FLOP/s) for GEMMs on `dtype` weights: the format's own tensor cores where the GPU has them,
 * otherwise the next wider one it has (weights dequantised on the fly, as vLLM's Marlin kernels do on A100).
 * Null when the GPU type states no BF16 figure.
 */
export function tensorPeak(gpu: GpuType, dtype: WeightDtype): number | null {
  const tflops =
    (dtype === 'fp4' ? gpu.fp4Tflops : null) ??
    (dtype === 'fp4' || dtype === 'fp8' ? gpu.fp8Tflops : null) ??
    gpu.bf16Tflops;
  return tflops === null ? null : tflops * 1e12;
}
