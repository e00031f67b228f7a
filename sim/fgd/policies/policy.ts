/**
 * A placement policy of the FGD comparison: a node score (0..100, higher wins, Go's integer truncation where the
 * reference truncates) and the GPUs a pod gets on the chosen node. Scores are pure in (node state, pod), so the
 * run may cache them until the node changes.
 */
import type { Random } from '../../engine/random.ts';
import type { NodeResources } from '../fragmentation.ts';
import type { PodRequest } from '../pod-request.ts';
import type { TypicalPod } from '../typical-pods.ts';

/**
 * What a policy reads of a node: the experiment's `FgdNode`, or a read-only view of a live `ClusterState` node
 * (`sim/scheduler/policy-view.ts`). GPU figures are milli (0..1000 left per GPU).
 */
export interface PolicyNode extends NodeResources {
  readonly gpuCount: number;
  /** Resident pods per GpuClustering tag (`share-gpu`, `<k>-gpu`). */
  readonly affinity: ReadonlyMap<string, number>;
  gpuLeftTotal(): number;
  fullyFreeGpus(): number;
}

/** What a policy reads of a pod. */
export type PolicyPod = Pick<PodRequest, 'milliCpu' | 'milliGpu' | 'gpuNumber' | 'gpuSpec'>;

export interface PolicyContext {
  readonly typical: readonly TypicalPod[];
  readonly rng: Random;
}

export type NodeScore = (node: PolicyNode, pod: PolicyPod, typical: readonly TypicalPod[]) => number;
export type GpuChoice = (node: PolicyNode, pod: PolicyPod, context: PolicyContext) => number[];

export interface Policy {
  readonly score: NodeScore;
  /** The plugin's NormalizeScore over the feasible nodes (BestFit): (raw − min)·100/(max − min). */
  readonly normalize?: true;
  /** A PreScore that favours one feasible node outright (Random): its index among the feasible ones. */
  readonly prefer?: (feasible: number, rng: Random) => number;
  readonly gpus: GpuChoice;
}

/** Go's `int64(x)` of a float: truncation toward zero. */
export const int64 = Math.trunc;

/** The reference's normalisation constants (`open-gpu-share/utils/const.go`). */
export const MAX_SPEC_CPU = 128_000;
export const MAX_SPEC_GPU = 8_000;
