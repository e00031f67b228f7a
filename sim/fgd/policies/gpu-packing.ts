/**
 * 04-GpuPacking: prefer shared GPUs already in use (50..100), then free GPUs on a used node (33..50), then a free
 * node (0..33), fewer free GPUs first.
 */
import { bestFitGpus } from './gpu-choice.ts';
import { type Policy, type PolicyNode, type PolicyPod } from './policy.ts';

export function gpuPackingScore(node: PolicyNode, pod: PolicyPod): number {
  if (pod.milliGpu <= 0) return 0;
  const free = node.fullyFreeGpus();
  if (free === node.gpuCount) return Math.max(33 - free, free);
  const ascending = [...node.gpuLeft].sort((a, b) => a - b);
  let wanted = pod.gpuNumber;
  let freeTaken = 0;
  let leftPercent = 0;
  for (const left of ascending) {
    if (wanted === 0) break;
    if (left < pod.milliGpu) continue;
    wanted--;
    if (left === 1000) freeTaken++;
    leftPercent += Math.trunc((left * 100) / 1000);
  }
  if (wanted !== 0) return 0;
  if (freeTaken > 0) return Math.max(50 - freeTaken, 33);
  return Math.max(100 - Math.trunc(leftPercent / 10), 50);
}

export const gpuPackingPolicy: Policy = { score: gpuPackingScore, gpus: bestFitGpus };
