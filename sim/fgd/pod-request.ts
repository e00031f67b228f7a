/**
 * A pod as the FGD simulator sees it (`utils.GetPodResource` plus the filter's memory): the resource vector the
 * policies and the fragmentation measure read. Milli means 1/1000 of a GPU or of a CPU core.
 */
import type { OpenbPod } from '../import/openb.ts';

export interface PodRequest {
  readonly name: string;
  readonly milliCpu: number;
  readonly memoryMib: number;
  /** Per GPU (0..1000); 0 for a CPU-only pod. */
  readonly milliGpu: number;
  readonly gpuNumber: number;
  /** The allowed GPU types ('|' list); empty: any type. Part of the resource key, as the reference keeps it. */
  readonly gpuSpec: readonly string[];
  /** {MilliCpu, MilliGpu, GpuNumber, GpuType}: pods with equal keys are the same "spec" for typical pods. */
  readonly key: string;
  /** A small dense id per distinct key, for per-node score caches. */
  readonly keyId: number;
}

/** Σ milli over the pod's GPUs (`PodResource.TotalMilliGpu`). */
export function totalMilliGpu(pod: Pick<PodRequest, 'milliGpu' | 'gpuNumber'>): number {
  return pod.milliGpu * pod.gpuNumber;
}

/** A share pod takes part of one GPU. */
export function isSharePod(pod: Pick<PodRequest, 'milliGpu' | 'gpuNumber'>): boolean {
  return pod.gpuNumber === 1 && pod.milliGpu > 0 && pod.milliGpu < 1000;
}

/** `utils.IsNodeAccessibleToPodByType`: an empty list matches any type. */
export function acceptsGpuType(pod: Pick<PodRequest, 'gpuSpec'>, gpuType: string): boolean {
  return pod.gpuSpec.length === 0 || pod.gpuSpec.includes(gpuType);
}

/** The GPU affinity tag of GpuClustering: '' for CPU-only pods. */
export function affinityTag(pod: Pick<PodRequest, 'milliGpu' | 'gpuNumber'>): string {
  if (pod.gpuNumber === 0 || pod.milliGpu === 0) return '';
  return isSharePod(pod) ? 'share-gpu' : `${pod.gpuNumber}-gpu`;
}

/** Interns resource keys into dense ids, so every run of one experiment shares the numbering. */
export class PodKeys {
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.ids.size;
  }

  request(pod: OpenbPod, name = pod.name): PodRequest {
    const gpu = pod.gpuNumber === 0 ? 0 : pod.milliGpu;
    const key = `${pod.milliCpu}/${gpu}/${pod.gpuNumber}/${pod.gpuSpec.join('|')}`;
    let keyId = this.ids.get(key);
    if (keyId === undefined) this.ids.set(key, (keyId = this.ids.size));
    return {
      name,
      milliCpu: pod.milliCpu,
      memoryMib: pod.memoryMib,
      milliGpu: gpu,
      gpuNumber: pod.gpuNumber,
      gpuSpec: pod.gpuSpec,
      key,
      keyId,
    };
  }
}
