/**
 * A node's capacity and what is left of it, mutable during one run. Only `bind` changes it, and every change bumps
 * `version`, which is what lets scores be cached per node until the node changes.
 */
import type { OpenbNode } from '../import/openb.ts';
import { affinityTag, type PodRequest } from './pod-request.ts';

/** The reference's node allocatable pod count. */
const POD_CAPACITY = 1001;

export class FgdNode {
  readonly name: string;
  readonly gpuType: string;
  readonly gpuCount: number;
  readonly milliCpu: number;
  cpuLeft: number;
  memoryLeft: number;
  podsLeft = POD_CAPACITY;
  /** Per GPU, milli left (0..1000). */
  readonly gpuLeft: number[];
  /** Resident pods per GpuClustering tag. */
  readonly affinity = new Map<string, number>();
  version = 0;

  constructor(spec: OpenbNode) {
    this.name = spec.name;
    this.gpuType = spec.gpuType;
    this.gpuCount = spec.gpuCount;
    this.milliCpu = spec.milliCpu;
    this.cpuLeft = spec.milliCpu;
    this.memoryLeft = spec.memoryMib;
    this.gpuLeft = new Array<number>(spec.gpuCount).fill(1000);
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

  /** How many GPUs have at least `milli` left. */
  gpusWithAtLeast(milli: number): number {
    let n = 0;
    for (const left of this.gpuLeft) if (left >= milli) n++;
    return n;
  }

  /** Places the pod: its cpu and memory, `milliGpu` on each of `gpus`. */
  bind(pod: PodRequest, gpus: readonly number[]): void {
    this.cpuLeft -= pod.milliCpu;
    this.memoryLeft -= pod.memoryMib;
    this.podsLeft--;
    for (const g of gpus) this.gpuLeft[g]! -= pod.milliGpu;
    const tag = affinityTag(pod);
    if (tag !== '') this.affinity.set(tag, (this.affinity.get(tag) ?? 0) + 1);
    this.version++;
  }
}
