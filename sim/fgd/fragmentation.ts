/**
 * The fragmentation measure (`utils.NodeGpuShareFragAmount`): the idle GPU milli of a node that the typical pods,
 * weighted by frequency, could not use. F(n) is the sum over every category except Q3 (satisfied).
 */
import { acceptsGpuType } from './pod-request.ts';
import type { TypicalPod } from './typical-pods.ts';

/** What the measure reads of a node: enough to describe a hypothetical state (n') too. */
export interface NodeResources {
  readonly cpuLeft: number;
  readonly gpuType: string;
  readonly gpuLeft: readonly number[];
}

/** How a typical pod stands on a node (`utils.GetNodePodFrag`). */
export type FragCategory = 'Q1' | 'Q2' | 'Q3' | 'Q4' | 'XL' | 'XR' | 'NoAccess';

export function fragCategory(node: NodeResources, t: Omit<TypicalPod, 'frequency'>): FragCategory {
  const cpuFits = node.cpuLeft >= t.milliCpu;
  if (t.milliGpu === 0) return cpuFits ? 'XL' : 'XR';
  if (!acceptsGpuType(t, node.gpuType)) return 'NoAccess';
  let enough = 0;
  for (const left of node.gpuLeft) if (left >= t.milliGpu) enough++;
  const gpuFits = enough >= t.gpuNumber;
  if (gpuFits) return cpuFits ? 'Q3' : 'Q4';
  return cpuFits ? 'Q2' : 'Q1';
}

/**
 * F(n): for a typical pod that fits (Q3), only the GPUs too small for it are fragment; for any other category,
 * all idle GPU milli is (so CPU-only typical pods make every idle GPU count).
 */
export function nodeFragAmount(node: NodeResources, typical: readonly TypicalPod[]): number {
  let idle = 0;
  for (const left of node.gpuLeft) idle += left;
  if (idle === 0) return 0;
  let frag = 0;
  for (const t of typical) {
    if (fragCategory(node, t) === 'Q3') {
      let small = 0;
      for (const left of node.gpuLeft) if (left < t.milliGpu) small += left;
      frag += t.frequency * small;
    } else {
      frag += t.frequency * idle;
    }
  }
  return frag;
}
