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
export const CATALOG_GPU_NAMES = ['A100-SXM-80GB', 'H100-SXM-80GB', 'H200-SXM-141GB', 'L40S-48GB', 'cpu'] as const;
export type CatalogGpuName = (typeof CATALOG_GPU_NAMES)[number];

export const GPU_CATALOG: Readonly<Record<CatalogGpuName, GpuType>> = {
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

export function isCatalogGpuName(value: unknown): value is CatalogGpuName {
  return typeof value === 'string' && Object.hasOwn(GPU_CATALOG, value);
}
