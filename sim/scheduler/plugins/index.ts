import type { FilterPlugin } from '../framework.ts';
import { nodeAffinityFilter } from './node-affinity.ts';
import { nodeTypeFilter } from './node-type.ts';
import { taintTolerationFilter } from './taint-toleration.ts';

/** The filters every pod passes, cheapest and most selective first. */
export const DEFAULT_FILTERS: readonly FilterPlugin[] = [nodeTypeFilter, nodeAffinityFilter, taintTolerationFilter];
