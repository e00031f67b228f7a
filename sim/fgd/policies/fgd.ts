/**
 * 06-FGD (fragmentation gradient descent): score a placement by how little it grows the node's fragmentation F
 * against the typical pods, sigmoid((F(n) − F(n'))/1000)·100. A share pod tries every GPU that fits it and keeps
 * the best; that GPU is also the one it gets.
 */
import { nodeFragAmount, type NodeResources } from '../fragmentation.ts';
import { isSharePod } from '../pod-request.ts';
import type { TypicalPod } from '../typical-pods.ts';
import { exclusiveGpus } from './gpu-choice.ts';
import { int64, type Policy, type PolicyNode, type PolicyPod } from './policy.ts';

/** The best score over the node's GPUs for a share pod, and the first GPU reaching it. */
export function fgdShareChoice(
  node: PolicyNode,
  pod: PolicyPod,
  typical: readonly TypicalPod[],
): { score: number; gpu: number } {
  const before = nodeFragAmount(node, typical);
  const gpuLeft = [...node.gpuLeft];
  const after: NodeResources = { cpuLeft: node.cpuLeft - pod.milliCpu, gpuType: node.gpuType, gpuLeft };
  let best = { score: -1, gpu: -1 };
  for (let g = 0; g < gpuLeft.length; g++) {
    const left = gpuLeft[g]!;
    if (left < pod.milliGpu) continue;
    gpuLeft[g] = left - pod.milliGpu;
    const score = gradientScore(before, nodeFragAmount(after, typical));
    gpuLeft[g] = left;
    if (score > best.score) best = { score, gpu: g };
  }
  return best;
}

export function fgdScore(node: PolicyNode, pod: PolicyPod, typical: readonly TypicalPod[]): number {
  if (pod.milliCpu === 0 && pod.milliGpu === 0) return 100;
  if (isSharePod(pod)) return Math.max(0, fgdShareChoice(node, pod, typical).score);
  return gradientScore(nodeFragAmount(node, typical), nodeFragAmount(subtract(node, pod), typical));
}

/** `NodeResource.Sub(pod)`: each of the pod's GPUs taken from the smallest-left GPU that fits. */
export function subtract(node: NodeResources, pod: PolicyPod): NodeResources {
  const gpuLeft = [...node.gpuLeft];
  if (pod.milliGpu > 0) {
    for (let k = 0; k < pod.gpuNumber; k++) {
      let best = -1;
      for (let g = 0; g < gpuLeft.length; g++)
        if (gpuLeft[g]! >= pod.milliGpu && (best < 0 || gpuLeft[g]! < gpuLeft[best]!)) best = g;
      if (best >= 0) gpuLeft[best]! -= pod.milliGpu;
    }
  }
  return { cpuLeft: node.cpuLeft - pod.milliCpu, gpuType: node.gpuType, gpuLeft };
}

function gradientScore(before: number, after: number): number {
  return int64(100 / (1 + Math.exp(-(before - after) / 1000)));
}

export const fgdPolicy: Policy = {
  score: fgdScore,
  gpus: (node, pod, { typical }) => {
    if (!isSharePod(pod)) return exclusiveGpus(node, pod);
    const { gpu } = fgdShareChoice(node, pod, typical);
    return gpu < 0 ? [] : [gpu];
  },
};
