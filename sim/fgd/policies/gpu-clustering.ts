/**
 * 03-GpuClustering: keep pods of one kind (share, 1-GPU, 2-GPU, ...) together. A node whose only residents are
 * of the pod's kind scores 75+, one that also has them 50+, an empty node 25+, any other S alone, where
 * S = 25·(8000 − Σ left)/8000 in Go integer arithmetic favours fuller nodes.
 */
import { affinityTag } from '../pod-request.ts';
import { bestFitGpus } from './gpu-choice.ts';
import { MAX_SPEC_GPU, type Policy, type PolicyNode, type PolicyPod } from './policy.ts';

export function gpuClusteringScore(node: PolicyNode, pod: PolicyPod): number {
  const tag = affinityTag(pod);
  if (tag === '') return 0;
  const s = Math.trunc((25 * (MAX_SPEC_GPU - node.gpuLeftTotal())) / MAX_SPEC_GPU);
  if ((node.affinity.get(tag) ?? 0) > 0) return s + (node.affinity.size === 1 ? 75 : 50);
  return node.affinity.size === 0 ? s + 25 : s;
}

export const gpuClusteringPolicy: Policy = { score: gpuClusteringScore, gpus: bestFitGpus };
