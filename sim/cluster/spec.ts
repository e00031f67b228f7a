import type { GpuTypeTable } from './gpu-catalog.ts';

/**
 * The validated, normalised description of a cluster: what a cluster file becomes after parsing, and what tests
 * write directly. Quantities are plain numbers (millicores, bytes); nothing here is derived state.
 */
export interface ClusterSpec {
  readonly name: string;
  /** The Run:ai cluster id (a UUID). */
  readonly id: string;
  /** Topology levels, outermost first (for example zone > block > rack); nodes are the implicit innermost level. */
  readonly topologyLevels: readonly TopologyLevelSpec[];
  readonly nodePools: readonly NodePoolSpec[];
  /** The organisation using the cluster: departments of projects, with GPU quotas per node pool. */
  readonly departments: readonly DepartmentSpec[];
  /**
   * Every GPU type a node set may name, by name: the built-in catalog with the cluster file's declarations over
   * it. Whatever reads a device's memory or datasheet figures looks here, not in the global catalog.
   */
  readonly gpuTypes: GpuTypeTable;
}

export interface TopologyLevelSpec {
  readonly name: string;
  /** The node label that carries a node's domain at this level. */
  readonly label: string;
}

/** Today's two strategies, then the FGD paper's comparison set (scoring policies of `sim/fgd/policies`). */
/** The FGD paper's placement policies (sim/fgd/policies registers one of each; the cluster does not import them). */
export const POLICY_NAMES = ['random', 'dotprod', 'gpu-clustering', 'gpu-packing', 'bestfit', 'fgd'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
export const PLACEMENT_STRATEGIES = ['binpack', 'spread', ...POLICY_NAMES] as const;
export type PlacementStrategy = 'binpack' | 'spread' | PolicyName;

/** The strategies scored by an FGD policy rather than by the bucket-index fast paths. */
export function isPolicyPlacement(placement: PlacementStrategy): placement is PolicyName {
  return placement !== 'binpack' && placement !== 'spread';
}

export interface NodePoolSpec {
  readonly name: string;
  /** How the scheduler orders nodes inside this pool. */
  readonly placement: PlacementStrategy;
  readonly nodes: readonly NodeSetSpec[];
}

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** The network between nodes, per GPU: what a tensor- or pipeline-parallel group crossing nodes talks over. */
export interface ScaleOutNetwork {
  /** Per-GPU NIC bandwidth, Gb/s (one direction). */
  readonly bandwidthGbps: number;
  /** One-way latency of a message, microseconds. */
  readonly latencyMicros: number;
}

/** One 400 Gb/s InfiniBand NDR NIC per GPU, as in DGX H100/B200 systems; ~5 µs per hop through a switch. */
export const DEFAULT_SCALE_OUT_NETWORK: ScaleOutNetwork = { bandwidthGbps: 400, latencyMicros: 5 };

/** `count` identical nodes. */
export interface NodeSetSpec {
  readonly count: number;
  /** Node names are `<namePrefix><index>`; defaults to `<pool>-`. */
  readonly namePrefix?: string;
  readonly gpu: {
    /** A key of the cluster's `gpuTypes`. */
    readonly model: string;
    readonly count: number;
    /** Per-device memory, when it differs from the GPU type's (the local machine, for one). */
    readonly memoryBytes?: number;
  };
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly labels: Readonly<Record<string, string>>;
  /** The scale-out NIC each GPU of these nodes has; absent means {@link DEFAULT_SCALE_OUT_NETWORK}. */
  readonly network?: ScaleOutNetwork;
  readonly taints: readonly Taint[];
  /**
   * Per topology level: a number is a fan-out (children per domain: nodes per rack, racks per block, ...), a
   * string names one domain holding all these nodes, shared with other node sets of the pool that name it.
   * A level left out puts the whole set in one domain of its own at that level.
   */
  readonly topology: Readonly<Record<string, number | string>>;
}

/** Labels every node carries, so affinity and node-type filters have something real to match. */
export const NODE_LABELS = {
  hostname: 'kubernetes.io/hostname',
  nodePool: 'lwsim.io/node-pool',
  nodeType: 'run.ai/type',
  gpuProduct: 'nvidia.com/gpu.product',
  gpuCount: 'nvidia.com/gpu.count',
} as const;

/** A queue's GPU quota in one node pool, in GPUs. */
export interface PoolQuota {
  /** Guaranteed share; non-preemptible work may use only this. */
  readonly deserved: number;
  /** Hard cap on what the queue may hold in the pool; null for none. */
  readonly limit: number | null;
  /** Share of the surplus (over-quota) relative to siblings of the same rank. 0 takes none of it. */
  readonly overQuotaWeight: number;
}

/** A department or a project: Run:ai's scheduling queues. */
export interface QueueSpec {
  readonly name: string;
  /** Higher rank is served first when dividing the surplus (KAI's queue priority). */
  readonly rank: number;
  /** Per node pool; a pool left out gives deserved 0, no limit, weight 1. */
  readonly quotas: Readonly<Record<string, Partial<PoolQuota>>>;
}

export interface DepartmentSpec extends QueueSpec {
  readonly projects: readonly QueueSpec[];
}
