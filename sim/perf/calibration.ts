// The fitted constants of the performance model: per device family, the efficiency curves of its GEMMs, pointwise
// kernels and all-reduces; per engine, its fixed costs. `npm run calibrate` writes them to calibration-data.ts.
import type { GpuType } from '../cluster/gpu-catalog.ts';
import type { EngineName } from './engines.ts';

/**
 * A GEMM of M tokens: max(FLOPs / (peak · η(M)), bytes / (bandwidth · memoryEfficiency)) + launch, where
 * η(M) = peakEfficiency · M / (M + halfTokens): small batches cannot fill the tensor cores' tiles.
 */
export interface GemmFit {
  readonly peakEfficiency: number;
  readonly halfTokens: number;
  readonly memoryEfficiency: number;
  readonly launchSeconds: number;
}

/** Memory-bound kernels: bytes / (bandwidth · memoryEfficiency) + each kernel's own launch cost. */
export interface PointwiseFit {
  readonly memoryEfficiency: number;
  readonly launchSeconds: Readonly<Record<PointwiseOp, number>>;
}

export const POINTWISE_OPS = ['norm', 'rope', 'act', 'add', 'embedding'] as const;
export type PointwiseOp = (typeof POINTWISE_OPS)[number];

/**
 * An in-node ring all-reduce: latency + 2(n−1)/n · bytes / (efficiency · link bandwidth). The efficiency is against
 * one direction of the datasheet's NVLink figure and may exceed 1: NVSwitch reduces in the switch (NVLS).
 */
export interface CollectiveFit {
  readonly latencySeconds: number;
  readonly efficiency: number;
}

export interface DeviceFit {
  readonly gemm: GemmFit;
  readonly pointwise: PointwiseFit;
  /** By rank count ("2", "4", "8"); a count not measured uses the nearest one. */
  readonly allReduce: Readonly<Record<string, CollectiveFit>>;
}

/** What an engine adds to every iteration (scheduling, sampling, launch gaps) beyond the kernels. */
export interface EngineFit {
  readonly iterationSeconds: number;
  /**
   * Per sequence and layer in the attention kernels (work partitioning, page-table walks, short-KV tiles): what
   * makes many short sequences dearer than their bytes.
   */
  readonly attentionSequenceSeconds: number;
  /**
   * Latency of the engine's own in-node all-reduce for the small messages of decode: vLLM, TensorRT-LLM and SGLang
   * replace NCCL there with one-shot kernels, so NCCL's fitted latency would overstate it.
   */
  readonly allReduceLatencySeconds: number;
  /**
   * The engine's attention kernels (FlashAttention, FlashInfer, XQA) as a fraction of the GEMMs' fitted efficiency:
   * no per-kernel attention profile is in the data, so it is fitted end to end.
   */
  readonly attentionEfficiency: number;
  /**
   * The share of a closed-loop benchmark's requests in its clients' first, synchronised round: how the harness
   * behind the engine's measurements starts (see closed-loop.ts). Not a property of the engine at serving time.
   */
  readonly burstFraction: number;
  /** Per request, outside iterations: the API server's parsing, tokenisation and first-token streaming. */
  readonly requestSeconds: number;
}

export interface Calibration {
  /** By GPU type id; types without a fit borrow their family's (see {@link deviceFitFor}). */
  readonly devices: Readonly<Record<string, DeviceFit>>;
  readonly engines: Readonly<Record<EngineName, EngineFit>>;
  readonly source: string;
}

/** Which measured device stands in for one never measured: same architecture generation, or the nearest. */
const FAMILY: Readonly<Record<string, string>> = {
  'H200-SXM-141GB': 'H100-SXM-80GB',
  'B200-SXM-180GB': 'H100-SXM-80GB',
  'L40S-48GB': 'A100-SXM-80GB',
};

export function deviceFitFor(calibration: Calibration, gpu: GpuType): DeviceFit {
  const own = calibration.devices[gpu.id];
  if (own !== undefined) return own;
  const family = calibration.devices[FAMILY[gpu.id] ?? 'A100-SXM-80GB'];
  return family ?? Object.values(calibration.devices)[0] ?? IDEAL_DEVICE;
}

/** The fit for `ranks`, or the nearest measured rank count. */
export function collectiveFitFor(device: DeviceFit, ranks: number): CollectiveFit {
  const own = device.allReduce[String(ranks)];
  if (own !== undefined) return own;
  let best: CollectiveFit = IDEAL_COLLECTIVE;
  let distance = Infinity;
  for (const [n, fit] of Object.entries(device.allReduce)) {
    const d = Math.abs(Math.log(Number(n) / ranks));
    if (d < distance) [best, distance] = [fit, d];
  }
  return best;
}

const IDEAL_COLLECTIVE: CollectiveFit = { latencySeconds: 0, efficiency: 1 };

const IDEAL_DEVICE: DeviceFit = {
  gemm: { peakEfficiency: 1, halfTokens: 0, memoryEfficiency: 1, launchSeconds: 0 },
  pointwise: { memoryEfficiency: 1, launchSeconds: { norm: 0, rope: 0, act: 0, add: 0, embedding: 0 } },
  allReduce: {},
};

const NO_ENGINE_COST: EngineFit = {
  iterationSeconds: 0,
  attentionSequenceSeconds: 0,
  allReduceLatencySeconds: 0,
  attentionEfficiency: 1,
  burstFraction: 0,
  requestSeconds: 0,
};

/** Datasheet physics only: every efficiency 1, no launch or engine cost (the `roofline` latency model). */
export const IDEAL_CALIBRATION: Calibration = {
  devices: {},
  engines: { vllm: NO_ENGINE_COST, trtllm: NO_ENGINE_COST, sglang: NO_ENGINE_COST },
  source: 'datasheet rooflines, no fitted constant',
};

/** Link bandwidth inside a node, bytes/s: NVLink's datasheet figure (both directions), or the PCIe generation's. */
export function linkBytesPerSecond(gpu: GpuType): number {
  if (gpu.nvlinkGBs !== null) return (gpu.nvlinkGBs / 2) * 1e9;
  const pcie: Record<string, number> = { 'PCIe Gen3': 16, 'PCIe Gen4': 32, 'PCIe Gen5': 64 };
  return (pcie[gpu.interconnect ?? ''] ?? 16) * 1e9;
}
