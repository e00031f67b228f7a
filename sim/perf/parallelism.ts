// The tensor × pipeline parallel degrees a model splits into, and how a workload's shape picks them: the
// leader's GPUs are the tensor-parallel degree, the LWS group's pods are the pipeline stages.
import type { InferenceSpec } from '../workloads/spec.ts';
import type { ModelConfig } from './model-config.ts';

export const TP_DEGREES = [1, 2, 4, 8] as const;
export const PP_DEGREES = [1, 2, 4] as const;

export interface ServingParallelism {
  /** Tensor-parallel ranks per stage. */
  readonly tp: number;
  /** Pipeline stages. */
  readonly pp: number;
}

function require(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/** Checks that the model splits over `tp` tensor-parallel ranks and `pp` pipeline stages. */
export function validateParallelism(model: ModelConfig, tp: number, pp: number): void {
  require((TP_DEGREES as readonly number[]).includes(tp), `tp must be 1, 2, 4 or 8 (got ${tp})`);
  require((PP_DEGREES as readonly number[]).includes(pp), `pp must be 1, 2 or 4 (got ${pp})`);
  require(model.heads % tp === 0, `model.heads (${model.heads}) must be divisible by tp (${tp})`);
  require(model.kvHeads % tp === 0, `model.kvHeads (${model.kvHeads}) must be divisible by tp (${tp})`);
  require(model.mlp % (8 * tp) === 0, `model.mlp (${model.mlp}) must be divisible by 8 * tp (${8 * tp})`);
  require(model.layers >= pp, `model.layers (${model.layers}) must be at least pp (${pp})`);
}

/** The largest allowed degree not above `n` (1 when `n` < 1). */
function largestAtMost(degrees: readonly number[], n: number): number {
  return degrees.reduce((best, d) => (d <= n && d > best ? d : best), 1);
}

/**
 * TP = the largest of {1, 2, 4, 8} not above the leader's whole-GPU count (a fraction, a memory request or no
 * GPU is 1); PP = the largest of {1, 2, 4} not above the group size 1 + workers. Rounding down, never up, so a
 * workload is never modelled with more devices or stages than it asked for.
 */
export function servingParallelism(spec: Pick<InferenceSpec, 'leader' | 'workers'>): ServingParallelism {
  const gpu = spec.leader.resources.gpu;
  const devices = gpu.kind === 'devices' ? gpu.count : 0;
  return { tp: largestAtMost(TP_DEGREES, devices), pp: largestAtMost(PP_DEGREES, 1 + spec.workers) };
}
