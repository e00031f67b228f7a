/**
 * The accelerators lwsim knows, with the datasheet figures the performance model will use. `cpu` is the device
 * class of the local machine: its CPU cores stand in for an accelerator (the serving kernel runs there).
 */
export const GPU_MODEL_IDS = ['A100-SXM-80GB', 'H100-SXM-80GB', 'H200-SXM-141GB', 'L40S-48GB', 'cpu'] as const;
export type GpuModelId = (typeof GPU_MODEL_IDS)[number];

export interface GpuModel {
  readonly id: GpuModelId;
  /** Device memory. For `cpu` it is a nominal figure; the local node states its own. */
  readonly memoryGiB: number;
  /** Dense BF16 tensor throughput, TFLOP/s. */
  readonly bf16Tflops: number | null;
  /** Device memory bandwidth, TB/s. */
  readonly memoryBandwidthTBs: number | null;
  /** GPU-to-GPU bandwidth inside a node, GB/s; null where there is no NVLink (PCIe only). */
  readonly nvlinkGBs: number | null;
  readonly interconnect: 'NVLink' | 'PCIe Gen4' | 'host';
  readonly source: string;
}

export const GPU_CATALOG: Readonly<Record<GpuModelId, GpuModel>> = {
  'A100-SXM-80GB': {
    id: 'A100-SXM-80GB',
    memoryGiB: 80,
    bf16Tflops: 312,
    memoryBandwidthTBs: 2.039,
    nvlinkGBs: 600,
    interconnect: 'NVLink',
    source: 'NVIDIA A100 Tensor Core GPU datasheet (SXM4 80GB)',
  },
  'H100-SXM-80GB': {
    id: 'H100-SXM-80GB',
    memoryGiB: 80,
    bf16Tflops: 989.4,
    memoryBandwidthTBs: 3.35,
    nvlinkGBs: 900,
    interconnect: 'NVLink',
    source: 'NVIDIA H100 Tensor Core GPU datasheet (SXM5, dense BF16)',
  },
  'H200-SXM-141GB': {
    id: 'H200-SXM-141GB',
    memoryGiB: 141,
    bf16Tflops: 989,
    memoryBandwidthTBs: 4.8,
    nvlinkGBs: 900,
    interconnect: 'NVLink',
    source: 'NVIDIA H200 Tensor Core GPU datasheet (SXM, dense BF16 ~ H100)',
  },
  'L40S-48GB': {
    id: 'L40S-48GB',
    memoryGiB: 48,
    bf16Tflops: 362,
    memoryBandwidthTBs: 0.864,
    nvlinkGBs: null,
    interconnect: 'PCIe Gen4',
    source: 'NVIDIA L40S datasheet (dense BF16; PCIe Gen4 x16, no NVLink)',
  },
  cpu: {
    id: 'cpu',
    memoryGiB: 0,
    bf16Tflops: null,
    memoryBandwidthTBs: null,
    nvlinkGBs: null,
    interconnect: 'host',
    source: 'the local machine, described by systeminformation at start',
  },
};

export function isGpuModelId(value: unknown): value is GpuModelId {
  return typeof value === 'string' && (GPU_MODEL_IDS as readonly string[]).includes(value);
}
