/**
 * FGD's fragmentation ratio of a pool (`ClusterGpuFragReport`, notes §5): Σ F(n) / Σ idle GPU over its ready
 * nodes, where F(n) is the idle GPU the typical pods could not use (`sim/fgd/fragmentation.ts`). A fraction
 * (0..1), like lwsim's own `fragmentation`; 0 when nothing is idle.
 */
import type { ClusterState } from '../cluster/index.ts';
import { nodeFragAmount } from '../fgd/fragmentation.ts';
import type { TypicalPod } from '../fgd/typical-pods.ts';
import { ClusterNodeView } from './policy-view.ts';

export function fgdFragmentation(cluster: ClusterState, pool: number, typical: readonly TypicalPod[]): number {
  const view = new ClusterNodeView(cluster);
  let frag = 0;
  let idle = 0;
  for (const node of cluster.layout.pools[pool]!.nodes) {
    if (!cluster.isReady(node)) continue;
    view.at(node);
    frag += nodeFragAmount(view, typical);
    idle += view.gpuLeftTotal();
  }
  return idle > 0 ? frag / idle : 0;
}
