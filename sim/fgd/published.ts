/**
 * The reference's published figure: the seed-mean GPU allocation ratio (%) at 130% arrived demand on the default
 * openb trace (`analysis_allo_discrete.csv`, seeds 42..51; the notes' §7).
 */
import type { PolicyName } from './policies/index.ts';

export const PUBLISHED_DEFAULT_130: Record<PolicyName, number> = {
  random: 87.47,
  dotprod: 90.85,
  'gpu-clustering': 91.88,
  'gpu-packing': 92.0,
  bestfit: 93.08,
  fgd: 95.39,
};
