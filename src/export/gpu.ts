/**
 * A pod's compute as Kubernetes resources, and GPU sharing the way Run:ai's scheduler reads it. Whole GPUs are the
 * device plugin's `nvidia.com/gpu`; a portion or an amount of GPU memory is not a resource at all but a pod
 * annotation — `gpu-fraction: "0.5"`, `gpu-memory: "20480"` (MiB) — with no `nvidia.com/gpu` requested. Source:
 * the annotation names in KAI-Scheduler's `pkg/common/constants/constants.go` (kai-scheduler/KAI-Scheduler at
 * 00cf2baa2388d102a5f8c6cd4651514374880588: `GpuFraction = "gpu-fraction"`, `GpuMemory = "gpu-memory"`) and its
 * `docs/gpu-sharing/gpu-memory.yaml` (`gpu-memory: "2000" # in Mib`); Run:ai's own CLI uses the same `gpu-fraction`
 * (run-ai/runai-cli `cmd/util/const.go`).
 */
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { GpuRequest } from '../../sim/cluster/index.ts';
import type { ExportCompute } from './request-spec.ts';

export const GPU_RESOURCE = 'nvidia.com/gpu';
export const GPU_FRACTION_ANNOTATION = 'gpu-fraction';
export const GPU_MEMORY_ANNOTATION = 'gpu-memory';

const MIB = 1024 * 1024;

/** Requests and limits of the container: CPU, memory, extended resources, whole GPUs. */
export function gpuResources(compute: ExportCompute, gpu: GpuRequest): IResourceRequirements {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (compute.cpuCoreRequest != null) requests.cpu = cores(compute.cpuCoreRequest);
  if (compute.cpuCoreLimit != null) limits.cpu = cores(compute.cpuCoreLimit);
  if (compute.cpuMemoryRequest != null) requests.memory = compute.cpuMemoryRequest;
  if (compute.cpuMemoryLimit != null) limits.memory = compute.cpuMemoryLimit;
  for (const r of compute.extendedResources ?? []) {
    if (!r?.resource || !r.quantity || r.exclude) continue;
    requests[r.resource] = r.quantity;
    limits[r.resource] = r.quantity;
  }
  // Extended resources cannot be overcommitted: the limit is the request, and Kubernetes fills the request in.
  if (gpu.kind === 'devices' && gpu.count > 0) limits[GPU_RESOURCE] = String(gpu.count);
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

/** The pod annotations of a shared GPU; none for whole GPUs or none. */
export function gpuAnnotations(gpu: GpuRequest): Record<string, string> {
  if (gpu.kind === 'portion') return { [GPU_FRACTION_ANNOTATION]: String(gpu.portion) };
  if (gpu.kind === 'memory') return { [GPU_MEMORY_ANNOTATION]: String(Math.ceil(gpu.bytes / MIB)) };
  return {};
}

/** Whole cores as a number (`"4"`), parts in millicores (`"500m"`), as kubectl writes them. */
function cores(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}
