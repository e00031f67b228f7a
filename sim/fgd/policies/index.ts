/** The named registry of placement policies of the FGD comparison, in the paper's order. */
import { bestFitPolicy } from './best-fit.ts';
import { dotProdPolicy } from './dot-prod.ts';
import { fgdPolicy } from './fgd.ts';
import { gpuClusteringPolicy } from './gpu-clustering.ts';
import { gpuPackingPolicy } from './gpu-packing.ts';
import type { Policy } from './policy.ts';
import { randomPolicy } from './random.ts';

export type { Policy, PolicyContext, PolicyNode, PolicyPod } from './policy.ts';

import { POLICY_NAMES, type PolicyName } from '../../cluster/spec.ts';

export { POLICY_NAMES, type PolicyName };

export const POLICIES: Record<PolicyName, Policy> = {
  random: randomPolicy,
  dotprod: dotProdPolicy,
  'gpu-clustering': gpuClusteringPolicy,
  'gpu-packing': gpuPackingPolicy,
  bestfit: bestFitPolicy,
  fgd: fgdPolicy,
};

/** The names the paper's table uses. */
export const POLICY_TITLES: Record<PolicyName, string> = {
  random: 'Random',
  dotprod: 'DotProd',
  'gpu-clustering': 'GpuClustering',
  'gpu-packing': 'GpuPacking',
  bestfit: 'BestFit',
  fgd: 'FGD',
};

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}
