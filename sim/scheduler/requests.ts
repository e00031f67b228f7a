import { GPU_UNITS, type ClusterLayout, type GpuRequest } from '../cluster/index.ts';
import type { GangSpec } from './gang.ts';

/**
 * What a pod's GPU request counts against quota in a pool, in GPU units. A memory request is converted with the
 * pool's largest device memory (KAI does the same for its capacity checks: the smallest fraction it can be).
 */
export function quotaUnits(gpu: GpuRequest, poolMaxDeviceMemory: number): number {
  switch (gpu.kind) {
    case 'none':
      return 0;
    case 'devices':
      return gpu.count * GPU_UNITS;
    case 'portion':
      return Math.min(GPU_UNITS, Math.max(1, Math.round(gpu.portion * GPU_UNITS)));
    case 'memory':
      return poolMaxDeviceMemory > 0
        ? Math.min(GPU_UNITS, Math.max(1, Math.ceil((gpu.bytes / poolMaxDeviceMemory) * GPU_UNITS)))
        : GPU_UNITS;
  }
}

/** A gang's total quota charge in a pool. */
export function gangQuotaUnits(gang: GangSpec, layout: ClusterLayout, pool: number): number {
  const memory = poolMaxDeviceMemory(layout, pool);
  let units = 0;
  for (const pod of gang.pods) units += quotaUnits(pod.resources.gpu, memory);
  return units;
}

const maxMemoryCache = new WeakMap<ClusterLayout, number[]>();

export function poolMaxDeviceMemory(layout: ClusterLayout, pool: number): number {
  let perPool = maxMemoryCache.get(layout);
  if (perPool === undefined) {
    perPool = layout.pools.map((p) => p.nodes.reduce((max, n) => Math.max(max, layout.nodes[n]!.gpuMemoryBytes), 0));
    maxMemoryCache.set(layout, perPool);
  }
  return perPool[pool]!;
}

/** GPUs a pod asks for, as people count them: devices, or the portion of one (a memory request counts 0). */
export function requestedGpus(gpu: GpuRequest): number {
  return gpu.kind === 'devices' ? gpu.count : gpu.kind === 'portion' ? gpu.portion : 0;
}

/** Whole devices a pod takes (a fraction takes part of one device, counted as 0 here). */
export function wholeDevices(gpu: GpuRequest): number {
  return gpu.kind === 'devices' ? gpu.count : 0;
}

export function formatGpus(units: number): string {
  const gpus = units / GPU_UNITS;
  return Number.isInteger(gpus) ? String(gpus) : gpus.toFixed(2).replace(/0+$/, '');
}
