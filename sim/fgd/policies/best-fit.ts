/** 05-BestFit: the node left with the least (CPU and GPU, equally weighted) after the pod wins; scores normalised. */
import { bestFitGpus } from './gpu-choice.ts';
import { int64, MAX_SPEC_CPU, MAX_SPEC_GPU, type Policy, type PolicyNode, type PolicyPod } from './policy.ts';

export function bestFitScore(node: PolicyNode, pod: PolicyPod): number {
  // In the reference's order of operations, since the truncation makes the last bit matter at the edges.
  const cpu = (0.5 * (node.cpuLeft - pod.milliCpu)) / MAX_SPEC_CPU;
  const gpu = (0.5 * (node.gpuLeftTotal() - pod.milliGpu * pod.gpuNumber)) / MAX_SPEC_GPU;
  return int64(100 * (1 - (cpu + gpu)));
}

export const bestFitPolicy: Policy = { score: bestFitScore, normalize: true, gpus: bestFitGpus };
