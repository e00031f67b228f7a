/** 01-Random: PreScore picks one feasible node uniformly; it scores 100 and the rest 0. */
import { randomFitGpus } from './gpu-choice.ts';
import type { Policy } from './policy.ts';

export const randomPolicy: Policy = {
  score: () => 0,
  prefer: (feasible, rng) => rng.int(0, feasible - 1),
  gpus: (node, pod, { rng }) => randomFitGpus(node, pod, rng),
};
