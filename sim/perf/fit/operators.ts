// Fits of the GEMM and pointwise efficiency curves to Vidur's measured per-operator kernel times of Llama-2-70B.
import type { GpuType } from '../../cluster/gpu-catalog.ts';
import { nelderMead } from '../../stats/nelder-mead.ts';
import { POINTWISE_OPS, type GemmFit, type PointwiseFit, type PointwiseOp } from '../calibration.ts';
import { gemmSeconds, pointwiseBytesPerToken } from '../iteration.ts';
import { ACTIVATION_BYTES } from '../precision.ts';
import { fraction, logit, logLoss, mape, positive } from './error.ts';

/** The profiled layer's shape (Vidur's `n_head`, `n_kv_head`, `n_embd`, `n_expanded_embd` columns). */
export interface ProfiledShape {
  readonly heads: number;
  readonly kvHeads: number;
  readonly hidden: number;
  readonly ffn: number;
}

export const GEMM_OPS = ['attn_pre_proj', 'attn_post_proj', 'mlp_up_proj', 'mlp_down_proj'] as const;
export type GemmOp = (typeof GEMM_OPS)[number];

/** Vidur's pointwise operator names and the model's. */
export const VIDUR_POINTWISE: Readonly<Record<string, PointwiseOp>> = {
  input_layernorm: 'norm',
  post_attention_layernorm: 'norm',
  attn_rope: 'rope',
  mlp_act: 'act',
  add: 'add',
  emb: 'embedding',
};

/** One measured kernel: its operator, the TP degree and tokens of the batch, and its median time. */
export interface OperatorSample {
  readonly op: GemmOp | PointwiseOp;
  readonly tp: number;
  readonly tokens: number;
  readonly seconds: number;
}

/** M × K × N of a profiled GEMM on one rank. */
export function gemmDims(op: GemmOp, shape: ProfiledShape, tp: number): [number, number] {
  const headDim = shape.hidden / shape.heads;
  const qkv = ((shape.heads + 2 * shape.kvHeads) * headDim) / tp;
  switch (op) {
    case 'attn_pre_proj':
      return [shape.hidden, qkv];
    case 'attn_post_proj':
      return [(shape.heads * headDim) / tp, shape.hidden];
    case 'mlp_up_proj':
      return [shape.hidden, (2 * shape.ffn) / tp];
    case 'mlp_down_proj':
      return [shape.ffn / tp, shape.hidden];
  }
}

const isGemm = (op: string): op is GemmOp => (GEMM_OPS as readonly string[]).includes(op);

function peakAndBandwidth(gpu: GpuType): [number, number] {
  return [(gpu.bf16Tflops ?? 1) * 1e12, (gpu.memoryBandwidthTBs ?? 1) * 1e12];
}

export function predictGemm(fit: GemmFit, gpu: GpuType, shape: ProfiledShape, s: OperatorSample): number {
  const [k, n] = gemmDims(s.op as GemmOp, shape, s.tp);
  const [peak, bandwidth] = peakAndBandwidth(gpu);
  return gemmSeconds(fit, peak, bandwidth, ACTIVATION_BYTES, s.tokens, k, n);
}

export function predictPointwise(fit: PointwiseFit, gpu: GpuType, shape: ProfiledShape, s: OperatorSample): number {
  const op = s.op as PointwiseOp;
  const headDim = shape.hidden / shape.heads;
  const rank = {
    hidden: shape.hidden,
    qkColumns: ((shape.heads + Math.max(shape.kvHeads, s.tp)) * headDim) / s.tp,
    ffnColumns: shape.ffn / s.tp,
  };
  const bandwidth = peakAndBandwidth(gpu)[1];
  return fit.launchSeconds[op] + (s.tokens * pointwiseBytesPerToken(op, rank)) / (bandwidth * fit.memoryEfficiency);
}

const gemmFrom = (x: readonly number[]): GemmFit => ({
  peakEfficiency: fraction(x[0]!),
  halfTokens: positive(x[1]!),
  memoryEfficiency: fraction(x[2]!),
  launchSeconds: positive(x[3]!),
});

export function fitGemm(gpu: GpuType, shape: ProfiledShape, samples: readonly OperatorSample[]): GemmFit {
  const gemms = samples.filter((s) => isGemm(s.op));
  const loss = (x: readonly number[]): number => {
    const fit = gemmFrom(x);
    return logLoss(gemms.map((s) => ({ predicted: predictGemm(fit, gpu, shape, s), measured: s.seconds })));
  };
  return gemmFrom(nelderMead(loss, [logit(0.7), Math.log(64), logit(0.8), Math.log(5e-6)], { step: 0.5 }).x);
}

const pointwiseFrom = (x: readonly number[]): PointwiseFit => ({
  memoryEfficiency: fraction(x[0]!),
  launchSeconds: Object.fromEntries(POINTWISE_OPS.map((op, i) => [op, positive(x[i + 1]!)])) as Record<
    PointwiseOp,
    number
  >,
});

export function fitPointwise(gpu: GpuType, shape: ProfiledShape, samples: readonly OperatorSample[]): PointwiseFit {
  const pointwise = samples.filter((s) => !isGemm(s.op));
  const loss = (x: readonly number[]): number => {
    const fit = pointwiseFrom(x);
    return logLoss(pointwise.map((s) => ({ predicted: predictPointwise(fit, gpu, shape, s), measured: s.seconds })));
  };
  const start = [logit(0.7), ...POINTWISE_OPS.map(() => Math.log(5e-6))];
  return pointwiseFrom(nelderMead(loss, start, { step: 0.5, maxIterations: 8000 }).x);
}

export interface OperatorErrors {
  /** MAPE (%) of the fit on every sample. */
  readonly gemm: number;
  readonly pointwise: number;
  /** MAPE (%) on TP 4, of a fit made without TP 4. */
  readonly gemmHeldOutTp4: number;
  readonly pointwiseHeldOutTp4: number;
}

export function operatorErrors(gpu: GpuType, shape: ProfiledShape, samples: readonly OperatorSample[]): OperatorErrors {
  const gemm = fitGemm(gpu, shape, samples);
  const pointwise = fitPointwise(gpu, shape, samples);
  const train = samples.filter((s) => s.tp !== 4);
  const test = samples.filter((s) => s.tp === 4);
  const gemmOut = fitGemm(gpu, shape, train);
  const pointwiseOut = fitPointwise(gpu, shape, train);
  const errorOf = (rows: readonly OperatorSample[], predict: (s: OperatorSample) => number, gemms: boolean): number =>
    mape(rows.filter((s) => isGemm(s.op) === gemms).map((s) => ({ predicted: predict(s), measured: s.seconds })));
  return {
    gemm: errorOf(samples, (s) => predictGemm(gemm, gpu, shape, s), true),
    pointwise: errorOf(samples, (s) => predictPointwise(pointwise, gpu, shape, s), false),
    gemmHeldOutTp4: errorOf(test, (s) => predictGemm(gemmOut, gpu, shape, s), true),
    pointwiseHeldOutTp4: errorOf(test, (s) => predictPointwise(pointwiseOut, gpu, shape, s), false),
  };
}
