/**
 * The adapter between the live cluster and the FGD policies: a read-only `PolicyNode` view of one `ClusterState`
 * node and the `PolicyPod` of a pod's resources, in the reference's units (milli-CPU, milli-GPU per device).
 */
import { GPU_UNITS, type ClusterState, type NodeInfo, type PodResources } from '../cluster/index.ts';
import type { PolicyNode, PolicyPod } from '../fgd/policies/index.ts';

/** Device units per milli-GPU. */
const UNITS_PER_MILLI = GPU_UNITS / 1000;

/**
 * One view re-pointed at each node a policy looks at (`at`), so scoring a pool allocates nothing per node. It is
 * valid until the next `at` or the next change to the cluster.
 */
export class ClusterNodeView implements PolicyNode {
  cpuLeft = 0;
  gpuType = '';
  gpuCount = 0;
  readonly gpuLeft: number[] = [];
  readonly affinity = new Map<string, number>();

  constructor(private readonly cluster: ClusterState) {}

  at(node: number): this {
    const info = this.cluster.layout.nodes[node]!;
    this.cpuLeft = this.cluster.nodeFree(node).cpuMillis;
    this.gpuType = info.gpuModel;
    this.gpuCount = info.gpuCount;
    const usage = this.cluster.deviceUsage(node);
    this.gpuLeft.length = info.gpuCount;
    for (let g = 0; g < info.gpuCount; g++) this.gpuLeft[g] = (GPU_UNITS - usage[g]!) / UNITS_PER_MILLI;
    this.affinity.clear();
    const kinds = this.cluster.gpuPodKinds(node);
    // The tags of `affinityTag`: index 0 counts share pods, index k pods on k whole devices.
    for (let k = 0; k < kinds.length; k++)
      if (kinds[k]! > 0) this.affinity.set(k === 0 ? 'share-gpu' : `${k}-gpu`, kinds[k]!);
    return this;
  }

  gpuLeftTotal(): number {
    let sum = 0;
    for (const left of this.gpuLeft) sum += left;
    return sum;
  }

  fullyFreeGpus(): number {
    let n = 0;
    for (const left of this.gpuLeft) if (left === 1000) n++;
    return n;
  }
}

/**
 * A pod as the policies see it on one node: a memory request becomes the fraction of that node's device. GPU
 * types are left to lwsim's own filters, so the pod accepts any type.
 */
export function policyPod(cluster: ClusterState, node: NodeInfo, resources: PodResources): PolicyPod {
  const gpu = resources.gpu;
  const gpuNumber = gpu.kind === 'none' ? 0 : gpu.kind === 'devices' ? gpu.count : 1;
  const milliGpu = gpu.kind === 'none' ? 0 : cluster.unitsFor(node, gpu) / UNITS_PER_MILLI;
  return { milliCpu: resources.cpuMillis, milliGpu, gpuNumber, gpuSpec: NO_TYPES };
}

const NO_TYPES: readonly string[] = [];
