/** 02-DotProd: the smaller the dot product of the node's free vector and the pod's request, the higher the score. */
import { bestFitGpus } from './gpu-choice.ts';
import { int64, MAX_SPEC_CPU, MAX_SPEC_GPU, type Policy, type PolicyNode, type PolicyPod } from './policy.ts';

export function dotProdScore(node: PolicyNode, pod: PolicyPod): number {
  if (node.cpuLeft < pod.milliCpu) return 0;
  const dot =
    (node.cpuLeft / MAX_SPEC_CPU) * (pod.milliCpu / MAX_SPEC_CPU) +
    (node.gpuLeftTotal() / MAX_SPEC_GPU) * ((pod.milliGpu * pod.gpuNumber) / MAX_SPEC_GPU);
  return int64(100 * (1 - dot / 2));
}

export const dotProdPolicy: Policy = { score: dotProdScore, gpus: bestFitGpus };
