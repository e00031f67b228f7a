// How a workload's shape maps onto the kernel's parallelism: the leader's GPUs are the tensor-parallel
// degree, the LWS group's pods are the pipeline stages.
import type { InferenceSpec } from '../../sim/workloads/spec.ts';

/** Degrees the kernel splits a model into (see src/kernel/config.ts validateParallelism). */
export const TP_DEGREES = [1, 2, 4, 8] as const;
export const PP_DEGREES = [1, 2, 4] as const;

export interface ServingParallelism {
  /** Tensor-parallel ranks per stage. */
  readonly tp: number;
  /** Pipeline stages. */
  readonly pp: number;
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
