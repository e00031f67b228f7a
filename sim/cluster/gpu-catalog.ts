/** How a node's devices talk to each other; null in a GPU type when it is not known. */
export const GPU_INTERCONNECTS = ['NVLink', 'PCIe Gen3', 'PCIe Gen4', 'PCIe Gen5', 'host'] as const;
export type GpuInterconnect = (typeof GPU_INTERCONNECTS)[number];

/**
 * One kind of accelerator: its device memory and the datasheet figures the performance model will use (null when
 * unknown). The built-in catalog below is the default; a cluster file may declare more types or override these.
 */
export interface GpuType {
  /** The name node sets use (`gpu.model`); also the node label `nvidia.com/gpu.product`. */
  readonly id: string;
  /** Device memory. For `cpu` it is a nominal figure; the local node states its own. */
  readonly memoryGiB: number;
  /** Dense BF16 tensor throughput, TFLOP/s. */
  readonly bf16Tflops: number | null;
  /** Dense FP8 tensor throughput, TFLOP/s; null where the GPU has no FP8 tensor cores (A100) or it is unknown. */
  readonly fp8Tflops: number | null;
  /** Dense FP4 tensor throughput, TFLOP/s; null before Blackwell. */
  readonly fp4Tflops: number | null;
  /** Device memory bandwidth, TB/s. */
  readonly memoryBandwidthTBs: number | null;
  /** GPU-to-GPU bandwidth inside a node, GB/s; null where there is no NVLink (PCIe only) or it is unknown. */
  readonly nvlinkGBs: number | null;
  readonly interconnect: GpuInterconnect | null;
  /** Where the figures come from. */
  readonly source: string;
}

/** GPU types by name: the catalog, or a cluster's resolved table (`ClusterSpec.gpuTypes`). */
export type GpuTypeTable = Readonly<Record<string, GpuType>>;

/**
 * The accelerators lwsim knows without being told. `cpu` is the device class of the local machine: its CPU cores
 * stand in for an accelerator (the serving kernel runs there).
 */
export const CATALOG_GPU_NAMES = [
  'A100-SXM-80GB',
  'H100-SXM-80GB',
  'H200-SXM-141GB',
  'B200-SXM-180GB',
  'L40S-48GB',
  'cpu',
] as const;
export type CatalogGpuName = (typeof CATALOG_GPU_NAMES)[number];

export const GPU_CATALOG: Readonly<Record<CatalogGpuName, GpuType>> = {
  'A100-SXM-80GB': {
    id: 'A100-SXM-80GB',
    memoryGiB: 80,
    bf16Tflops: 312,
    fp8Tflops: null,
    fp4Tflops: null,
    memoryBandwidthTBs: 2.039,
    nvlinkGBs: 600,
    interconnect: 'NVLink',
    source: 'NVIDIA A100 Tensor Core GPU datasheet (SXM4 80GB; no FP8 tensor cores)',
  },
  'H100-SXM-80GB': {
    id: 'H100-SXM-80GB',
    memoryGiB: 80,
    bf16Tflops: 989.4,
    fp8Tflops: 1978.9,
    fp4Tflops: null,
    memoryBandwidthTBs: 3.35,
    nvlinkGBs: 900,
    interconnect: 'NVLink',
    source:
      'NVIDIA H100 Tensor Core GPU datasheet (SXM5; dense BF16 989.4, FP8 1978.9 TFLOPS — the sparse figures halved)',
  },
  'H200-SXM-141GB': {
    id: 'H200-SXM-141GB',
    memoryGiB: 141,
    bf16Tflops: 989,
    fp8Tflops: 1979,
    fp4Tflops: null,
    memoryBandwidthTBs: 4.8,
    nvlinkGBs: 900,
    interconnect: 'NVLink',
    source: 'NVIDIA H200 Tensor Core GPU datasheet (SXM; dense BF16 989, FP8 1979 TFLOPS — the sparse figures halved)',
  },
  'B200-SXM-180GB': {
    id: 'B200-SXM-180GB',
    memoryGiB: 180,
    bf16Tflops: 2250,
    fp8Tflops: 4500,
    fp4Tflops: 9000,
    memoryBandwidthTBs: 7.7,
    nvlinkGBs: 1800,
    interconnect: 'NVLink',
    source:
      'NVIDIA DGX B200 datasheet (8 GPUs: 1,440 GB HBM3e, 72 PFLOPS FP8 training / 144 PFLOPS FP4 inference, both sparse) and the HGX B200 figures: per GPU dense BF16 2.25, FP8 4.5, FP4 9 PFLOPS, 7.7 TB/s, NVLink 5 1.8 TB/s',
  },
  'L40S-48GB': {
    id: 'L40S-48GB',
    memoryGiB: 48,
    bf16Tflops: 362,
    fp8Tflops: 733,
    fp4Tflops: null,
    memoryBandwidthTBs: 0.864,
    nvlinkGBs: null,
    interconnect: 'PCIe Gen4',
    source: 'NVIDIA L40S datasheet (dense BF16 362, FP8 733 TFLOPS; PCIe Gen4 x16, no NVLink)',
  },
  cpu: {
    id: 'cpu',
    memoryGiB: 0,
    bf16Tflops: null,
    fp8Tflops: null,
    fp4Tflops: null,
    memoryBandwidthTBs: null,
    nvlinkGBs: null,
    interconnect: 'host',
    source: 'the local machine, described by systeminformation at start',
  },
};

export function isCatalogGpuName(value: unknown): value is CatalogGpuName {
  return typeof value === 'string' && Object.hasOwn(GPU_CATALOG, value);
}
