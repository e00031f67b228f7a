import type { Taint } from '../../cluster/index.ts';
import type { Toleration } from '../gang.ts';
import type { FilterPlugin } from '../framework.ts';

/** NoSchedule and NoExecute taints repel pods that do not tolerate them; PreferNoSchedule only discourages. */
export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  compile(pod, pool, layout) {
    const hard = pool.nodes.some((n) => layout.nodes[n]!.taints.some(isHard));
    if (!hard) return null;
    const tolerations = pod.constraints?.tolerations ?? [];
    return (node) => {
      const untolerated = node.taints.find((t) => isHard(t) && !tolerations.some((tol) => tolerates(tol, t)));
      return untolerated === undefined
        ? null
        : `had untolerated taint {${untolerated.key}${untolerated.value ? `=${untolerated.value}` : ''}:${untolerated.effect}}`;
    };
  },
};

function isHard(taint: Taint): boolean {
  return taint.effect !== 'PreferNoSchedule';
}

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== 'Any' && toleration.effect !== taint.effect)
    return false;
  // An empty key with Exists tolerates every taint.
  if (toleration.key === undefined || toleration.key === '') return toleration.operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  return toleration.operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '');
}
