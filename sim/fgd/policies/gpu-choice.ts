/** The GPU choices at Reserve (`allocateGpuIdBased...`): which GPUs of the chosen node a pod gets. */
import type { Random } from '../../engine/random.ts';
import { isSharePod } from '../pod-request.ts';
import type { PolicyNode, PolicyPod } from './policy.ts';

/** The lowest-index fully-free GPUs (`AllocateExclusiveGpuId`); none for a CPU-only pod. */
export function exclusiveGpus(node: PolicyNode, pod: PolicyPod): number[] {
  if (pod.milliGpu === 0) return [];
  const chosen: number[] = [];
  for (let g = 0; g < node.gpuCount && chosen.length < pod.gpuNumber; g++) if (node.gpuLeft[g] === 1000) chosen.push(g);
  return chosen;
}

/** "best": a share pod gets the GPU with the least left that still fits it (first index on ties). */
export function bestFitGpus(node: PolicyNode, pod: PolicyPod): number[] {
  if (!isSharePod(pod)) return exclusiveGpus(node, pod);
  let best = -1;
  for (let g = 0; g < node.gpuCount; g++) {
    const left = node.gpuLeft[g]!;
    if (left >= pod.milliGpu && (best < 0 || left < node.gpuLeft[best]!)) best = g;
  }
  return best < 0 ? [] : [best];
}

/** "random": a share pod gets a uniform pick among the GPUs that fit it (reservoir sampling, one draw each). */
export function randomFitGpus(node: PolicyNode, pod: PolicyPod, rng: Random): number[] {
  if (!isSharePod(pod)) return exclusiveGpus(node, pod);
  let chosen = -1;
  let seen = 0;
  for (let g = 0; g < node.gpuCount; g++) {
    if (node.gpuLeft[g]! < pod.milliGpu) continue;
    seen++;
    if (rng.int(0, seen - 1) === 0) chosen = g;
  }
  return chosen < 0 ? [] : [chosen];
}
