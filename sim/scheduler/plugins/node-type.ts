import { NODE_LABELS } from '../../cluster/index.ts';
import type { FilterPlugin } from '../framework.ts';

/** `nodeType`: only nodes whose node-type label (run.ai/type) equals it. */
export const nodeTypeFilter: FilterPlugin = {
  name: 'NodeType',
  compile(pod) {
    const wanted = pod.constraints?.nodeType;
    if (wanted === undefined) return null;
    return (node) => (node.labels[NODE_LABELS.nodeType] === wanted ? null : `didn't match node type ${wanted}`);
  },
};
